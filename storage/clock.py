"""One clock for the whole service, and China time for everything residents read or write.

Stored times are aware UTC. Anything a resident or staff member reads (今天/明天, meal slots,
deadlines) is Asia/Shanghai, whatever the server's TZ. The clock is injectable so that
tests and dialogue stories move time without sleeping.
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    """A clock that moves only when told (tests, stories)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FrozenClock needs an aware datetime")
        self._now = start.astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def set(self, moment: datetime) -> None:
        with self._lock:
            self._now = moment.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        with self._lock:
            self._now += delta


_clock: Clock = SystemClock()


def get_clock() -> Clock:
    return _clock


def set_clock(clock: Clock | None) -> None:
    """Install a clock process-wide (stories and tests); None restores the system clock."""
    global _clock
    _clock = clock or SystemClock()


def now() -> datetime:
    return _clock.now()


def in_china(moment: datetime) -> datetime:
    """The same instant on China's wall clock (naive values are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(CHINA)


def china_today(moment: datetime | None = None) -> date:
    return in_china(moment or now()).date()


def china_midnight(day: date) -> datetime:
    """The UTC instant at which `day` begins in China."""
    return datetime(day.year, day.month, day.day, tzinfo=CHINA).astimezone(UTC)
