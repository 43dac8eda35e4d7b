"""Urgency as the requests layer decides it (storage.requests.rules.is_urgent): the words
of the issue's test (燃气泄漏，味道很大; 电梯里有人被困住了) are urgent on every path
that files a report (chat, Open311), as 起火冒烟 always was."""

from __future__ import annotations

import pytest

from nlp import is_emergency
from storage.requests.rules import is_urgent


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("燃气泄漏，味道很大", "gas"),
        ("电梯里有人被困住了", "elevator"),
        ("起火冒烟了", "fire"),
    ],
)
def test_dangers_are_urgent(text: str, kind: str) -> None:
    assert is_emergency(text) == kind
    assert is_urgent(text)


@pytest.mark.parametrize("text", ["楼道灯坏了", "电梯坏了，停在3楼", "没着火 就是有点烟味"])
def test_ordinary_reports_are_not_urgent(text: str) -> None:
    assert not is_urgent(text)
