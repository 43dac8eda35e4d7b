"""The hand-over machine (转人工): open → claimed → closed.

State changes are conditional UPDATEs (`… WHERE status = <what we saw>`), so of two staff
who claim at the same moment exactly one changes the row; the other learns who was
faster. Every change writes an event row (the history); the caller audits and commits.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.events import record_event
from storage.models import Delivery, Event, Handover, Resident, StaffAccount
from storage.outbound.notify import Template, notify
from storage.outbound.queues import grid_queue_name
from storage.writes import update_if

MAX_NOTE = 1000
MAX_REPLY = 500
# The template message for hand-over updates (the account's "服务进度通知" template).
TEMPLATE_ID = "shequ_handover_update"
CLAIMED_TEXT = "您好，{name}已接手您的转人工请求，会尽快联系您。您也可以直接在这里留言。"
CLOSED_TEXT = "您的转人工请求（H{id}）已办结。如还有问题，请随时留言。"
REPLY_TEXT = "【{name}回复】{text}"


class HandoverRefused(Exception):
    """The change cannot happen; `message` says why in words for staff. `conflict` is
    True when someone else's change got there first (HTTP 409), False for bad input."""

    def __init__(self, message: str, *, conflict: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.conflict = conflict


def actor_label(session: Session, actor: str) -> str:
    """An event's actor (`staff:liqiang`, `resident:<openid>`, `worker`) in words."""
    kind, _, name = actor.partition(":")
    if kind == "staff":
        staff = session.scalar(select(StaffAccount).where(StaffAccount.username == name))
        return staff.display_name if staff else name
    if kind == "resident":
        resident = session.scalar(select(Resident).where(Resident.openid == name))
        return f"居民{resident.name}" if resident and resident.name else "居民"
    return {"worker": "发送程序", "planner": "系统"}.get(actor, actor)


def claimed_by(session: Session, handover_id: int) -> str | None:
    actor = session.scalar(
        select(Event.actor)
        .where(
            Event.entity_type == "handover",
            Event.entity_id == handover_id,
            Event.to_state == "claimed",
        )
        .order_by(Event.id.desc())
        .limit(1)
    )
    return actor_label(session, actor) if actor else None


def _transition(session: Session, handover_id: int, from_state: str, to_state: str) -> bool:
    return update_if(
        session,
        Handover,
        Handover.id == handover_id,
        Handover.status == from_state,
        status=to_state,
    )


def _current_status(session: Session, handover: Handover) -> str:
    session.rollback()
    session.refresh(handover)
    return handover.status


def tell_resident(
    session: Session, handover: Handover, text: str, key: str, now: datetime, purpose: str
) -> Delivery | None:
    """A message to the hand-over's resident through the outbound policy (None: WeChat
    allows none now)."""
    resident = session.get(Resident, handover.resident_id)
    if resident is None or not resident.subscribed:
        return None
    template = Template(TEMPLATE_ID, {"first": text, "keyword1": f"H{handover.id}"})
    return notify(
        session,
        resident,
        text,
        purpose=purpose,
        key=f"handover:{handover.id}:{key}",
        queue=grid_queue_name(handover.grid_id),
        now=now,
        template=template,
    )


def reply(
    session: Session,
    handover: Handover,
    text: str,
    *,
    actor: str,
    actor_name: str,
    now: datetime,
) -> Delivery | None:
    """Staff words to the resident; the event row is written only when a message could
    be planned (never a 'sent' that did not happen)."""
    text = text.strip()
    if not text:
        raise HandoverRefused("请填写回复内容", conflict=False)
    if len(text) > MAX_REPLY:
        raise HandoverRefused(f"回复不能超过{MAX_REPLY}字", conflict=False)
    if handover.status == "closed":
        raise HandoverRefused("该事项已办结")
    body = REPLY_TEXT.format(name=actor_name, text=text)
    delivery = tell_resident(
        session, handover, body, f"reply:{int(now.timestamp() * 1000)}", now, "handover_reply"
    )
    if delivery is not None:
        record_event(
            session,
            "handover",
            handover.id,
            actor=actor,
            from_state=handover.status,
            to_state="replied",
            note=text,
        )
    return delivery


def claim(
    session: Session,
    handover: Handover,
    *,
    actor: str,
    actor_name: str,
    now: datetime | None = None,
) -> None:
    if not _transition(session, handover.id, "open", "claimed"):
        if _current_status(session, handover) == "claimed":
            raise HandoverRefused(f"已被{claimed_by(session, handover.id)}认领")
        raise HandoverRefused("该事项已办结，不能认领")
    record_event(
        session,
        "handover",
        handover.id,
        actor=actor,
        from_state="open",
        to_state="claimed",
        note=f"{actor_name}认领",
    )
    if now is not None:
        tell_resident(
            session, handover, CLAIMED_TEXT.format(name=actor_name), "claimed", now, "handover"
        )


def clean_note(note: str) -> str:
    note = note.strip()
    if not note:
        raise HandoverRefused("请填写办结说明", conflict=False)
    if len(note) > MAX_NOTE:
        raise HandoverRefused(f"办结说明不能超过{MAX_NOTE}字", conflict=False)
    return note


def close(
    session: Session, handover: Handover, *, actor: str, note: str, now: datetime | None = None
) -> None:
    if not _transition(session, handover.id, "claimed", "closed"):
        status = _current_status(session, handover)
        raise HandoverRefused("请先认领再办结" if status == "open" else "该事项已办结")
    record_event(
        session,
        "handover",
        handover.id,
        actor=actor,
        from_state="claimed",
        to_state="closed",
        note=note,
    )
    if now is not None:
        tell_resident(
            session, handover, CLOSED_TEXT.format(id=handover.id), "closed", now, "handover"
        )
