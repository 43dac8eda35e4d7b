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
from storage.outbound.notify import REPLACED_BY
from storage.outbound.queues import DEFAULT_QUEUE, enqueue_job

OPEN = ("pending", "sending", "failed")
REPLACED_LABEL = "未能用客服消息送达，已改用模板消息"
RETRYABLE = ("failed", "dead")


def _replaced(session: Session, notice_id: int) -> dict[str, int]:
    """Refused customer-service deliveries sent again as template messages, per channel
    (they are not failures: the template delivery stands for the recipient)."""
    query = select(Delivery.channel, Delivery.payload).where(
        Delivery.purpose == purpose_of(notice_id), Delivery.status == "dead"
    )
    counts: dict[str, int] = {}
    for channel, payload in session.execute(query):
        if (payload or {}).get(REPLACED_BY):
            counts[channel] = counts.get(channel, 0) + 1
    return counts


def progress(session: Session, notice_id: int) -> dict[str, Any]:
    """Counts per channel and status (one per recipient: a message that fell back to a
    template message counts once, as its template delivery), the shares sent, failed and
    waiting, whether it is over, and a sentence that says so plainly."""
    query = (
        select(Delivery.channel, Delivery.status, func.count())
        .where(Delivery.purpose == purpose_of(notice_id))
        .group_by(Delivery.channel, Delivery.status)
    )
    replaced = _replaced(session, notice_id)
    channels: dict[str, dict[str, int]] = {}
    totals = dict.fromkeys(DELIVERY_LABELS, 0)
    for channel, status, count in session.execute(query):
        row = channels.setdefault(channel, {**dict.fromkeys(DELIVERY_LABELS, 0), "replaced": 0})
        row[status] = int(count)
        totals[status] += int(count)
    for channel, count in replaced.items():
        channels[channel]["dead"] -= count
        channels[channel]["replaced"] = count
        totals["dead"] -= count
    total = sum(totals.values())
    # An unknown outcome is final too: only staff resend it (docs/delivery.md).
    finished = totals["sent"] + totals["dead"] + totals["unknown"]
    failed = totals["failed"] + totals["dead"]
    complete = total > 0 and finished == total
    return {
        "total": total,
        "sent": totals["sent"],
        "failed": failed,
        "unknown": totals["unknown"],
        "waiting": totals["pending"] + totals["sending"],
        "fell_back": sum(replaced.values()),
        "percent": 100 if total == 0 else int(finished * 100 / total),
        "sent_percent": 0 if total == 0 else int(totals["sent"] * 100 / total),
        "failed_percent": _failed_percent(total, totals["sent"], failed + totals["unknown"]),
        "complete": complete,
        "outcome": outcome_text(total, totals["sent"], failed, totals["unknown"], complete),
        "statuses": totals,
        "channels": [
            {"channel": c, "label": CHANNEL_LABELS.get(c, c), **counts}
            for c, counts in sorted(channels.items())
        ],
    }


def _failed_percent(total: int, sent: int, missed: int) -> int:
    """The red part of the bar: when nothing is waiting, what is not green (so rounding
    never leaves a grey sliver that looks like work still to do)."""
    if total == 0 or missed == 0:
        return 0
    sent_percent = int(sent * 100 / total)
    if sent + missed == total:
        return 100 - sent_percent
    return max(1, int(missed * 100 / total))


def outcome_text(total: int, sent: int, failed: int, unknown: int, complete: bool) -> str:
    """「已发送6/7，1条失败」: what staff read in the list, the page and the log."""
    if total == 0:
        return "没有可发送的对象"
    text = f"已发送{sent}/{total}"
    if failed:
        text += f"，{failed}条失败"
    if unknown:
        text += f"，{unknown}条结果未知"
    if not complete:
        return f"发送中，{text}"
    return f"全部送达（{sent}/{total}）" if sent == total else text


def failures(session: Session, notice_id: int, limit: int = 50) -> list[dict[str, Any]]:
    """The recipients the notice did not reach (failed, given up, unknown), each with the
    reason in Chinese; refused messages that went out as template messages are not here."""
    return [
        row
        for row in recipients(session, notice_id, "problem", limit=limit * 2)
        if not row["replaced"]
    ][:limit]


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
    replaced = {d.id for d in rows if (d.payload or {}).get(REPLACED_BY)}
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
            "status": "replaced" if d.id in replaced else d.status,
            "status_label": REPLACED_LABEL
            if d.id in replaced
            else DELIVERY_LABELS.get(d.status, d.status),
            "replaced": d.id in replaced,
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
        select(Delivery.id, Delivery.status, Delivery.payload).where(
            Delivery.purpose == purpose, Delivery.status.in_(RETRYABLE)
        )
    ).all()
    moved = []
    for delivery_id, previous, payload in rows:
        if (payload or {}).get(REPLACED_BY):
            continue  # sent again as a template message: never the same channel again
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
    note = done["outcome"]
    missed = failures(session, notice.id, limit=20)
    if missed:
        note += "：" + "；".join(
            f"{r['name']}（{r['last_error'] or r['status_label']}）" for r in missed
        )
        if done["failed"] + done["unknown"] > len(missed):
            note += " 等"
    if done["fell_back"]:
        note += (
            f"。另有{done['fell_back']}条客服消息被微信拒收（超过48小时或条数已满），已改用模板消息"
        )
    record_event(
        session,
        "notice",
        notice.id,
        actor="worker",
        from_state="sending",
        to_state="done",
        note=note,
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
