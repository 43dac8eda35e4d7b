"""Deliveries: one message to one recipient through one channel, planned in the caller's
transaction and sent by `bot.jobs.send_delivery` after the commit."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.events import record_event
from storage.models import Delivery
from storage.queues import DEFAULT_QUEUE, enqueue_job

SEND_JOB = "bot.jobs.send_delivery"
STATUSES = ("pending", "sending", "sent", "failed", "dead")
# Shown to staff.
STATUS_LABELS = {
    "pending": "待发送",
    "sending": "发送中",
    "sent": "已发送",
    "failed": "发送失败，等待重试",
    "dead": "发送失败，已放弃",
}


def plan_delivery(
    session: Session,
    *,
    channel: str,
    recipient: str,
    purpose: str,
    payload: dict[str, Any],
    idempotency_key: str,
    queue: str = DEFAULT_QUEUE,
) -> Delivery:
    """Add a delivery and its send job to the session (the caller commits).

    Planning an idempotency key that already exists returns the existing row and adds
    nothing, whether it was committed earlier or added earlier in this session.
    """
    existing = get_by_key(session, idempotency_key)
    if existing is not None:
        return existing
    values = {
        "idempotency_key": idempotency_key,
        "channel": channel,
        "recipient": recipient,
        "purpose": purpose,
        "payload": dict(payload),
        "queue": queue,
        "status": "pending",
        "attempts": 0,
    }
    dialect = session.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        # INSERT … ON CONFLICT DO NOTHING: losing a race with a concurrent planner neither
        # raises nor disturbs the caller's transaction (no savepoint needed).
        insert = sqlite_insert if dialect == "sqlite" else pg_insert
        new_id = session.scalar(
            insert(Delivery)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["idempotency_key"])
            .returning(Delivery.id)
        )
        if new_id is None:
            existing = get_by_key(session, idempotency_key)
            assert existing is not None
            return existing
        delivery = session.get(Delivery, new_id)
        assert delivery is not None
    else:
        delivery = Delivery(**values)
        session.add(delivery)
        session.flush()
    record_event(
        session,
        "delivery",
        delivery.id,
        actor="planner",
        to_state="pending",
        note=f"{channel} → {recipient}（{purpose}）",
    )
    enqueue_job(session, queue, SEND_JOB, delivery.id)
    return delivery


def get_by_key(session: Session, idempotency_key: str) -> Delivery | None:
    with session.no_autoflush:
        for obj in session.new:
            if isinstance(obj, Delivery) and obj.idempotency_key == idempotency_key:
                return obj
    return session.scalar(select(Delivery).where(Delivery.idempotency_key == idempotency_key))


def list_deliveries(
    session: Session,
    *,
    purpose: str | None = None,
    purpose_prefix: str | None = None,
    status: str | Iterable[str] | None = None,
    channel: str | None = None,
    recipient: str | None = None,
    limit: int = 500,
) -> list[Delivery]:
    """Deliveries filtered by purpose (exact or prefix), status, channel and recipient;
    oldest first."""
    query = select(Delivery)
    if purpose is not None:
        query = query.where(Delivery.purpose == purpose)
    if purpose_prefix is not None:
        query = query.where(Delivery.purpose.startswith(purpose_prefix, autoescape=True))
    if status is not None:
        statuses = [status] if isinstance(status, str) else list(status)
        query = query.where(Delivery.status.in_(statuses))
    if channel is not None:
        query = query.where(Delivery.channel == channel)
    if recipient is not None:
        query = query.where(Delivery.recipient == recipient)
    return list(session.scalars(query.order_by(Delivery.id).limit(limit)))


def status_counts(session: Session, *, purpose: str | None = None) -> dict[str, int]:
    """{status: count} for a purpose (or all deliveries); every status is present."""
    query = select(Delivery.status, func.count()).group_by(Delivery.status)
    if purpose is not None:
        query = query.where(Delivery.purpose == purpose)
    counts = dict.fromkeys(STATUSES, 0)
    for status, count in session.execute(query):
        counts[status] = int(count)
    return counts
