"""The working calendar: when staff work, so that deadlines of non-urgent work fall in it.

Working time is the community's office hours (`Community.office_hours`, e.g. "工作日
8:30-17:30"; several ranges are understood: "周一至周五 8:30-12:00，14:00-17:30") on working
days. A working day is Monday–Friday (or the days the office hours name) unless the day
rules say otherwise: the State Council's yearly notice (放假 / 调休上班) ships in
storage/data/holidays.json; a file named by SHEQU_CALENDAR (Settings.calendar_file) in the
same format is laid over it — next year's notice before a release ships it, or a
community's own closure days under "communities": {"<community code>": {...}}.

Everything is China time (storage.clock.CHINA) whatever the server's TZ; results are aware
UTC, like every stored time.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from storage.clock import CHINA, in_china
from storage.models import Community

log = logging.getLogger(__name__)

SHIPPED_DAYS = Path(__file__).with_name("data") / "holidays.json"
DEFAULT_HOURS = "工作日 8:30-17:30"
DEFAULT_PERIODS = ((time(8, 30), time(17, 30)),)
MONDAY_TO_FRIDAY = frozenset(range(5))
# add_working_hours gives up after this many days without working time (a calendar with
# no working day at all is a configuration error, not a reason to loop forever).
MAX_SEARCH_DAYS = 400

_RANGE = re.compile(r"(\d{1,2})[:：](\d{2})\s*[-–—~～至到]\s*(\d{1,2})[:：](\d{2})")
_DAY_NAMES = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_DAY_RANGE = re.compile(
    r"(?:周|星期)([一二三四五六日天])\s*[至到\-–—~～]\s*(?:周|星期)?([一二三四五六日天])"
)
_warned_years: set[int] = set()


@dataclass(frozen=True)
class DayRules:
    """Holidays (no work although a weekday) and make-up working days (调休上班)."""

    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    years: frozenset[int] = frozenset()

    def over(self, base: DayRules) -> DayRules:
        """These rules laid over `base`: a day named here wins."""
        return DayRules(
            holidays=(base.holidays - self.workdays) | self.holidays,
            workdays=(base.workdays - self.holidays) | self.workdays,
            years=base.years | self.years,
        )


@dataclass(frozen=True)
class WorkCalendar:
    periods: tuple[tuple[time, time], ...] = DEFAULT_PERIODS
    weekdays: frozenset[int] = MONDAY_TO_FRIDAY
    days: DayRules = field(default_factory=DayRules)

    @property
    def day_hours(self) -> float:
        """Working hours in one working day (9 for 8:30–17:30)."""
        return sum(_hours_between(start, end) for start, end in self.periods)

    def is_working_day(self, day: date) -> bool:
        if self.days.years and day.year not in self.days.years and day.year not in _warned_years:
            _warned_years.add(day.year)
            log.warning("no holiday data for %s: counting Monday–Friday only", day.year)
        if day in self.days.workdays:
            return True
        if day in self.days.holidays:
            return False
        return day.weekday() in self.weekdays

    def _spans(self, day: date) -> list[tuple[datetime, datetime]]:
        return [
            (datetime.combine(day, start, CHINA), datetime.combine(day, end, CHINA))
            for start, end in self.periods
        ]

    def is_working_time(self, moment: datetime) -> bool:
        local = in_china(moment)
        if not self.is_working_day(local.date()):
            return False
        return any(start <= local < end for start, end in self._spans(local.date()))

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """The moment `hours` of working time after `start` (0 → the next working moment).
        Time running out exactly at a closing time gives the closing time (17:30)."""
        if hours < 0:
            raise ValueError("working hours cannot be negative")
        remaining = timedelta(hours=hours)
        cursor = in_china(start)
        day = cursor.date()
        for _ in range(MAX_SEARCH_DAYS):
            if self.is_working_day(day):
                for opens, closes in self._spans(day):
                    if closes <= cursor:
                        continue
                    begin = max(opens, cursor)
                    if remaining <= closes - begin:
                        return (begin + remaining).astimezone(UTC)
                    remaining -= closes - begin
            day += timedelta(days=1)
        raise ValueError(f"no working time within {MAX_SEARCH_DAYS} days: check the calendar")

    def next_working_moment(self, moment: datetime) -> datetime:
        """`moment` itself if it is working time, else when working time next begins."""
        if self.is_working_time(moment):
            return in_china(moment).astimezone(UTC)
        return self.add_working_hours(moment, 0)


def _hours_between(start: time, end: time) -> float:
    return (end.hour * 60 + end.minute - start.hour * 60 - start.minute) / 60


def parse_office_hours(text: str) -> tuple[tuple[tuple[time, time], ...], frozenset[int]]:
    """(periods, weekdays) of an office-hours text; what it does not say stays the default.

    Only one weekly pattern is understood: the first day range ("周一至周五") and every
    time range ("8:30-12:00，14:00-17:30")."""
    periods: list[tuple[time, time]] = []
    for h1, m1, h2, m2 in _RANGE.findall(text or ""):
        try:
            start, end = time(int(h1), int(m1)), time(int(h2), int(m2))
        except ValueError:
            continue
        if start < end:
            periods.append((start, end))
    merged: list[tuple[time, time]] = []
    for start, end in sorted(periods):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    weekdays = MONDAY_TO_FRIDAY
    found = _DAY_RANGE.search(text or "")
    if found:
        first, last = _DAY_NAMES[found.group(1)], _DAY_NAMES[found.group(2)]
        if first <= last:
            weekdays = frozenset(range(first, last + 1))
    return (tuple(merged) or DEFAULT_PERIODS), weekdays


def _days(items: Any, where: str) -> frozenset[date]:
    """Dates written as "2026-10-01" or as a range "2026-10-01..2026-10-07"."""
    if not isinstance(items, list):
        raise ValueError(f"{where}: expected a list of dates")
    found: set[date] = set()
    for item in items:
        first, _sep, last = str(item).partition("..")
        try:
            start = date.fromisoformat(first.strip())
            end = date.fromisoformat(last.strip()) if last else start
        except ValueError as exc:
            raise ValueError(f"{where}: not a date or range: {item!r}") from exc
        if end < start or (end - start).days > 366:
            raise ValueError(f"{where}: bad range {item!r}")
        found.update(start + timedelta(days=n) for n in range((end - start).days + 1))
    return frozenset(found)


def _rules(data: dict[str, Any], where: str) -> DayRules:
    holidays = _days(data.get("holidays", []), f"{where} holidays")
    workdays = _days(data.get("workdays", []), f"{where} workdays")
    if holidays & workdays:
        raise ValueError(f"{where}: a day is both holiday and workday: {min(holidays & workdays)}")
    years = frozenset(int(y) for y in data.get("years", [])) or frozenset(
        d.year for d in holidays | workdays
    )
    return DayRules(holidays, workdays, years)


@dataclass(frozen=True)
class DayFile:
    general: DayRules
    communities: dict[str, DayRules]


def read_day_file(path: Path) -> DayFile:
    """Parse a holidays file; ValueError names what is wrong."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected an object")
    communities = data.get("communities", {})
    if not isinstance(communities, dict):
        raise ValueError(f"{path}: communities must map a community code to its days")
    return DayFile(
        _rules(data, str(path)),
        {str(code): _rules(rules, f"{path} {code}") for code, rules in communities.items()},
    )


_override: DayFile | None = None


def configure(path: Path | None) -> None:
    """Lay the file at `path` over the shipped days (None: shipped days only). Called once
    per process with Settings.calendar_file; a bad file fails loudly here."""
    global _override
    _override = read_day_file(path) if path is not None else None
    _build.cache_clear()


@lru_cache(maxsize=1)
def _shipped() -> DayFile:
    return read_day_file(SHIPPED_DAYS)


@lru_cache(maxsize=64)
def _build(office_hours: str, community_code: str | None) -> WorkCalendar:
    shipped = _shipped()
    rules = shipped.general
    if _override is not None:
        rules = _override.general.over(rules)
    for layer in (shipped, _override):
        if layer is not None and community_code in layer.communities:
            rules = layer.communities[community_code].over(rules)
    periods, weekdays = parse_office_hours(office_hours)
    return WorkCalendar(periods, weekdays, rules)


def default_calendar() -> WorkCalendar:
    return _build(DEFAULT_HOURS, None)


def calendar_for(session: Session, community_id: int | None) -> WorkCalendar:
    """The community's calendar: its office hours and day rules."""
    community = session.get(Community, community_id) if community_id is not None else None
    if community is None:
        return default_calendar()
    return _build(community.office_hours or DEFAULT_HOURS, community.code)


def add_working_hours(
    start: datetime, hours: float, calendar: WorkCalendar | None = None
) -> datetime:
    return (calendar or default_calendar()).add_working_hours(start, hours)


def next_working_moment(moment: datetime, calendar: WorkCalendar | None = None) -> datetime:
    return (calendar or default_calendar()).next_working_moment(moment)


def is_working_time(moment: datetime, calendar: WorkCalendar | None = None) -> bool:
    return (calendar or default_calendar()).is_working_time(moment)
