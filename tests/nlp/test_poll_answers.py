"""Poll replies as elderly residents type them: numbers in digits or Chinese, 第二个, 选2,
an option's own words, 5分 / 五分, score words (挺好的, 一般, 太差了); stop words; and which
worded answers are complaints that a person should follow up."""

from __future__ import annotations

import pytest

from nlp.poll_answers import is_complaint, parse_choice, parse_score, wants_opt_out, wants_to_stop

OPTIONS = ["满意", "一般", "不满意"]


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("2", 2),
        ("２", 2),
        ("二", 2),
        ("第二个", 2),
        ("第2个吧", 2),
        ("选2", 2),
        ("两", 2),
        ("3。", 3),
        ("不满意", 3),
        ("还是一般般吧", 2),
        ("满意的", 1),
    ],
)
def test_choice_read_loosely(text: str, number: int) -> None:
    parsed = parse_choice(text, OPTIONS)
    assert parsed.ok and parsed.number == number


@pytest.mark.parametrize("text", ["4", "十", "嗯嗯", "", "我住3号楼2单元501"])
def test_choice_not_guessed(text: str) -> None:
    assert not parse_choice(text, OPTIONS).ok


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("5", 5),
        ("5分", 5),
        ("五分", 5),
        ("打4分", 4),
        ("4星", 4),
        ("挺好的", 4),
        ("非常满意", 5),
        ("一般", 3),
        ("还行吧", 3),
        ("不太好", 2),
        ("不满意", 2),
        ("太差了", 1),
        ("很差", 1),
    ],
)
def test_score_read_loosely(text: str, score: int) -> None:
    parsed = parse_score(text)
    assert parsed.ok and parsed.number == score


@pytest.mark.parametrize("text", ["6分", "0", "嗯", "12"])
def test_score_out_of_range_is_not_taken(text: str) -> None:
    assert not parse_score(text).ok


@pytest.mark.parametrize("text", ["停止", "不答了", "不想回答了", "别问了", "退订"])
def test_stop(text: str) -> None:
    assert wants_to_stop(text)


def test_opt_out_only_for_unsubscribe_words() -> None:
    assert wants_opt_out("退订") and wants_opt_out("以后别发了")
    assert not wants_opt_out("不答了")
    assert not wants_to_stop("5分") and not wants_to_stop("挺好的")


@pytest.mark.parametrize(
    "text", ["楼道灯坏了没人管", "家里水管漏水", "楼下路灯不亮，晚上出门不方便", "想请人帮忙买菜"]
)
def test_complaints(text: str) -> None:
    assert is_complaint(text)


@pytest.mark.parametrize("text", ["没有", "没有问题", "都挺好，谢谢", "不需要帮忙", "很好"])
def test_not_complaints(text: str) -> None:
    assert not is_complaint(text)
