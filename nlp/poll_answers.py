"""Reading a resident's answer to one poll question, loosely: 「2」「二」「第二个」「选2」,
an option's own words, 「5分」「五分」, 「挺好的」「一般」「太差了」; and whether the reply
means "stop asking me" (停止 / 不答了 / 不想答) or a complaint in words.

Pure text in, value out: the caller knows the question (its kind and options)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlp.normalize import normalize

_DIGIT = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_NUMBER = re.compile(r"(?:第|选|选择|选第)?\s*([1-9])\s*(?:个|项|号|条|种|分|星)?")
_LONE_CN = re.compile(r"^(?:第|选)?([一二两三四五六七八九])(?:个|项|号|分|星)?(?:吧|啊|呀|的)?$")

# Words a resident uses for a score, strongest first (checked in this order).
_SCORE_WORDS: tuple[tuple[str, int], ...] = (
    ("非常不满意", 1),
    ("很不满意", 1),
    ("特别差", 1),
    ("非常差", 1),
    ("太差", 1),
    ("很差", 1),
    ("极差", 1),
    ("不满意", 2),
    ("不太满意", 2),
    ("不太好", 2),
    ("不好", 2),
    ("较差", 2),
    ("差", 2),
    ("非常满意", 5),
    ("很满意", 5),
    ("非常好", 5),
    ("特别好", 5),
    ("很好", 5),
    ("太好了", 5),
    ("一般", 3),
    ("还行", 3),
    ("还可以", 3),
    ("凑合", 3),
    ("马马虎虎", 3),
    ("过得去", 3),
    ("挺好", 4),
    ("满意", 4),
    ("比较好", 4),
    ("不错", 4),
    ("好", 4),
)

_STOP_WORDS = (
    "停止",
    "不答了",
    "不答",
    "不想答",
    "不回答",
    "不想回答",
    "别问了",
    "不要问了",
    "不参加",
    "不做了",
    "不填了",
    "结束",
)
_OPT_OUT_WORDS = ("退订", "以后别发", "不要再发", "别再发")

_COMPLAINT_WORDS = (
    "不满意",
    "投诉",
    "没人管",
    "没人来",
    "不管",
    "太差",
    "很差",
    "坏了",
    "漏水",
    "太吵",
    "脏",
    "臭",
    "不行",
    "问题",
    "希望",
    "麻烦",
    "没修",
    "没解决",
    "困难",
    "需要帮",
    "帮忙",
    "帮我",
    "不亮",
    "不方便",
    "不干净",
    "不能用",
    "不通",
    "不灵",
    "堵",
    "坏",
    "乱",
    "吵",
    "担心",
)
# Phrases that contain a complaint word but say all is well.
_FINE_PHRASES = (
    "没问题",
    "没有问题",
    "没什么问题",
    "没啥问题",
    "不需要帮忙",
    "不用帮忙",
    "不用麻烦",
    "不麻烦",
    "不用担心",
)


@dataclass(frozen=True)
class Parsed:
    """A number (option 1..n or a score 1..5) or words; `ok` False when nothing fits."""

    ok: bool
    number: int | None = None
    text: str | None = None


NOTHING = Parsed(ok=False)


def _clean(text: str) -> str:
    return normalize(text).strip().strip("。.!！~～，,、 ")


def wants_to_stop(text: str) -> bool:
    s = _clean(text)
    return any(w in s for w in _STOP_WORDS) or wants_opt_out(text)


def wants_opt_out(text: str) -> bool:
    s = _clean(text)
    return any(w in s for w in _OPT_OUT_WORDS)


def _number(s: str, top: int) -> int | None:
    lone = _LONE_CN.match(s)
    if lone:
        value = _DIGIT[lone.group(1)]
        return value if 1 <= value <= top else None
    digits = re.findall(r"[0-9]+", s)
    if len(digits) == 1 and len(s) <= 8:
        value = int(digits[0])
        return value if 1 <= value <= top else None
    return None


def parse_choice(text: str, options: list[str]) -> Parsed:
    """An option by its number (1 to len(options)) or by its words."""
    s = _clean(text)
    if not s:
        return NOTHING
    number = _number(s, len(options))
    if number is not None:
        return Parsed(ok=True, number=number)
    named = [i for i, option in enumerate(options, 1) if option and option in s]
    if len(named) == 1:
        return Parsed(ok=True, number=named[0])
    if len(named) > 1:  # 「不满意」 contains 「满意」: the longest option named wins
        longest = max(named, key=lambda i: len(options[i - 1]))
        return Parsed(ok=True, number=longest)
    return NOTHING


def parse_score(text: str) -> Parsed:
    """A score from 1 to 5: 「5」「五分」「4星」 or words such as 挺好的 (4), 一般 (3)."""
    s = _clean(text)
    if not s:
        return NOTHING
    number = _number(s, 5)
    if number is not None:
        return Parsed(ok=True, number=number)
    for word, score in _SCORE_WORDS:
        if word in s:
            return Parsed(ok=True, number=score, text=s if len(s) > len(word) + 2 else None)
    return NOTHING


def parse_words(text: str) -> Parsed:
    s = text.strip()
    return Parsed(ok=True, text=s[:1000]) if s else NOTHING


def is_complaint(text: str) -> bool:
    """Words that ask for something to be done or say something is wrong."""
    s = _clean(text)
    if s in {"没有", "没", "无", "没意见", "没有意见", "都挺好", "挺好", "很好", "没什么"}:
        return False
    for fine in _FINE_PHRASES:
        s = s.replace(fine, "")
    return any(w in s for w in _COMPLAINT_WORDS)
