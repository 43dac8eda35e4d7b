"""Normalisation: width, script, numerals, typos, fillers, whitespace."""

import pytest

from nlp import normalize
from nlp.numerals import convert_numerals, parse_chinese_number


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("ｔ１５", "T15"),  # full-width -> half-width, upper-case
        ("８＃１－４０２", "8#1-402"),
        ("樓道燈不亮了", "楼道灯不亮了"),  # traditional -> simplified
        ("電梯壞了", "电梯坏了"),
        ("三号楼", "3号楼"),
        ("十二栋", "12栋"),
        ("二十一号楼", "21号楼"),
        ("一单元三零二", "1单元302"),
        ("幺零一室", "101室"),
        ("电悌坏了", "电梯坏了"),  # typos and homophones
        ("楼到灯坏了", "楼道灯坏了"),
        ("嗯 那个 电梯 啊 就是 坏了", "电梯坏了"),  # voice-transcript fillers
        ("接 T15", "接T15"),
    ],
)
def test_normalize(raw, expected):
    assert normalize(raw) == expected


@pytest.mark.parametrize("text", ["一般", "一直", "十分满意", "快一点", "十几度", "第一"])
def test_words_that_merely_contain_numerals_stay(text):
    assert convert_numerals(text) == text


@pytest.mark.parametrize(
    "run, value",
    [
        ("三", 3),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("二十一", 21),
        ("一百零一", 101),
        ("三零二", 302),
        ("幺幺零", 110),
    ],
)
def test_parse_chinese_number(run, value):
    assert parse_chinese_number(run) == value


def test_normalize_empty():
    assert normalize("") == ""
    assert normalize("   ") == ""
