"""Messages to job seekers within WeChat's limits: new postings that suit them, and the
officer's decision on their application.

Channel choice per seeker: a customer-service message (客服消息) while the seeker wrote
to the account within the last 47 h (48 h minus a margin for the queue) and a share of
the 5 messages per resident message is still free (one kept for replies); otherwise a
template message when the account may send them; otherwise nothing. Each seeker gets at
most one notice per posting (one idempotency key whatever the channel) and at most
MAX_NOTICES_PER_WEEK posting notices a week; seekers who replied 退订 get none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.employment.matching import NOTIFY_MIN_SCORE, score
from storage.employment.service import APPLICATION_LABELS, posting_line, posting_view, seeker_view
from storage.models import (
    Building,
    Delivery,
    Household,
    JobApplication,
    JobPosting,
    JobSeeker,
    Resident,
    Unit,
)
from storage.outbound.deliveries import plan_deliveries
from storage.outbound.notify import Template, notify
from storage.outbound.platform_rules import planned_channel
from storage.outbound.queues import grid_queue_name

NOTICE_PURPOSE = "job_notice"
DECISION_PURPOSE = "job_decision"
# The template registered for job notices in the official account's back office.
JOB_TEMPLATE_ID = "TPL_JOB_NOTICE"
CS_RESERVED = 1  # left for answering the seeker's next message late
MAX_NOTICES_PER_WEEK = 3
UNSENT = ("pending", "sending", "failed")

NOTICE_TEXT = "【新岗位】{line}\n{why}\n回复“报名 {code}”即可报名；回复“退订”不再接收岗位通知。"
DECISION_TEXT = {
    "hired": "【报名结果】您报名的 {code} {title}（{employer}）：已录用。就业专干会联系您办理上岗，请保持电话畅通。",
    "rejected": "【报名结果】您报名的 {code} {title}（{employer}）：这次未录用。别灰心，有合适的岗位会再通知您，也可以回复“找工作”看看其他岗位。",
}


@dataclass
class NotifyStats:
    candidates: int = 0
    matched: int = 0
    customer_service: int = 0
    template: int = 0
    over_weekly_cap: int = 0
    no_channel: int = 0
    # Send jobs written to the outbox by this run (for the caller to drain after commit).
    outbox_ids: list[int] = field(default_factory=list, repr=False)

    @property
    def planned(self) -> int:
        return self.customer_service + self.template


def choose_channel(
    last_message_at: datetime | None,
    cs_used: int,
    now: datetime,
    template_allowed: bool,
) -> str | None:
    return planned_channel(
        last_message_at, cs_used, now, template_allowed=template_allowed, reserved=CS_RESERVED
    )


def _template_data(text: str, title: str) -> dict[str, Any]:
    return {"first": title, "keyword1": text.split("\n", 1)[0], "remark": text}


def _payload(channel: str, text: str, title: str) -> dict[str, Any]:
    payload: dict[str, Any] = {"text": text}
    if channel == "template":
        payload.update(template_id=JOB_TEMPLATE_ID, data=_template_data(text, title))
    return payload


def _counts(session: Session, *where: object) -> dict[str, int]:
    query = select(Delivery.recipient, func.count()).where(*where).group_by(Delivery.recipient)  # type: ignore[arg-type]
    return {recipient: int(n) for recipient, n in session.execute(query)}


def notify_matching_seekers(
    session: Session, posting_id: int, now: datetime, template_allowed: bool
) -> NotifyStats:
    """Plan a notice for every seeker the posting suits (the caller commits)."""
    stats = NotifyStats()
    posting = session.get(JobPosting, posting_id)
    if posting is None or posting.status != "open":
        return stats
    pview = posting_view(posting)
    rows = session.execute(
        select(
            JobSeeker,
            Resident.openid,
            Resident.last_message_at,
            Resident.cs_quota_used,
            Building.compound_id,
            Building.grid_id,
        )
        .join(Resident, JobSeeker.resident_id == Resident.id)
        .outerjoin(Household, JobSeeker.household_id == Household.id)
        .outerjoin(Unit, Household.unit_id == Unit.id)
        .outerjoin(Building, Unit.building_id == Building.id)
        .where(
            JobSeeker.notify.is_(True),
            JobSeeker.labour_status == "available",
            Resident.subscribed.is_(True),
        )
        .order_by(JobSeeker.id)
    ).all()
    stats.candidates = len(rows)
    matches = []
    for seeker, openid, last_at, cs_used, compound_id, grid_id in rows:
        match = score(seeker_view(seeker, compound_id, grid_id), pview)
        if match is not None and match.score >= NOTIFY_MIN_SCORE:
            matches.append((match, openid, last_at, cs_used, grid_id))
    stats.matched = len(matches)
    if not matches:
        return stats
    week = _counts(
        session,
        Delivery.purpose == NOTICE_PURPOSE,
        Delivery.created_at >= now - timedelta(days=7),
        Delivery.status != "dead",
        ~Delivery.idempotency_key.startswith(f"{NOTICE_PURPOSE}:{posting.id}:", autoescape=True),
    )
    pending_cs = _counts(
        session, Delivery.channel == "customer_service", Delivery.status.in_(UNSENT)
    )
    line = posting_line(posting)
    planned: list[dict[str, Any]] = []
    for match, openid, last_at, cs_used, grid_id in matches:
        if week.get(openid, 0) >= MAX_NOTICES_PER_WEEK:
            stats.over_weekly_cap += 1
            continue
        used = int(cs_used or 0) + pending_cs.get(openid, 0)
        channel = choose_channel(last_at, used, now, template_allowed)
        if channel is None:
            stats.no_channel += 1
            continue
        text = NOTICE_TEXT.format(line=line, why=match.explanation, code=posting.code)
        planned.append(
            {
                "idempotency_key": f"{NOTICE_PURPOSE}:{posting.id}:{match.seeker_id}",
                "channel": channel,
                "recipient": openid,
                "purpose": NOTICE_PURPOSE,
                "payload": _payload(channel, text, "有一个新岗位适合您"),
                "queue": grid_queue_name(grid_id),
            }
        )
        if channel == "customer_service":
            stats.customer_service += 1
        else:
            stats.template += 1
    stats.outbox_ids = plan_deliveries(session, planned).outbox_ids
    return stats


def notify_decision(
    session: Session, application: JobApplication, now: datetime, template_allowed: bool
) -> Delivery | None:
    """Tell the seeker the officer's decision (None when they cannot be reached)."""
    seeker = application.seeker
    resident = seeker.resident
    if resident is None or not resident.subscribed or application.status not in DECISION_TEXT:
        return None
    pending = _counts(
        session,
        Delivery.channel == "customer_service",
        Delivery.status.in_(UNSENT),
        Delivery.recipient == resident.openid,
    )
    posting = application.posting
    text = DECISION_TEXT[application.status].format(
        code=posting.code, title=posting.title, employer=posting.employer
    )
    household = seeker.household
    return notify(
        session,
        resident,
        text,
        purpose=DECISION_PURPOSE,
        key=f"{DECISION_PURPOSE}:{application.id}:{application.status}",
        queue=grid_queue_name(household.grid_id if household else None),
        now=now,
        template=Template(
            JOB_TEMPLATE_ID,
            _template_data(text, f"报名结果：{APPLICATION_LABELS[application.status]}"),
        ),
        template_allowed=template_allowed,
        pending_cs=pending.get(resident.openid, 0),
        reserved=CS_RESERVED,
    )
