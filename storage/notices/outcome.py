"""What happened to a notice: progress per channel, outcome per recipient, retrying the
failed deliveries, and closing a notice when every delivery has an outcome."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from storage.events import record_event
from storage.models import Delivery, Event, GroupChannel, Notice, Resident
from storage.notices.planning import CHANNEL_LABELS, purpose_of
from storage.outbound.deliveries import STATUS_LABELS as DELIVERY_LABELS
from storage.outbound.jobs import Job
from storage.outbound.queues import DEFAULT_QUEUE, enqueue_job

OPEN = ("pending", "sending", "failed")
RETRYABLE = ("failed", "dead")


def progress(session: Session, notice_id: int) -> dict[str, Any]:
    """Counts per channel and status, the share with an outcome, and whether it is over."""
    query = (
        select(Delivery.channel, Delivery.status, func.count())
        .where(Delivery.purpose == purpose_of(notice_id))
        .group_by(Delivery.channel, Delivery.status)
    )
    channels: dict[str, dict[str, int]] = {}
    totals = dict.fromkeys(DELIVERY_LABELS, 0)
    for channel, status, count in session.execute(query):
        row = channels.setdefault(channel, dict.fromkeys(DELIVERY_LABELS, 0))
        row[status] = int(count)
        totals[status] += int(count)
    total = sum(totals.values())
    # An unknown outcome is final too: only staff resend it (docs/delivery.md).
    finished = totals["sent"] + totals["dead"] + totals["unknown"]
    return {
        "total": total,
        "sent": totals["sent"],
        "failed": totals["failed"] + totals["dead"],
        "unknown": totals["unknown"],
        "waiting": totals["pending"] + totals["sending"],
        "percent": 100 if total == 0 else int(finished * 100 / total),
        "complete": total > 0 and finished == total,
        "statuses": totals,
        "channels": [
            {"channel": c, "label": CHANNEL_LABELS.get(c, c), **counts}
            for c, counts in sorted(channels.items())
        ],
    }


def recipients(
    session: Session, notice_id: int, status: str | None = None, limit: int = 300
) -> list[dict[str, Any]]:
    """One row per delivery, failures first, with the name staff know the recipient by."""
    query = select(Delivery).where(Delivery.purpose == purpose_of(notice_id))
    if status == "problem":
        query = query.where(Delivery.status.in_(("failed", "dead", "unknown")))
    elif status in DELIVERY_LABELS:
        query = query.where(Delivery.status == status)
    rows = list(session.scalars(query.order_by(Delivery.id).limit(limit)))
    openids = [d.recipient for d in rows if d.channel != "wecom_robot"]
    names = dict(
        session.execute(
            select(Resident.openid, Resident.name).where(Resident.openid.in_(openids))
        ).all()
    )
    groups = dict(
        session.execute(
            select(GroupChannel.target, GroupChannel.name).where(
                GroupChannel.target.in_([d.recipient for d in rows])
            )
        ).all()
    )
    order = {"unknown": 0, "dead": 0, "failed": 1, "sending": 2, "pending": 3, "sent": 4}
    rows.sort(key=lambda d: (order.get(d.status, 5), d.id))
    return [
        {
            "id": d.id,
            "channel": d.channel,
            "channel_label": CHANNEL_LABELS.get(d.channel, d.channel),
            "recipient": d.recipient,
            "name": groups.get(d.recipient) or names.get(d.recipient) or d.recipient,
            "status": d.status,
            "status_label": DELIVERY_LABELS.get(d.status, d.status),
            "attempts": d.attempts,
            "last_error": d.last_error or "",
            "sent_at": d.sent_at,
        }
        for d in rows
    ]


def retry_failed(session: Session, notice: Notice, actor: str, note: str, now: datetime) -> int:
    """Put the notice's failed and dead deliveries back to pending (events for each) and
    queue a fan-out. The caller commits."""
    purpose = purpose_of(notice.id)
    rows = session.execute(
        select(Delivery.id, Delivery.status).where(
            Delivery.purpose == purpose, Delivery.status.in_(RETRYABLE)
        )
    ).all()
    moved = []
    for delivery_id, previous in rows:
        result = session.execute(
            update(Delivery)
            .where(Delivery.id == delivery_id, Delivery.status == previous)
            .values(status="pending", next_attempt_at=now, lease_until=None)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount:  # type: ignore[attr-defined]
            moved.append((delivery_id, previous))
    if not moved:
        return 0
    session.execute(
        insert(Event),
        [
            {
                "entity_type": "delivery",
                "entity_id": delivery_id,
                "actor": actor,
                "from_state": previous,
                "to_state": "pending",
                "note": note,
            }
            for delivery_id, previous in moved
        ],
    )
    if notice.status == "done":
        notice.status = "sending"
        notice.finished_at = None
        record_event(
            session,
            "notice",
            notice.id,
            actor=actor,
            from_state="done",
            to_state="sending",
            note=f"重试{len(moved)}条失败的发送",
        )
    enqueue_job(session, DEFAULT_QUEUE, Job.FAN_OUT_NOTICE, notice.id)
    return len(moved)


def finish_if_complete(session: Session, notice: Notice, now: datetime) -> bool:
    """sending → done once no delivery of the notice is still open. The caller commits."""
    if notice.status != "sending":
        return False
    still_open = session.scalar(
        select(func.count())
        .select_from(Delivery)
        .where(Delivery.purpose == purpose_of(notice.id), Delivery.status.in_(OPEN))
    )
    if still_open:
        return False
    done = progress(session, notice.id)
    notice.status = "done"
    notice.finished_at = now
    record_event(
        session,
        "notice",
        notice.id,
        actor="worker",
        from_state="sending",
        to_state="done",
        note=f"已送达{done['sent']}条，失败{done['failed']}条",
    )
    return True


def cancel(session: Session, notice: Notice, actor: str) -> bool:
    """draft/scheduled → cancelled. The caller commits."""
    if notice.status not in ("draft", "scheduled"):
        return False
    previous = notice.status
    notice.status = "cancelled"
    record_event(
        session, "notice", notice.id, actor=actor, from_state=previous, to_state="cancelled"
    )
    return True


def pending_delivery_ids(session: Session, notice_id: int) -> list[tuple[int, str]]:
    query = (
        select(Delivery.id, Delivery.queue)
        .where(Delivery.purpose == purpose_of(notice_id), Delivery.status == "pending")
        .order_by(Delivery.id)
    )
    return [(int(i), str(q)) for i, q in session.execute(query)]
