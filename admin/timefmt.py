"""Times as staff read them: China Standard Time (UTC+8, no daylight saving)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

CST = timezone(timedelta(hours=8), "CST")


def local_time(value: datetime | None) -> str:
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(CST).strftime("%Y-%m-%d %H:%M")


def start_of_today(now: datetime) -> datetime:
    """Midnight of the local day containing `now`, as an aware UTC datetime."""
    local = now.astimezone(CST)
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)


def age_label(since: datetime, now: datetime) -> str:
    seconds = max(0, int((now - since).total_seconds()))
    if seconds < 60:
        return "刚刚"
    if seconds < 3600:
        return f"{seconds // 60}分钟前"
    if seconds < 86400:
        return f"{seconds // 3600}小时前"
    return f"{seconds // 86400}天前"
