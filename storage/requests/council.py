"""A request on the residents' council (居民议事会) agenda, and the council's decision; and the
public summary, the only words of a request the public board (Open311) shows."""

from __future__ import annotations

from sqlalchemy.orm import Session

from storage.models import Resident, ServiceRequest, utcnow
from storage.privacy import scrub_public_text
from storage.requests.service import TransitionError, record_action

MAX_SUMMARY = 500


def put_on_agenda(session: Session, request: ServiceRequest, *, actor: str) -> None:
    if request.council_status:
        raise TransitionError("该问题已在议事会议题中")
    request.council_status = "agenda"
    request.updated_at = utcnow()
    record_action(session, request, "agenda", actor=actor, note="列入居民议事会议题")


def record_decision(
    session: Session, request: ServiceRequest, decision: str, *, actor: str
) -> None:
    decision = decision.strip()
    if not decision:
        raise TransitionError("请填写议事会决定", status=400)
    if request.council_status != "agenda":
        raise TransitionError("请先列入议事会议题")
    now = utcnow()
    request.council_status = "decided"
    request.council_decision = decision
    request.council_decided_at = now
    request.updated_at = now
    record_action(session, request, "decided", actor=actor, note=decision)


def set_public_summary(
    session: Session, request: ServiceRequest, text: str, *, actor: str
) -> str | None:
    """Store what the public may read, scrubbed of phone, ID and room numbers and of the
    reporter's name; empty text withdraws it. Returns the history note, or None when
    nothing changed."""
    reporter = session.get(Resident, request.resident_id) if request.resident_id else None
    names = [reporter.name] if reporter and reporter.name else []
    summary = scrub_public_text(text, names)[:MAX_SUMMARY] or None
    if summary == request.public_summary:
        return None
    request.public_summary = summary
    note = f"公开摘要：{summary}" if summary else "撤回公开摘要"
    record_action(session, request, "note", actor=actor, note=note)
    return note
