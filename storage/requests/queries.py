"""Read-side queries of problem reports: by code, a resident's own, a grid's queue,
overdue counts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import Session

from storage.models import RequestSubscriber, ServiceRequest, StaffAccount
from storage.requests.rules import STATUS_LABELS


def by_code(session: Session, code: str) -> ServiceRequest | None:
    return session.scalar(select(ServiceRequest).where(ServiceRequest.code == code.upper()))


def resident_requests(
    session: Session, resident_id: int, *, open_only: bool = True, limit: int = 5
) -> list[ServiceRequest]:
    """Requests the resident reported or follows, newest first."""
    followed = select(RequestSubscriber.request_id).where(
        RequestSubscriber.resident_id == resident_id
    )
    query = select(ServiceRequest).where(
        or_(ServiceRequest.resident_id == resident_id, ServiceRequest.id.in_(followed))
    )
    if open_only:
        query = query.where(ServiceRequest.is_open.is_(True))
    query = query.order_by(ServiceRequest.created_at.desc(), ServiceRequest.id.desc())
    return list(session.scalars(query.limit(limit)))


QUEUE_ORDER = (ServiceRequest.urgent.desc(), ServiceRequest.created_at, ServiceRequest.id)


def filtered_requests(
    grid_ids: Sequence[int] | None,
    *,
    status: str,
    now: datetime,
    category: str | None = None,
    overdue: bool = False,
    urgent: bool | None = None,
) -> Select[ServiceRequest]:
    """The console's request list (urgent first, then oldest). `status` is open, closed,
    all or one status; anything else raises ValueError. `grid_ids` None means all grids."""
    query = select(ServiceRequest)
    if grid_ids is not None:
        query = query.where(ServiceRequest.grid_id.in_(grid_ids))
    if status == "open":
        query = query.where(ServiceRequest.is_open.is_(True))
    elif status == "closed":
        query = query.where(ServiceRequest.is_open.is_(False))
    elif status in STATUS_LABELS:
        query = query.where(ServiceRequest.status == status)
    elif status != "all":
        raise ValueError(f"unknown status filter {status!r}")
    if category:
        query = query.where(ServiceRequest.category == category)
    if urgent is not None:
        query = query.where(ServiceRequest.urgent.is_(urgent))
    if overdue:
        query = query.where(ServiceRequest.is_open.is_(True), ServiceRequest.due_at < now)
    return query.order_by(*QUEUE_ORDER)


@dataclass(frozen=True)
class QueueFilter:
    """What a worker narrows the queue to. `owner`: "" any, "me", "none" (unowned), a
    staff id as text, or an outside unit's name; `due`: "", "today" or "overdue";
    `words`: matched against the code, the place and the resident's words."""

    status: str = "open"
    category: str | None = None
    grid_id: int | None = None
    building_id: int | None = None
    owner: str = ""
    urgent: bool | None = None
    due: str = ""
    words: str = ""


def work_order(now: datetime) -> tuple[Any, ...]:
    """Overdue first, then urgent, then by deadline (closed ones newest first)."""
    overdue = case(
        (and_(ServiceRequest.is_open.is_(True), ServiceRequest.due_at < now), 0), else_=1
    )
    return (
        ServiceRequest.is_open.desc(),
        overdue,
        ServiceRequest.urgent.desc(),
        ServiceRequest.due_at,
        ServiceRequest.id,
    )


def queue_query(
    grid_ids: Sequence[int] | None,
    wanted: QueueFilter,
    *,
    now: datetime,
    me: int | None = None,
    day_end: datetime | None = None,
) -> Select[ServiceRequest]:
    """The console's queue for `wanted`, in working order. `day_end`: the end of today
    (China time), for due == "today"."""
    query = filtered_requests(
        grid_ids,
        status=wanted.status,
        now=now,
        category=wanted.category,
        urgent=wanted.urgent,
        overdue=wanted.due == "overdue",
    )
    if wanted.grid_id is not None:
        query = query.where(ServiceRequest.grid_id == wanted.grid_id)
    if wanted.building_id is not None:
        query = query.where(ServiceRequest.building_id == wanted.building_id)
    owner = wanted.owner
    if owner == "me" and me is not None:
        query = query.where(ServiceRequest.owner_staff_id == me)
    elif owner == "none":
        query = query.where(
            ServiceRequest.owner_staff_id.is_(None), ServiceRequest.owner_name.is_(None)
        )
    elif owner.isdigit():
        query = query.where(ServiceRequest.owner_staff_id == int(owner))
    elif owner:
        query = query.where(ServiceRequest.owner_name == owner)
    if wanted.due == "today" and day_end is not None:
        query = query.where(ServiceRequest.is_open.is_(True), ServiceRequest.due_at < day_end)
    for word in wanted.words.split()[:5]:
        pattern = f"%{word}%"
        query = query.where(
            or_(
                ServiceRequest.code.ilike(pattern),
                ServiceRequest.location.ilike(pattern),
                ServiceRequest.description.ilike(pattern),
                ServiceRequest.id.in_(
                    select(RequestSubscriber.request_id).where(
                        RequestSubscriber.text.ilike(pattern)
                    )
                ),
            )
        )
    return query.order_by(None).order_by(*work_order(now))


def count_of(session: Session, query: Select[Any]) -> int:
    return int(
        session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    )


def grid_queue(session: Session, grid_id: int, limit: int = 100) -> list[ServiceRequest]:
    """A grid's open requests: urgent first, then oldest first."""
    query = (
        select(ServiceRequest)
        .where(ServiceRequest.grid_id == grid_id, ServiceRequest.is_open.is_(True))
        .order_by(ServiceRequest.urgent.desc(), ServiceRequest.created_at, ServiceRequest.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def overdue_counts(session: Session, now: datetime) -> dict[str, list[dict[str, Any]]]:
    """Open requests past their deadline, counted per grid and per owner."""
    overdue = and_(ServiceRequest.is_open.is_(True), ServiceRequest.due_at < now)
    by_grid = session.execute(
        select(ServiceRequest.grid_id, func.count())
        .where(overdue)
        .group_by(ServiceRequest.grid_id)
        .order_by(ServiceRequest.grid_id)
    ).all()
    by_owner = session.execute(
        select(ServiceRequest.owner_staff_id, ServiceRequest.owner_name, func.count())
        .where(overdue)
        .group_by(ServiceRequest.owner_staff_id, ServiceRequest.owner_name)
    ).all()
    names = dict(session.execute(select(StaffAccount.id, StaffAccount.display_name)).all())
    return {
        "by_grid": [{"grid_id": g, "count": int(n)} for g, n in by_grid],
        "by_owner": [
            {
                "owner_staff_id": sid,
                "owner": name or (names.get(sid) if sid is not None else None) or "未派单",
                "count": int(n),
            }
            for sid, name, n in by_owner
        ],
    }
