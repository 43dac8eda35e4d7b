"""Chinese numerals in addresses, codes, times and counts -> Arabic digits.

Only numerals that are clearly numbers are converted: a run followed by a
counter word (三号楼, 十二栋, 两份, 七点), or a digit-by-digit run of three or
more characters (三零二, 幺零一).  Words such as 一般, 一直, 十分满意 or
快一点 are left alone.
"""

from __future__ import annotations

import re

_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "幺": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
# Longer runs are not numbers (room numbers, phones and codes are shorter);
# they are left alone rather than turned into thousands of digits.
MAX_RUN = 20
_RUN = re.compile(r"[零〇一幺二两三四五六七八九十百千]+")

# Words after a numeral that make it a number.  Longest first.
COUNTERS = tuple(
    sorted(
        (
            "号楼",
            "号院",
            "号",
            "栋",
            "幢",
            "座",
            "单元",
            "楼",
            "层",
            "室",
            "户",
            "门",
            "点",
            "分",
            "星",
            "颗",
            "份",
            "个",
            "岁",
            "块",
            "元",
            "天",
            "周",
            "月",
            "日",
            "次",
            "期",
            "区",
            "排",
            "斤",
            "年",
            "人",
            "碗",
            "盒",
            "位",
            "口",
            "间",
            "套",
            "辆",
            "家",
            "十",
            "多",
            "来",
            "小时",
            "#",
            "-",
        ),
        key=len,
        reverse=True,
    )
)


def parse_chinese_number(run: str) -> int | None:
    """Value of a Chinese numeral run, or None if it is not well formed
    (or longer than any number a resident writes)."""
    if not run or len(run) > MAX_RUN:
        return None
    if not any(c in "十百千" for c in run):
        return int("".join(str(_DIGITS[c]) for c in run))
    total, current = 0, 0
    units = {"十": 10, "百": 100, "千": 1000}
    for i, c in enumerate(run):
        if c in units:
            mult = units[c]
            if current == 0:
                if i == 0 and c == "十":
                    current = 1
                else:
                    return None
            total += current * mult
            current = 0
        else:
            d = _DIGITS[c]
            if current and d:
                return None  # two digits in a row inside a positional number
            current = d
    return total + current


def _replace(m: re.Match) -> str:
    run = m.group()
    if len(run) > MAX_RUN:
        return run  # 一二三四五… as a chant or spam, not a number
    after = m.string[m.end() : m.end() + 2]
    digit_style = not any(c in "十百千" for c in run)
    counter = after.startswith(COUNTERS)
    if run == "十" and after.startswith("分"):
        return run  # 十分 = "very"
    if run == "一" and after[:1] in ("点", "个", "块", "家", "门", "口", "人"):
        return run  # 一点儿 / 一个 / 一家人 ... keep idioms intact
    if run in ("两",) and not counter:
        return run
    if counter and run[-1] in "十" and after.startswith("十"):
        return run
    if counter or (digit_style and len(run) >= 3):
        value = parse_chinese_number(run)
        if value is None:
            return run
        digits = "".join(str(_DIGITS[c]) for c in run) if digit_style else str(value)
        # After a code or number ("P1两位", "T15两份"), keep the new digits apart so that
        # they do not run into it (P12, T152).
        before = m.string[m.start() - 1 : m.start()]
        return (
            f" {digits}" if before.isascii() and before.isalnum() else digits
        )  # leading zeros kept
    return run


def convert_numerals(text: str) -> str:
    """Replace Chinese numerals that denote numbers with Arabic digits."""
    return _RUN.sub(_replace, text)
