"""Times as staff read them: China Standard Time (UTC+8, no daylight saving)."""

from __future__ import annotations

from datetime import datetime

from storage.clock import CHINA, china_midnight, china_today, in_china

CST = CHINA  # the name other modules import; China time is defined once, in storage.clock


def local_time(value: datetime | None) -> str:
    if value is None:
        return ""
    return in_china(value).strftime("%Y-%m-%d %H:%M")


def start_of_today(now: datetime) -> datetime:
    """Midnight of the local day containing `now`, as an aware UTC datetime."""
    return china_midnight(china_today(now))


def age_label(since: datetime, now: datetime) -> str:
    seconds = max(0, int((now - since).total_seconds()))
    if seconds < 60:
        return "刚刚"
    if seconds < 3600:
        return f"{seconds // 60}分钟前"
    if seconds < 86400:
        return f"{seconds // 3600}小时前"
    return f"{seconds // 86400}天前"
