"""结对帮扶 understanding: visit records with a pair code however they are typed, a
relative asking about visits, and what must stay what it was."""

from datetime import date

import pytest

from nlp import understand

TODAY = date(2026, 12, 7)


@pytest.mark.parametrize(
    "text, code",
    [
        ("探访 P3 一切都好", "P3"),
        ("探访 P3 需要帮忙：水管漏水", "P3"),
        ("电话 P3 老人说腿疼", "P3"),
        ("「P3探访了，挺好」", "P3"),
        ("ｐ３ 探访 一切正常", "P3"),
        ("探访p12 还行", "P12"),
        ("电话P3，老人说腿疼，想去医院看看", "P3"),
        ("探访P3需要帮忙:家里灯坏了", "P3"),
        ("结对5 探访了 挺好", "P5"),
        # a Chinese numeral after the code is not more digits of it (not P12)
        ("探访 P1 两位老人都挺好", "P1"),
        ("探访P1两位老人都挺好", "P1"),
    ],
)
def test_visit_records_with_a_pair_code(text: str, code: str) -> None:
    u = understand(text, today=TODAY)
    assert (u.intent, u.entities.get("pair_code")) == ("visit_record", code)


def test_a_visit_without_a_code_is_still_a_visit_record() -> None:
    assert understand("探访了，一切都好", today=TODAY).intent == "visit_record"


@pytest.mark.parametrize(
    "text",
    ["我妈最近有人去看吗", "有人去看过我爸吗", "俺奶奶这周有没有人来看过", "我想看看探访记录"],
)
def test_relatives_asking_about_visits(text: str) -> None:
    assert understand(text, today=TODAY).intent == "visit_query"


@pytest.mark.parametrize(
    "text, intent",
    [
        ("你好 我家楼上漏水了 麻烦你们来看看 谢谢", "report_problem"),
        ("打电话给网格员", "human"),
        ("让楼长给我回个电话 13912345678", "human"),
        ("PM2.5太高了，小区里烧垃圾", "report_problem"),
        ("接 T15", "task_accept"),
        ("报名 J12", "job_apply"),
    ],
)
def test_other_messages_keep_their_meaning(text: str, intent: str) -> None:
    assert understand(text, today=TODAY).intent == intent


def test_a_numeral_after_a_task_code_does_not_change_the_code() -> None:
    assert understand("接T15两份", today=TODAY).entities.get("task_code") == "T15"
