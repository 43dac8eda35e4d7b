"""The community's figures for the console dashboard (数据看板): problem reports by
category, grid and ISO week, time to resolve, overdue items, satisfaction, volunteer
hours and job placements. `grid_ids` None means every grid; otherwise only those grids."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.employment.figures import employment_figures
from storage.models import Grid, HoursEntry, ServiceRequest
from storage.requests.rules import CST

WEEKS = 8


def bars(rows: Sequence[tuple[str, int | float]]) -> list[dict[str, Any]]:
    """Rows for a bar chart: label, value and the bar's width in percent of the largest."""
    top = max((value for _label, value in rows), default=0) or 1
    return [
        {"label": label, "value": value, "pct": round(100 * value / top, 1)}
        for label, value in rows
    ]


def _scoped(query: Any, column: Any, grid_ids: Sequence[int] | None) -> Any:
    return query if grid_ids is None else query.where(column.in_(list(grid_ids)))


def _grid_names(session: Session, grid_ids: Sequence[int] | None) -> list[tuple[int, str]]:
    rows = session.execute(select(Grid.id, Grid.name).order_by(Grid.id)).all()
    return [(gid, name) for gid, name in rows if grid_ids is None or gid in grid_ids]


def iso_week(value: datetime) -> str:
    year, week, _day = value.astimezone(CST).isocalendar()
    return f"{year}-W{week:02d}"


def month_start(now: datetime) -> datetime:
    local = now.astimezone(CST)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)


def request_figures(
    session: Session, grid_ids: Sequence[int] | None, now: datetime
) -> dict[str, Any]:
    column = ServiceRequest.grid_id
    by_category = session.execute(
        _scoped(select(ServiceRequest.category, func.count()), column, grid_ids)
        .group_by(ServiceRequest.category)
        .order_by(func.count().desc(), ServiceRequest.category)
    ).all()
    counts = dict(
        session.execute(
            _scoped(select(ServiceRequest.grid_id, func.count()), column, grid_ids).group_by(
                ServiceRequest.grid_id
            )
        ).all()
    )
    by_grid = [(name, int(counts.get(gid, 0))) for gid, name in _grid_names(session, grid_ids)]
    if grid_ids is None and counts.get(None):
        by_grid.append(("未登记住址", int(counts[None])))
    # ISO weeks (China time) of the last WEEKS weeks, oldest first, empty weeks included.
    since = now - timedelta(weeks=WEEKS)
    created = session.scalars(
        _scoped(select(ServiceRequest.created_at), column, grid_ids).where(
            ServiceRequest.created_at >= since
        )
    ).all()
    weeks = {iso_week(now - timedelta(weeks=n)): 0 for n in range(WEEKS - 1, -1, -1)}
    for at in created:
        label = iso_week(at)
        if label in weeks:
            weeks[label] += 1
    resolved = session.execute(
        _scoped(
            select(ServiceRequest.created_at, ServiceRequest.resolved_at), column, grid_ids
        ).where(ServiceRequest.resolved_at.is_not(None))
    ).all()
    hours = [(done - made).total_seconds() / 3600 for made, done in resolved if done is not None]
    overdue = session.scalar(
        _scoped(select(func.count()).select_from(ServiceRequest), column, grid_ids).where(
            ServiceRequest.is_open.is_(True), ServiceRequest.due_at < now
        )
    )
    open_count = session.scalar(
        _scoped(select(func.count()).select_from(ServiceRequest), column, grid_ids).where(
            ServiceRequest.is_open.is_(True)
        )
    )
    ratings = [
        int(r)
        for r in session.scalars(
            _scoped(select(ServiceRequest.rating), column, grid_ids).where(
                ServiceRequest.rating.is_not(None)
            )
        )
    ]
    return {
        "total": sum(int(n) for _c, n in by_category),
        "open": int(open_count or 0),
        "overdue": int(overdue or 0),
        "by_category": bars([(c, int(n)) for c, n in by_category]),
        "by_grid": bars(by_grid),
        "by_week": bars(list(weeks.items())),
        "resolved": len(hours),
        "median_resolve_hours": round(statistics.median(hours), 1) if hours else None,
        "ratings": len(ratings),
        "satisfied_share": round(100 * sum(r >= 4 for r in ratings) / len(ratings))
        if ratings
        else None,
        "rating_average": round(statistics.fmean(ratings), 2) if ratings else None,
    }


def volunteer_figures(
    session: Session, grid_ids: Sequence[int] | None, now: datetime
) -> dict[str, Any]:
    """Hours credited this (China) month, in total and by grid (corrections included)."""
    rows = dict(
        session.execute(
            _scoped(
                select(HoursEntry.grid_id, func.sum(HoursEntry.minutes)),
                HoursEntry.grid_id,
                grid_ids,
            )
            .where(HoursEntry.created_at >= month_start(now))
            .group_by(HoursEntry.grid_id)
        ).all()
    )
    by_grid = [
        (name, round(int(rows.get(gid) or 0) / 60, 1))
        for gid, name in _grid_names(session, grid_ids)
    ]
    total_minutes = sum(int(m or 0) for m in rows.values())
    return {"month_hours": round(total_minutes / 60, 1), "by_grid": bars(by_grid)}


def dashboard_figures(
    session: Session, grid_ids: Sequence[int] | None, now: datetime
) -> dict[str, Any]:
    jobs = employment_figures(session)
    return {
        "requests": request_figures(session, grid_ids, now),
        "volunteers": volunteer_figures(session, grid_ids, now),
        "jobs": {
            "placements": jobs["placements"],
            "zero_employment_households": jobs["zero_employment_households"],
            "seekers": jobs["people"],
        },
    }
