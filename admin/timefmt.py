"""Times as staff read them: China Standard Time (UTC+8, no daylight saving)."""

from __future__ import annotations

from datetime import datetime

from fastapi import HTTPException

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


def parse_local(value: str, error: str = "时间格式不对，如 2026-11-25 18:00") -> datetime:
    """A datetime-local form value ("2026-11-25T18:00") in China time, or ISO with a zone;
    400 with `error` when it is not a time."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise HTTPException(status_code=400, detail=error) from exc
    return parsed.replace(tzinfo=CST) if parsed.tzinfo is None else parsed


def require_aware(value: datetime) -> datetime:
    """A JSON API time must carry its zone: a bare time would be read in the server's."""
    if value.tzinfo is None:
        raise HTTPException(status_code=400, detail="时间须带时区，如 2026-11-25T18:00+08:00")
    return value
