"""One staff action on a request, the same for the JSON API and the queue pages:
the storage transition (or claim), an audit row, one commit. Also the public summary:
the only words of a request the public board (Open311) shows."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, Request
from sqlalchemy.orm import Session

from admin.audit import audit_staff
from admin.deps import Staff, client_ip
from bot.deps import commit
from storage.models import ServiceRequest, StaffAccount, utcnow
from storage.requests import council
from storage.requests.council import MAX_SUMMARY
from storage.requests.routing import returned_to_pool
from storage.requests.rules import RETURNED
from storage.requests.service import TransitionError, claim, transition

__all__ = ["MAX_SUMMARY", "apply_action", "set_public_summary"]


def apply_action(
    request: Request,
    session: Session,
    staff: Staff,
    target: ServiceRequest,
    action: str,
    **kw: Any,
) -> None:
    now = utcnow()
    try:
        if action == "claim":
            account = session.get(StaffAccount, staff.id)
            assert account is not None
            claim(session, target, account, now=now)
        else:
            source_grid = target.grid_id
            transition(session, target, action, actor=staff.actor, now=now, **kw)
            if action == RETURNED:  # back to the community's dispatch pool
                returned_to_pool(session, target, source_grid, kw.get("note") or "无")
    except TransitionError as exc:
        raise HTTPException(status_code=exc.status, detail=exc.message) from exc
    audit_staff(session, staff, action, client_ip(request), "request", target.code, kw.get("note"))
    commit(session)


def set_public_summary(
    request: Request, session: Session, staff: Staff, target: ServiceRequest, text: str
) -> None:
    note = council.set_public_summary(session, target, text, actor=staff.actor)
    if note is not None:
        audit_staff(
            session, staff, "public_summary", client_ip(request), "request", target.code, note
        )
        commit(session)
