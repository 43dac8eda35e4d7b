"""Time expressions for meal orders: 明天中午, 今天晚饭, 后天早上, 12点前.

Works on normalised text (numerals already converted).  Returns the ISO date,
the meal slot (breakfast/lunch/dinner) and the matched text.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

# China has kept UTC+8 without daylight saving since 1991.
CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")


def china_today() -> date:
    """Today's date in China (a fallback: callers should pass their clock's)."""
    return datetime.now(CHINA).date()


_DAY = {
    "今天": 0,
    "今日": 0,
    "今儿": 0,
    "今": 0,
    "明天": 1,
    "明日": 1,
    "明儿": 1,
    "明": 1,
    "后天": 2,
    "后日": 2,
    "大后天": 3,
}
_SLOT = {
    "早饭": "breakfast",
    "早餐": "breakfast",
    "早上": "breakfast",
    "早晨": "breakfast",
    "上午": "breakfast",
    "早": "breakfast",
    "早点": "breakfast",
    "中午": "lunch",
    "午饭": "lunch",
    "午餐": "lunch",
    "中饭": "lunch",
    "晌午": "lunch",
    "晌午饭": "lunch",
    "响午": "lunch",
    "晚饭": "dinner",
    "晚餐": "dinner",
    "晚上": "dinner",
    "傍晚": "dinner",
    "晚": "dinner",
    "夜饭": "dinner",
    "下午": "dinner",
}
_WEEKDAY = {
    "一": 0,
    "1": 0,
    "二": 1,
    "2": 1,
    "三": 2,
    "3": 2,
    "四": 3,
    "4": 3,
    "五": 4,
    "5": 4,
    "六": 5,
    "6": 5,
    "日": 6,
    "天": 6,
    "7": 6,
}

_DAY_RE = re.compile(r"大后天|后天|后日|明天|明日|明儿|今天|今日|今儿")
_COMBO_RE = re.compile(r"(今|明)(早|晚)(?!点)")
# 周三 / 下周一 / 下个星期天 / 这周末 (not 上周X: meals are never ordered for the past)
_WEEK_RE = re.compile(r"(?<!上)(下个?|这个?|本)?(?:周|星期|礼拜)([一二三四五六日天1-7]|末)")
_SLOT_RE = re.compile("|".join(sorted((k for k in _SLOT if len(k) > 1), key=len, reverse=True)))
_HOUR_RE = re.compile(r"(?<!\d)(\d{1,2})点(?:半|钟)?(前|之前|以前)?")


def _slot_for_hour(h: int, pm: bool) -> str | None:
    if pm and h < 12:
        h += 12
    if 5 <= h <= 9:
        return "breakfast"
    if 10 <= h <= 14:
        return "lunch"
    if 15 <= h <= 21:
        return "dinner"
    return None


def _week_offset(today: date, day: str, next_week: bool) -> int:
    """Days from ``today`` to 周X (the coming X, today included) or 下周X (X of
    next calendar week); 周末 is Saturday, or today when today is a weekend day."""
    weekday = today.weekday()
    if next_week:
        return 7 - weekday + (5 if day == "末" else _WEEKDAY[day])
    if day == "末":
        return 0 if weekday >= 5 else 5 - weekday
    return (_WEEKDAY[day] - weekday) % 7


def extract_when(s: str, today: date) -> dict[str, str]:
    spans: list[tuple[int, int]] = []
    offset = None
    slot = None
    m = _DAY_RE.search(s)
    if m:
        offset = _DAY[m.group()]
        spans.append(m.span())
    m = _COMBO_RE.search(s)
    if m:
        offset = _DAY[m.group(1)] if offset is None else offset
        slot = _SLOT[m.group(2)]
        spans.append(m.span())
    if offset is None:
        m = _WEEK_RE.search(s)
        if m:
            offset = _week_offset(today, m.group(2), (m.group(1) or "").startswith("下"))
            spans.append(m.span())
    m = _SLOT_RE.search(s)
    if m and slot is None:
        slot = _SLOT[m.group()]
        spans.append(m.span())
    m = _HOUR_RE.search(s)
    if m:
        h = int(m.group(1))
        context = s[max(0, m.start() - 3) : m.start()]
        pm = any(w in context for w in ("下午", "晚上", "傍晚"))
        if m.group(2) or slot is not None or offset is not None or pm:
            hour_slot = _slot_for_hour(h, pm)
            if hour_slot and (slot is None or slot == "dinner" and hour_slot == "dinner"):
                slot = hour_slot
            spans.append(m.span())
    if not spans:
        return {}
    out: dict[str, str] = {}
    start, end = min(a for a, _ in spans), max(b for _, b in spans)
    out["when_text"] = (
        s[start:end] if end - start <= 12 else "".join(s[a:b] for a, b in sorted(spans))
    )
    if offset is not None or slot is not None:
        out["when_date"] = (today + timedelta(days=offset or 0)).isoformat()
    if slot:
        out["when_slot"] = slot
    return out
