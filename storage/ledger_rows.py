"""The rows of each ledger (one builder per console list), narrowed by a `Scope`: the
grids, the UTC time bounds of the chosen China days and one status. Values stay typed
(datetimes, dates, numbers); `storage.ledger_files` writes them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.labels import (
    APPLICATION_LABELS,
    CHANNEL_LABELS,
    DELIVERY_LABELS,
    HANDOVER_LABELS,
    JOB_KIND_LABELS,
    LABOUR_LABELS,
    MEAL_ORDER_LABELS,
    REQUEST_LABELS,
    REQUEST_SOURCE_LABELS,
    SEEKER_SOURCE_LABELS,
    SLOT_LABELS,
    TASK_KIND_LABELS,
    TASK_LABELS,
    VOLUNTEER_LABELS,
    label,
    purpose_label,
)
from storage.ledger_files import Rows
from storage.ledger_people import People
from storage.models import (
    Building,
    Delivery,
    Handover,
    HoursEntry,
    Household,
    JobApplication,
    JobSeeker,
    MealOrder,
    ServiceRequest,
    Unit,
    VolunteerProfile,
    VolunteerTask,
)
from storage.outbound.queues import grid_queue_name
from storage.requests.queries import filtered_requests, work_order

LIMIT = 50_000


@dataclass(frozen=True)
class Scope:
    grid_ids: tuple[int, ...] | None
    start: datetime | None
    end: datetime | None
    status: str
    now: datetime
    since: date | None = None
    until: date | None = None


def _dated(query: Any, column: Any, scope: Scope) -> Any:
    if scope.start is not None:
        query = query.where(column >= scope.start)
    if scope.end is not None:
        query = query.where(column < scope.end)
    return query


def _narrow(
    query: Any, scope: Scope, *, grid: Any = None, status: Any = None, when: Any = None
) -> Any:
    if grid is not None and scope.grid_ids is not None:
        query = query.where(grid.in_(scope.grid_ids))
    if status is not None and scope.status:
        query = query.where(status == scope.status)
    return _dated(query, when, scope) if when is not None else query


def _household_grid(query: Any, household: Any, scope: Scope) -> Any:
    """Lists without a grid column are in the grid of the household's building."""
    if scope.grid_ids is None:
        return query
    return (
        query.join(Household, Household.id == household)
        .join(Unit, Unit.id == Household.unit_id)
        .join(Building, Building.id == Unit.building_id)
        .where(Building.grid_id.in_(scope.grid_ids))
    )


def _yes(flag: bool | None) -> str:
    return "是" if flag else "否"


def request_rows(session: Session, scope: Scope, people: People) -> Rows:
    status = scope.status or "all"
    query = filtered_requests(scope.grid_ids, status=status, now=scope.now)
    # The queue's working order, so the ledger reads row for row like the console.
    query = query.order_by(None).order_by(*work_order(scope.now))
    query = _dated(query, ServiceRequest.created_at, scope)
    rows: Rows = []
    for r in session.scalars(query.limit(LIMIT)):
        on_time = "" if r.resolved_at is None else _yes(r.resolved_at <= r.due_at)
        note = r.status_note or "" if r.status in ("resolved", "cancelled") else ""
        rows.append(
            [
                r.code,
                label(REQUEST_LABELS, r.status),
                r.category,
                _yes(r.urgent),
                people.grid(r.grid_id),
                r.location,
                r.description,
                people.resident(r.resident_id),
                people.owner(r.owner_name, r.owner_staff_id),
                r.created_at,
                r.respond_by,
                r.due_at,
                r.resolved_at,
                on_time,
                note,
                r.council_decision or "",
                r.rating,
                r.rating_note or "",
                label(REQUEST_SOURCE_LABELS, r.source),
            ]
        )
    return rows


def handover_rows(session: Session, scope: Scope, people: People) -> Rows:
    query = _narrow(
        select(Handover),
        scope,
        grid=Handover.grid_id,
        status=Handover.status,
        when=Handover.created_at,
    )
    return [
        [
            h.id,
            people.resident(h.resident_id),
            people.grid(h.grid_id),
            h.text or "",
            label(HANDOVER_LABELS, h.status),
            h.created_at,
        ]
        for h in session.scalars(query.order_by(Handover.id).limit(LIMIT))
    ]


def delivery_rows(session: Session, scope: Scope, people: People) -> Rows:
    query = _narrow(select(Delivery), scope, status=Delivery.status, when=Delivery.created_at)
    if scope.grid_ids is not None:
        query = query.where(Delivery.queue.in_([grid_queue_name(g) for g in scope.grid_ids]))
    return [
        [
            d.id,
            label(CHANNEL_LABELS, d.channel),
            people.recipient(d.channel, d.recipient),
            purpose_label(d.purpose),
            label(DELIVERY_LABELS, d.status),
            d.attempts,
            d.created_at,
            d.sent_at,
            d.last_error or "",
        ]
        for d in session.scalars(query.order_by(Delivery.id).limit(LIMIT))
    ]


def meal_order_rows(session: Session, scope: Scope, people: People) -> Rows:
    """Meal orders are narrowed by the day of the meal, not the moment of ordering."""
    query = _narrow(select(MealOrder), scope, status=MealOrder.status)
    if scope.since is not None:
        query = query.where(MealOrder.meal_date >= scope.since)
    if scope.until is not None:
        query = query.where(MealOrder.meal_date <= scope.until)
    query = _household_grid(query, MealOrder.household_id, scope)
    return [
        [
            o.code,
            people.resident(o.resident_id),
            people.address(o.household_id),
            o.meal_date,
            label(SLOT_LABELS, o.slot),
            o.count,
            o.note or "",
            label(MEAL_ORDER_LABELS, o.status),
            o.created_at,
        ]
        for o in session.scalars(query.order_by(MealOrder.id).limit(LIMIT))
    ]


def task_rows(session: Session, scope: Scope, people: People) -> Rows:
    query = _narrow(
        select(VolunteerTask),
        scope,
        grid=VolunteerTask.grid_id,
        status=VolunteerTask.status,
        when=VolunteerTask.pickup_at,
    )
    return [
        [
            f"T{t.id}",
            label(TASK_KIND_LABELS, t.kind),
            people.grid(t.grid_id),
            people.address(t.household_id),
            t.count,
            label(TASK_LABELS, t.status),
            people.volunteer(t.volunteer_id),
            t.pickup_at,
            t.deadline_at,
            t.done_at,
        ]
        for t in session.scalars(query.order_by(VolunteerTask.id).limit(LIMIT))
    ]


def volunteer_rows(session: Session, scope: Scope, people: People) -> Rows:
    query = _narrow(
        select(VolunteerProfile),
        scope,
        grid=VolunteerProfile.grid_id,
        status=VolunteerProfile.status,
        when=VolunteerProfile.created_at,
    )
    return [
        [
            v.id,
            people.resident(v.resident_id),
            people.grid(v.grid_id),
            "、".join(str(s) for s in v.skills or []),
            label(VOLUNTEER_LABELS, v.status),
            v.created_at,
        ]
        for v in session.scalars(query.order_by(VolunteerProfile.id).limit(LIMIT))
    ]


def hours_rows(session: Session, scope: Scope, people: People) -> Rows:
    query = _narrow(select(HoursEntry), scope, grid=HoursEntry.grid_id, when=HoursEntry.created_at)
    return [
        [
            h.id,
            people.volunteer(h.volunteer_id),
            people.grid(h.grid_id),
            f"T{h.task_id}" if h.task_id else "",
            h.minutes,
            h.reason,
            people.actor(h.created_by),
            h.created_at,
        ]
        for h in session.scalars(query.order_by(HoursEntry.id).limit(LIMIT))
    ]


def seeker_rows(session: Session, scope: Scope, people: People) -> Rows:
    query = _narrow(
        select(JobSeeker), scope, status=JobSeeker.labour_status, when=JobSeeker.created_at
    )
    query = _household_grid(query, JobSeeker.household_id, scope)
    return [
        [
            s.id,
            s.name or "",
            s.phone or "",
            people.address(s.household_id),
            label(LABOUR_LABELS, s.labour_status),
            "、".join(str(k) for k in s.skills or []),
            "、".join(label(JOB_KIND_LABELS, str(k)) for k in s.wanted_kinds or []),
            label(SEEKER_SOURCE_LABELS, s.source),
            s.created_at,
        ]
        for s in session.scalars(query.order_by(JobSeeker.id).limit(LIMIT))
    ]


def application_rows(session: Session, scope: Scope, people: People) -> Rows:
    query = _narrow(
        select(JobApplication),
        scope,
        status=JobApplication.status,
        when=JobApplication.created_at,
    )
    if scope.grid_ids is not None:
        query = _household_grid(
            query.join(JobSeeker, JobSeeker.id == JobApplication.seeker_id),
            JobSeeker.household_id,
            scope,
        )
    return [
        [
            a.id,
            f"J{a.posting_id}",
            a.posting.title,
            a.posting.employer,
            a.seeker.name or "",
            label(APPLICATION_LABELS, a.status),
            a.created_at,
            a.decided_at,
        ]
        for a in session.scalars(query.order_by(JobApplication.id).limit(LIMIT))
    ]
