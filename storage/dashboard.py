"""The community's figures for the console dashboard (数据看板) over a range of China days:
problem reports raised in the range by category, grid and week (or month, for long
ranges), time to resolve, on-time rate and overdue counts by grid and by owner,
satisfaction by grid, volunteer hours and job placements. `grid_ids` None means every
grid; otherwise only those grids."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.clock import china_midnight, china_today, in_china
from storage.employment.figures import employment_figures
from storage.ledger_people import People
from storage.models import Grid, HoursEntry, ServiceRequest

WEEKS = 8
MAX_WEEK_BARS = 16  # longer ranges are shown by month
NO_GRID = "未登记住址"


@dataclass(frozen=True)
class DayRange:
    since: date
    until: date

    @property
    def start(self) -> datetime:
        return china_midnight(self.since)

    @property
    def end(self) -> datetime:
        return china_midnight(self.until + timedelta(days=1))

    @property
    def label(self) -> str:
        return span_label(self.since, self.until)


def default_range(now: datetime) -> DayRange:
    """The last WEEKS weeks (Monday to Sunday), this week included, up to today."""
    today = china_today(now)
    monday = today - timedelta(days=today.weekday())
    return DayRange(monday - timedelta(weeks=WEEKS - 1), today)


def day_label(day: date, *, year: bool = False) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if year else f"{day.month}月{day.day}日"


def span_label(first: date, last: date) -> str:
    """ "12月1日–12月7日"; one day is said once; the year when the span crosses one."""
    if first == last:
        return day_label(first)
    crosses = first.year != last.year
    return f"{day_label(first, year=crosses)}–{day_label(last, year=crosses)}"


def bars(rows: Sequence[tuple[str, int | float]]) -> list[dict[str, Any]]:
    """Rows for a bar chart: label, value and the bar's length in percent of the largest."""
    top = max((value for _label, value in rows), default=0) or 1
    return [
        {"label": label, "value": value, "pct": round(100 * value / top, 1)}
        for label, value in rows
    ]


def periods(span: DayRange) -> list[tuple[date, date, str]]:
    """Weeks (Monday–Sunday, cut to the range) or, for long ranges, calendar months."""
    out: list[tuple[date, date, str]] = []
    weekly = (span.until - span.since).days < 7 * MAX_WEEK_BARS
    first = span.since
    while first <= span.until:
        if weekly:
            last = min(first + timedelta(days=6 - first.weekday()), span.until)
            out.append((first, last, span_label(first, last)))
        else:
            following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
            last = min(following - timedelta(days=1), span.until)
            out.append((first, last, f"{first.year}年{first.month}月"))
        first = last + timedelta(days=1)
    return out


def _share(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def _grid_names(session: Session, grid_ids: Sequence[int] | None) -> list[tuple[int, str]]:
    rows = session.execute(select(Grid.id, Grid.name).order_by(Grid.id))
    return [(gid, name) for gid, name in rows if grid_ids is None or gid in grid_ids]


def _aware(value: datetime) -> datetime:
    return in_china(value)


def performance(rows: Iterable[ServiceRequest], now: datetime) -> dict[str, Any]:
    """On time, overdue and satisfaction of a group of requests."""
    resolved = on_time = overdue_open = late = 0
    ratings: list[int] = []
    for r in rows:
        if r.resolved_at is not None:
            resolved += 1
            if _aware(r.resolved_at) <= _aware(r.due_at):
                on_time += 1
            else:
                late += 1
        elif r.is_open and _aware(r.due_at) < _aware(now):
            overdue_open += 1
        if r.rating is not None:
            ratings.append(int(r.rating))
    return {
        "resolved": resolved,
        "on_time": on_time,
        "on_time_share": _share(on_time, resolved),
        "overdue_open": overdue_open,
        "late_resolved": late,
        "ratings": len(ratings),
        "satisfied_share": _share(sum(r >= 4 for r in ratings), len(ratings)),
        "rating_average": round(statistics.fmean(ratings), 2) if ratings else None,
    }


def request_figures(
    session: Session, grid_ids: Sequence[int] | None, now: datetime, span: DayRange
) -> dict[str, Any]:
    query = select(ServiceRequest).where(
        ServiceRequest.created_at >= span.start, ServiceRequest.created_at < span.end
    )
    if grid_ids is not None:
        query = query.where(ServiceRequest.grid_id.in_(list(grid_ids)))
    found = list(session.scalars(query.order_by(ServiceRequest.id)))
    people = People(session)

    categories: dict[str, int] = {}
    for r in found:
        categories[r.category] = categories.get(r.category, 0) + 1
    by_category = sorted(categories.items(), key=lambda item: (-item[1], item[0]))

    grids: list[tuple[str, list[ServiceRequest]]] = [
        (name, [r for r in found if r.grid_id == gid])
        for gid, name in _grid_names(session, grid_ids)
    ]
    unplaced = [r for r in found if r.grid_id is None]
    if grid_ids is None and unplaced:
        grids.append((NO_GRID, unplaced))

    owners: dict[str, list[ServiceRequest]] = {}
    for r in found:
        owners.setdefault(people.owner(r.owner_name, r.owner_staff_id), []).append(r)

    weeks = []
    for first, last, label in periods(span):
        low, high = china_midnight(first), china_midnight(last + timedelta(days=1))
        weeks.append((label, sum(low <= _aware(r.created_at) < high for r in found)))

    hours = [
        (_aware(r.resolved_at) - _aware(r.created_at)).total_seconds() / 3600
        for r in found
        if r.resolved_at is not None
    ]
    whole = performance(found, now)
    return {
        "total": len(found),
        "open": sum(r.is_open for r in found),
        "overdue": whole["overdue_open"],
        "by_category": bars(by_category),
        "by_grid": bars([(name, len(rows)) for name, rows in grids]),
        "by_week": bars(weeks),
        "resolved": whole["resolved"],
        "on_time_share": whole["on_time_share"],
        "median_resolve_hours": round(statistics.median(hours), 1) if hours else None,
        "ratings": whole["ratings"],
        "satisfied_share": whole["satisfied_share"],
        "rating_average": whole["rating_average"],
        "grids": [
            {"label": name, "total": len(rows), **performance(rows, now)} for name, rows in grids
        ],
        "owners": [
            {"label": name, "total": len(rows), **performance(rows, now)}
            for name, rows in sorted(owners.items(), key=lambda item: -len(item[1]))
        ],
    }


def volunteer_figures(
    session: Session, grid_ids: Sequence[int] | None, span: DayRange
) -> dict[str, Any]:
    """Hours credited in the range, in total and by grid (corrections included)."""
    query = select(HoursEntry.grid_id, func.sum(HoursEntry.minutes)).where(
        HoursEntry.created_at >= span.start, HoursEntry.created_at < span.end
    )
    if grid_ids is not None:
        query = query.where(HoursEntry.grid_id.in_(list(grid_ids)))
    rows = dict(session.execute(query.group_by(HoursEntry.grid_id)).all())
    by_grid = [
        (name, round(int(rows.get(gid) or 0) / 60, 1))
        for gid, name in _grid_names(session, grid_ids)
    ]
    total_minutes = sum(int(m or 0) for m in rows.values())
    return {"hours": round(total_minutes / 60, 1), "by_grid": bars(by_grid)}


def dashboard_figures(
    session: Session,
    grid_ids: Sequence[int] | None,
    now: datetime,
    span: DayRange | None = None,
) -> dict[str, Any]:
    span = span or default_range(now)
    jobs = employment_figures(session)
    return {
        "range": {
            "since": span.since.isoformat(),
            "until": span.until.isoformat(),
            "label": span.label,
        },
        "requests": request_figures(session, grid_ids, now, span),
        "volunteers": volunteer_figures(session, grid_ids, span),
        "jobs": {
            "placements": jobs["placements"],
            "zero_employment_households": jobs["zero_employment_households"],
            "seekers": jobs["people"],
        },
    }
