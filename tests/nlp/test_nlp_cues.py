"""The small cues the conversation layer asks about one message."""

import pytest

import nlp
from nlp import (
    is_affirmation,
    is_completion_cue,
    is_dissatisfied,
    is_emergency,
    is_negation,
    is_satisfied,
    is_status_cue,
)


@pytest.mark.parametrize(
    "text",
    [
        "有人管吗",
        "我的报修有人管吗 都三天了",
        "怎么样了",
        "咋还没修",
        "都三天了没人来",
        "進展怎麼樣了",
        "上周反映的路灯修了没",
        "都半个月了",
        "还要等多久",
    ],
)
def test_status_cues(text):
    assert is_status_cue(text)


@pytest.mark.parametrize("text", ["电梯坏了", "3号楼楼道灯不亮", "满意", "你好", ""])
def test_not_status_cues(text):
    assert not is_status_cue(text)


@pytest.mark.parametrize(
    "text",
    [
        "不满意",
        "不满意，电梯还是咯噔咯噔响",
        "还是不行",
        "没修好",
        "没解决",
        "又坏了",
        "还是响",
        "谢谢 但是还是漏水",
        "修了跟没修一样",
    ],
)
def test_dissatisfied(text):
    assert is_dissatisfied(text)
    assert not is_satisfied(text)


@pytest.mark.parametrize("text", ["满意", "非常满意 谢谢师傅", "修好了", "挺好的", "不错"])
def test_satisfied(text):
    assert is_satisfied(text)
    assert not is_dissatisfied(text)


@pytest.mark.parametrize("text", ["您满不满意", "修好了吗", "好了没有", "电梯坏了"])
def test_neither_satisfied_nor_dissatisfied(text):
    assert not is_satisfied(text)
    assert not is_dissatisfied(text)


@pytest.mark.parametrize(
    "text",
    ["送到了", "交到老人手上了", "已送达", "放门口了", "已经给大爷了", "饭已经交给王奶奶了"],
)
def test_completion(text):
    assert is_completion_cue(text)


@pytest.mark.parametrize(
    "text",
    ["送到了吗", "还没送到", "饭送到了吗 我妈还没吃上", "已经给你们打过电话了", "我去送"],
)
def test_not_completion(text):
    assert not is_completion_cue(text)


@pytest.mark.parametrize(
    "text",
    [
        "好",
        "好的",
        "好的我去",
        "好的，我去送吧",
        "嗯",
        "嗯嗯",
        "ok",
        "OK",
        "没问题",
        "这单我接",
        "我来送",
        "行",
    ],
)
def test_affirmation(text):
    assert is_affirmation(text)
    assert not is_negation(text)


@pytest.mark.parametrize(
    "text",
    ["不", "不行", "算了", "没空", "我去不了", "不用了", "今天有事 来不了", "不好意思 我送不了"],
)
def test_negation(text):
    assert is_negation(text)
    assert not is_affirmation(text)


@pytest.mark.parametrize(
    "text", ["我", "电梯坏了", "不错", "不客气", "是不是漏气了", "有没有人", "我想当志愿者"]
)
def test_neither_yes_nor_no(text):
    assert not is_affirmation(text)
    assert not is_negation(text)


@pytest.mark.parametrize(
    "text, kind",
    [
        ("电梯困人了，快来人", "elevator"),
        ("电梯卡住了 里面有人", "elevator"),
        ("電梯困人了", "elevator"),
        ("厨房有煤气味", "gas"),
        ("1号楼3单元燃气表那有一股味 是不是漏气了", "gas"),
        ("着火了 快来", "fire"),
        ("楼道里冒烟了", "fire"),
        ("插座冒火花了", "electric"),
        ("水管爆了 水漫了一地", "water"),
        ("我妈在家摔倒了", "injury"),
        ("隔壁老人晕倒了", "injury"),
    ],
)
def test_emergency_kind(text, kind):
    assert is_emergency(text) == kind


@pytest.mark.parametrize(
    "text",
    [
        "电梯坏了",
        "没着火 就是有点烟味",
        "防止电动车充电着火",
        "前几天新闻上说别的小区电动车充电着火烧死人了",
        "昨天电梯困人了 到现在没人解释",
        "消防通道被堵了",
        "灭火器过期了",
        "",
    ],
)
def test_not_an_emergency(text):
    assert is_emergency(text) is None


def test_cues_are_exported_and_pure_on_odd_input():
    for name in (
        "is_status_cue",
        "is_dissatisfied",
        "is_satisfied",
        "is_completion_cue",
        "is_affirmation",
        "is_negation",
        "is_emergency",
    ):
        fn = getattr(nlp, name)
        for text in ("", "\ud800", "一二三四五六七八九零" * 600, "😀" * 5000, None):
            result = fn(text)
            assert result is None or isinstance(result, bool | str)
