"""Dashboard figures, inbound messages and outbound deliveries, shared by pages and API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from admin.audit import audit_staff
from admin.deps import GRID_FORBIDDEN, Staff
from admin.labels import (
    CHANNEL_LABELS,
    INTENT_LABELS,
    MESSAGE_TYPE_LABELS,
    channel_label,
    intent_label,
    purpose_label,
    recipient_labels,
)
from admin.timefmt import local_time, start_of_today
from storage.models import (
    Building,
    Delivery,
    Grid,
    Handover,
    Household,
    InboundMessage,
    OutboxJob,
    Resident,
    Unit,
    utcnow,
)
from storage.outbound.deliveries import RETRYABLE, STATUS_LABELS, RetryRefused, retry, status_counts
from storage.outbound.queues import grid_queue_name

PROBLEM_STATUSES = ("failed", "dead", "unknown")
RETRY_CONFIRM = "确认重新发送这条消息？"
# An unknown outcome may mean the resident has it already: staff check before resending.
UNKNOWN_CONFIRM = "这条消息可能已经送达（微信未正常应答）。请先向接收人确认没有收到，再重新发送，否则对方会收到两条。确认重发？"
MESSAGE_STATUS = {
    "received": "已收到",
    "handled": "已回复",
    "deferred": "稍后处理",
    "failed": "处理失败",
}


# -- Dashboard -------------------------------------------------------------------------------


@dataclass
class GridCount:
    name: str
    open: int
    claimed: int


def dashboard(session: Session, staff: Staff) -> dict[str, Any]:
    today = start_of_today(utcnow())
    messages_today = session.scalar(
        select(func.count()).select_from(InboundMessage).where(InboundMessage.received_at >= today)
    )
    counts: dict[int | None, dict[str, int]] = {}
    query = (
        select(Handover.grid_id, Handover.status, func.count())
        .where(Handover.status.in_(("open", "claimed")))
        .group_by(Handover.grid_id, Handover.status)
    )
    for grid_id, status, count in session.execute(query):
        counts.setdefault(grid_id, {})[status] = int(count)
    visible = staff.visible_grid_ids()
    grids = [
        GridCount(
            g.name, counts.get(g.id, {}).get("open", 0), counts.get(g.id, {}).get("claimed", 0)
        )
        for g in session.scalars(select(Grid).order_by(Grid.id))
        if visible is None or g.id in visible
    ]
    if visible is None and None in counts:
        grids.append(
            GridCount("未登记住址", counts[None].get("open", 0), counts[None].get("claimed", 0))
        )
    deliveries = status_counts(session)
    return {
        "messages_today": int(messages_today or 0),
        "handovers": grids,
        "deliveries": [
            {"status": s, "label": STATUS_LABELS[s], "count": n} for s, n in deliveries.items()
        ],
    }


# -- Messages --------------------------------------------------------------------------------


def messages_query(
    staff: Staff,
    openid: str | None = None,
    *,
    words: str = "",
    intent: str = "",
    status: str = "",
) -> Any:
    """Inbound messages, newest first; grid workers see their grids' residents only.
    `words` matches the resident's name, openid or what they wrote."""
    query = (
        select(InboundMessage, Resident.name)
        .outerjoin(Resident, Resident.openid == InboundMessage.openid)
        .order_by(InboundMessage.id.desc())
    )
    grids = staff.visible_grid_ids()
    if grids is not None:
        query = (
            query.join(Household, Resident.household_id == Household.id)
            .join(Unit, Household.unit_id == Unit.id)
            .join(Building, Unit.building_id == Building.id)
            .where(Building.grid_id.in_(grids))
        )
    if openid:
        query = query.where(InboundMessage.openid == openid)
    for word in words.split()[:5]:
        pattern = f"%{word}%"
        query = query.where(
            or_(
                Resident.name.ilike(pattern),
                InboundMessage.openid.ilike(pattern),
                InboundMessage.content.ilike(pattern),
            )
        )
    if intent in INTENT_LABELS:
        query = query.where(InboundMessage.intent == intent)
    if status in MESSAGE_STATUS:
        query = query.where(InboundMessage.status == status)
    return query


def message_rows(session: Session, query: Any) -> list[dict[str, Any]]:
    return [
        {
            "id": m.id,
            "openid": m.openid,
            "resident_name": name or "",
            "received_at": local_time(m.received_at),
            "msg_type": m.msg_type,
            "msg_type_label": MESSAGE_TYPE_LABELS.get(m.msg_type, m.msg_type),
            "content": m.content if m.content is not None else (m.event or ""),
            "intent": m.intent or "",
            "intent_label": intent_label(m.intent),
            "status": MESSAGE_STATUS.get(m.status, m.status),
            "reply_text": m.reply_text or "",
        }
        for m, name in session.execute(query).all()
    ]


def list_messages(
    session: Session, staff: Staff, openid: str | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    """Recent inbound messages, newest first; grid workers see their grids' residents only."""
    return message_rows(session, messages_query(staff, openid).limit(limit))


# -- Deliveries ------------------------------------------------------------------------------


def _visible_queues(staff: Staff) -> list[str] | None:
    grids = staff.visible_grid_ids()
    return None if grids is None else [grid_queue_name(g) for g in grids]


def delivery_json(d: Delivery, names: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "id": d.id,
        "channel": d.channel,
        "channel_label": channel_label(d.channel),
        "recipient": d.recipient,
        "recipient_label": (names or {}).get(d.recipient, d.recipient),
        "purpose": d.purpose,
        "purpose_label": purpose_label(d.purpose),
        "queue": d.queue,
        "status": d.status,
        "status_label": STATUS_LABELS.get(d.status, d.status),
        "attempts": d.attempts,
        "last_error": d.last_error or "",
        "created_at": local_time(d.created_at),
        "sent_at": local_time(d.sent_at),
        "next_attempt_at": local_time(d.next_attempt_at),
        "retryable": d.status in RETRYABLE,
        "retry_confirm": UNKNOWN_CONFIRM if d.status == "unknown" else RETRY_CONFIRM,
    }


def deliveries_query(staff: Staff, status: str | None = None, channel: str = "") -> Any:
    """Newest first. Grid workers see deliveries queued for their grids. `problem`: every
    delivery that did not (surely) arrive."""
    query = select(Delivery).order_by(Delivery.id.desc())
    if status == "problem":
        query = query.where(Delivery.status.in_(PROBLEM_STATUSES))
    elif status in STATUS_LABELS:
        query = query.where(Delivery.status == status)
    if channel in CHANNEL_LABELS:
        query = query.where(Delivery.channel == channel)
    queues = _visible_queues(staff)
    if queues is not None:
        query = query.where(Delivery.queue.in_(queues))
    return query


def delivery_rows(session: Session, query: Any) -> list[dict[str, Any]]:
    found = list(session.scalars(query))
    names = recipient_labels(session, {d.recipient for d in found})
    return [delivery_json(d, names) for d in found]


def list_deliveries(
    session: Session, staff: Staff, status: str | None = None, limit: int = 200
) -> list[dict[str, Any]]:
    return delivery_rows(session, deliveries_query(staff, status).limit(limit))


def get_delivery(session: Session, delivery_id: int) -> Delivery:
    delivery = session.get(Delivery, delivery_id, populate_existing=True)
    if delivery is None:
        raise HTTPException(status_code=404, detail="没有找到这条发送记录")
    return delivery


def retry_delivery(session: Session, staff: Staff, delivery_id: int, ip: str) -> OutboxJob:
    """Put a failed or dead delivery back to pending and queue a send job (caller commits,
    then drains the returned outbox job)."""
    delivery = get_delivery(session, delivery_id)
    queues = _visible_queues(staff)
    if queues is not None and delivery.queue not in queues:
        raise HTTPException(status_code=403, detail=GRID_FORBIDDEN)
    previous = delivery.status
    try:
        job = retry(session, delivery, actor=staff.actor, actor_name=staff.display_name)
    except RetryRefused as exc:
        raise HTTPException(status_code=409, detail=exc.message) from None
    audit_staff(
        session, staff, "retry", ip, "delivery", delivery_id, detail=f"{previous} → pending"
    )
    return job
