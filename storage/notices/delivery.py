"""Turning a notice's plan into deliveries: claim the notice, insert one delivery per
recipient and channel in bulk (with their events), and queue one fan-out job that puts
the send jobs on the workers' queues."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from storage.events import record_event
from storage.models import Notice
from storage.notices.planning import (
    CHANNEL_LABELS,
    NOTICE_TEMPLATE_ID,
    Account,
    Plan,
    Planned,
    plan_notice,
    purpose_of,
)
from storage.outbound.deliveries import plan_deliveries
from storage.outbound.jobs import Job
from storage.outbound.notify import FALLBACK_KEY, Template, template_payload
from storage.outbound.queues import DEFAULT_QUEUE, enqueue_job


def notice_text(notice: Notice) -> str:
    lines = [f"【{notice.title}】" if notice.title else "【社区通知】", notice.body.strip()]
    if notice.link:
        lines.append(f"详情：{notice.link}")
    if notice.image_url:
        lines.append(f"图片：{notice.image_url}")
    return "\n".join(lines)


def payload_for(notice: Notice, channel: str, text: str) -> dict[str, Any]:
    """A customer-service message carries the template message it falls back to when
    WeChat refuses it (the 48-hour window closed before it was sent); the worker uses it
    only if the account may send template messages."""
    if channel not in ("template", "customer_service"):
        return {"text": text}
    summary = notice.body.strip()
    if len(summary) > 180:
        summary = summary[:180] + "…"
    template = Template(
        NOTICE_TEMPLATE_ID,
        {"first": notice.title or "社区通知", "keyword1": summary, "remark": "城南社区"},
    )
    spec = template_payload(template, text, notice.link)
    if channel == "customer_service":
        return {"text": text, FALLBACK_KEY: spec}
    return {"text": text, "url": notice.link, **spec}


def start_sending(
    session: Session,
    notice_id: int,
    *,
    from_states: tuple[str, ...],
    actor: str,
    account: Account,
    now: datetime,
) -> Plan | None:
    """Claim the notice (draft/scheduled → sending) and add its deliveries, their events and
    one fan-out job to the session; None when another process claimed it first. The
    caller commits."""
    notice = session.get(Notice, notice_id)
    if notice is None or notice.status not in from_states:
        return None
    previous = notice.status
    claimed = session.execute(
        update(Notice)
        .where(Notice.id == notice_id, Notice.status == previous)
        .values(status="sending", planned_at=now)
        .execution_options(synchronize_session=False)
    )
    if not claimed.rowcount:  # type: ignore[attr-defined]
        return None
    session.refresh(notice)
    plan = plan_notice(session, notice, account, now)
    added = add_deliveries(session, notice, plan.deliveries)
    notice.plan = plan.summary()
    counts = "，".join(f"{CHANNEL_LABELS[c]}{n}条" for c, n in plan.counts().items())
    record_event(
        session,
        "notice",
        notice_id,
        actor=actor,
        from_state=previous,
        to_state="sending",
        note=f"{plan.area.label}：{counts or '没有可发送的对象'}；{len(plan.skipped)}个无法送达",
    )
    if added:
        enqueue_job(session, DEFAULT_QUEUE, Job.FAN_OUT_NOTICE, notice_id)
    return plan


def add_deliveries(session: Session, notice: Notice, planned: list[Planned]) -> int:
    """Insert the planned deliveries and their events in bulk (keys already present are
    skipped); their send jobs come from the fan-out job."""
    purpose = purpose_of(notice.id)
    text = notice_text(notice)
    items = [
        {
            "idempotency_key": f"{purpose}:{p.channel}:{p.recipient}",
            "channel": p.channel,
            "recipient": p.recipient,
            "purpose": purpose,
            "payload": payload_for(notice, p.channel, text),
            "queue": p.queue,
        }
        for p in planned
    ]
    return len(plan_deliveries(session, items, send_jobs=False).delivery_ids)
