"""Deliveries: one message to one recipient through one channel, planned in the caller's
transaction and sent by `bot.jobs.deliveries.send_delivery` after the commit."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.events import record_event
from storage.models import Delivery, Event, OutboxJob, utcnow
from storage.outbound.jobs import Job
from storage.outbound.queues import DEFAULT_QUEUE, enqueue_job
from storage.writes import update_if

# Rows per statement when checking keys and inserting in bulk.
KEY_CHUNK = 500
INSERT_CHUNK = 1000
STATUSES = ("pending", "sending", "sent", "failed", "dead", "unknown")
# Staff may send these again by hand (unknown: after checking it did not arrive).
RETRYABLE = ("failed", "dead", "unknown")
# Shown to staff.
STATUS_LABELS = {
    "pending": "待发送",
    "sending": "发送中",
    "sent": "已发送",
    "failed": "发送失败，等待重试",
    "dead": "发送失败，已放弃",
    # Sent, but WeChat's answer was lost: it may or may not have arrived (docs/delivery.md).
    "unknown": "结果未知",
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
    enqueue_job(session, queue, Job.SEND_DELIVERY, delivery.id)
    return delivery


@dataclass
class PlannedBulk:
    """What `plan_deliveries` added: the new deliveries' ids and their send jobs' outbox
    ids (empty when it was asked not to add send jobs)."""

    delivery_ids: list[int] = field(default_factory=list)
    outbox_ids: list[int] = field(default_factory=list)


def plan_deliveries(
    session: Session, items: list[dict[str, Any]], *, send_jobs: bool = True
) -> PlannedBulk:
    """The bulk form of `plan_delivery` for a fan-out: the same rows (the delivery, its
    "pending" event and, with `send_jobs`, its send job in the outbox) in a few statements
    instead of five per recipient. Each item holds a delivery's idempotency_key, channel,
    recipient, purpose, payload and queue. Keys that already exist, or stand earlier in
    `items`, are skipped. (Two planners racing on the same keys: the later insert fails,
    its job is retried by RQ and then skips them.)"""
    keys = [item["idempotency_key"] for item in items]
    existing: set[str] = set()
    for start in range(0, len(keys), KEY_CHUNK):
        chunk = keys[start : start + KEY_CHUNK]
        existing.update(
            session.scalars(
                select(Delivery.idempotency_key).where(Delivery.idempotency_key.in_(chunk))
            )
        )
    now = utcnow()
    rows = []
    for item in items:
        if item["idempotency_key"] in existing:
            continue
        existing.add(item["idempotency_key"])
        rows.append({**item, "status": "pending", "attempts": 0, "created_at": now})
    planned = PlannedBulk()
    for start in range(0, len(rows), INSERT_CHUNK):
        inserted = session.execute(
            insert(Delivery).returning(
                Delivery.id,
                Delivery.channel,
                Delivery.recipient,
                Delivery.purpose,
                Delivery.queue,
                sort_by_parameter_order=True,
            ),
            rows[start : start + INSERT_CHUNK],
        ).all()
        session.execute(
            insert(Event),
            [
                {
                    "entity_type": "delivery",
                    "entity_id": row.id,
                    "actor": "planner",
                    "to_state": "pending",
                    "note": f"{row.channel} → {row.recipient}（{row.purpose}）",
                    "at": now,
                }
                for row in inserted
            ],
        )
        planned.delivery_ids.extend(row.id for row in inserted)
        if send_jobs:
            jobs = session.scalars(
                insert(OutboxJob).returning(OutboxJob.id, sort_by_parameter_order=True),
                [
                    {
                        "queue": row.queue,
                        "func": Job.SEND_DELIVERY,
                        "args": [row.id],
                        "created_at": now,
                    }
                    for row in inserted
                ],
            ).all()
            planned.outbox_ids.extend(jobs)
    return planned


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


class RetryRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def retry(session: Session, delivery: Delivery, *, actor: str, actor_name: str) -> OutboxJob:
    """Put a failed, dead or unknown delivery back to pending and plan a send job (the
    caller commits). Of two staff retrying at once, one wins; the other is refused."""
    previous = delivery.status
    if previous not in RETRYABLE:
        label = STATUS_LABELS.get(previous, previous)
        raise RetryRefused(f"当前状态为“{label}”，不能重试")
    moved = update_if(
        session,
        Delivery,
        Delivery.id == delivery.id,
        Delivery.status == previous,
        status="pending",
        next_attempt_at=utcnow(),
        lease_until=None,
    )
    if not moved:
        session.rollback()
        raise RetryRefused("该发送记录状态刚刚发生变化，请刷新后再试")
    record_event(
        session,
        "delivery",
        delivery.id,
        actor=actor,
        from_state=previous,
        to_state="pending",
        note=f"{actor_name}手动重试" + ("（已确认对方未收到）" if previous == "unknown" else ""),
    )
    return enqueue_job(session, delivery.queue, Job.SEND_DELIVERY, delivery.id)
