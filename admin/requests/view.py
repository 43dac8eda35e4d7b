"""What the queue and request pages show: rows with both deadlines in words, the queue
for a filter (working order, paged), and a request's page — reporter and followers with
their phones (full, tap-to-call, for the staff who handle the record; masked otherwise),
how a reply would reach each of them, and the history with names instead of codes."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from admin.deps import ADMIN, GRID_WORKER, Staff
from admin.labels import ActorNames, channel_label, days_ago_words, due_words
from admin.paging import Pager, paginate
from admin.timefmt import local_time, start_of_today
from storage.events import history
from storage.models import Building, Grid, RequestSubscriber, Resident, ServiceRequest, utcnow
from storage.outbound.platform_rules import cs_window_open, planned_channel
from storage.privacy import mask_phone
from storage.requests.queries import QueueFilter, queue_query
from storage.requests.rules import ACTION_LABELS, DISPATCHED, RETURNED, STATUS_LABELS
from storage.requests.service import ENTITY, owner_label

AMBER_WINDOW = timedelta(hours=24)
PER_PAGE = 20
SLA_TEXT = {"sla-red": "已超期", "sla-amber": "24小时内到期", "sla-green": "时间充裕"}


def sla_colour(request: ServiceRequest, now: datetime) -> str:
    """red: overdue; amber: due within 24 h; green: otherwise; '' once closed."""
    if not request.is_open:
        return ""
    if request.due_at < now:
        return "sla-red"
    if request.due_at - now < AMBER_WINDOW:
        return "sla-amber"
    return "sla-green"


def contact_state(request: ServiceRequest, now: datetime) -> str:
    """The contact deadline (respond_by) in words."""
    if request.responded_at is not None:
        return f"已于{local_time(request.responded_at)}联系"
    if not request.is_open:
        return "—"
    return due_words(request.respond_by, now)


def grid_names(session: Session) -> dict[int, str]:
    return {g.id: g.name for g in session.scalars(select(Grid).order_by(Grid.id))}


def row_view(
    session: Session, request: ServiceRequest, grids: dict[int, str], now: datetime
) -> dict[str, Any]:
    sla = sla_colour(request, now)
    return {
        "id": request.id,
        "code": request.code,
        "status": request.status,
        "status_label": STATUS_LABELS.get(request.status, request.status),
        "category": request.category,
        "location": request.location,
        "description": request.description,
        "urgent": request.urgent,
        "is_open": request.is_open,
        "grid_id": request.grid_id,
        "grid_name": grids.get(request.grid_id or 0, "社区派单池"),
        "owner": owner_label(session, request)
        if request.owner_staff_id or request.owner_name
        else "",
        "due": local_time(request.due_at),
        "due_words": due_words(request.due_at, now) if request.is_open else "",
        "respond_by": local_time(request.respond_by),
        "contact": contact_state(request, now),
        "contact_late": request.is_open
        and request.responded_at is None
        and request.respond_by < now,
        "sla": sla,
        "sla_text": SLA_TEXT.get(sla, ""),
        "age": days_ago_words(request.created_at, now),
        "created": local_time(request.created_at),
        "status_note": request.status_note,
        "public_summary": request.public_summary or "",
    }


def list_queue(
    session: Session, staff: Staff, wanted: QueueFilter, page: int, params: dict[str, str]
) -> tuple[list[dict[str, Any]], Pager]:
    now = utcnow()
    query = queue_query(
        staff.visible_grid_ids(),
        wanted,
        now=now,
        me=staff.id,
        day_end=start_of_today(now) + timedelta(days=1),
    )
    pager, query = paginate(session, query, page, PER_PAGE, params)
    grids = grid_names(session)
    return [row_view(session, r, grids, now) for r in session.scalars(query)], pager


def may_see_phone(staff: Staff, request: ServiceRequest) -> bool:
    """Full numbers only for the staff who handle this record: admins and the workers of
    its grid."""
    if staff.role == ADMIN:
        return True
    return staff.role == GRID_WORKER and request.grid_id in staff.grid_ids


def person_view(
    staff: Staff, request: ServiceRequest, resident: Resident, role: str, now: datetime
) -> dict[str, Any]:
    full = may_see_phone(staff, request)
    channel = planned_channel(resident.last_message_at, resident.cs_quota_used, now)
    return {
        "id": resident.id,
        "name": resident.name or "居民（未登记姓名）",
        "role": role,
        "phone": (resident.phone or "") if full else mask_phone(resident.phone),
        "tel": (resident.phone or "").replace(" ", "") if full else "",
        "window_open": cs_window_open(resident.last_message_at, now),
        "last_message": local_time(resident.last_message_at) if resident.last_message_at else "",
        "channel": channel or "",
        "channel_label": channel_label(channel) if channel else "暂时无法发送",
        "subscribed": resident.subscribed,
    }


def people(
    session: Session, staff: Staff, request: ServiceRequest, now: datetime
) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if request.resident_id is not None:
        reporter = session.get(Resident, request.resident_id)
        if reporter is not None:
            found.append(person_view(staff, request, reporter, "反映人", now))
    query = (
        select(Resident)
        .join(RequestSubscriber, RequestSubscriber.resident_id == Resident.id)
        .where(RequestSubscriber.request_id == request.id)
        .order_by(RequestSubscriber.id)
    )
    for resident in session.scalars(query):
        if resident.id != request.resident_id:
            found.append(person_view(staff, request, resident, "同一问题居民", now))
    return found


def actions_for(request: ServiceRequest) -> list[str]:
    """Which action forms the page offers (the storage rules still decide)."""
    status = request.status
    if not request.is_open:
        return []
    found: list[str] = []
    if status in ("accepted", RETURNED):
        found.append("claim")
    found.append("assign")
    if status == DISPATCHED:
        found.append("start")
    found.append("resolve")
    if status != RETURNED:
        found.append("return")
    return found


def detail_view(session: Session, staff: Staff, request: ServiceRequest) -> dict[str, Any]:
    now = utcnow()
    data = row_view(session, request, grid_names(session), now)
    data["people"] = people(session, staff, request, now)
    data["reporter"] = data["people"][0]["name"] if request.resident_id else "（无）"
    building = session.get(Building, request.building_id) if request.building_id else None
    data["building_id"] = request.building_id
    data["building"] = building.label if building else ""
    names = ActorNames(session)
    data["history"] = [
        {
            "at": local_time(e.at),
            "actor": names(e.actor),
            "from_label": STATUS_LABELS.get(e.from_state or "", ""),
            "label": STATUS_LABELS.get(e.to_state) or ACTION_LABELS.get(e.to_state, "其他"),
            "note": e.note,
        }
        for e in history(session, ENTITY, request.id)
    ]
    data["actions"] = actions_for(request)
    return data
