"""project_query: asking what the community or one's building is doing, loosely typed;
and what must stay what it was (one's own report, a new fault)."""

from __future__ import annotations

import pytest

from nlp import understand


@pytest.mark.parametrize(
    "text",
    [
        "社区最近在办什么",
        "我们楼的事有进展吗",
        "小区在搞什么项目",
        "社区最近再办啥",  # 再 for 在
        "小区在搞啥项目啊",
        "我们楼的事有进展没",
        "咱楼那事咋样了",
        "社區最近在辦什麼",  # traditional characters
        "有什么项目吗",
    ],
)
def test_questions_about_projects(text: str) -> None:
    u = understand(text)
    assert u.intent == "project_query", (text, u.evidence)
    assert u.confidence >= 0.8


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("我反映的问题有进展吗", "status_query"),
        ("3号楼楼道灯坏了", "report_problem"),
        ("我们楼的电梯坏了有人管吗", "report_problem"),
        ("有进展吗", "status_query"),
    ],
)
def test_other_questions_stay_what_they_were(text: str, intent: str) -> None:
    assert understand(text).intent == intent
