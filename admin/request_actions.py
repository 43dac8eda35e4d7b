"""One staff action on a request, the same for the JSON API and the queue pages:
the storage transition (or claim), an audit row, one commit."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, Request
from sqlalchemy.orm import Session

from admin.audit import audit_staff
from admin.deps import Staff, client_ip
from storage.models import ServiceRequest, StaffAccount, utcnow
from storage.requests import TransitionError, claim, transition


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
            transition(session, target, action, actor=staff.actor, now=now, **kw)
    except TransitionError as exc:
        raise HTTPException(status_code=exc.status, detail=exc.message) from exc
    audit_staff(session, staff, action, client_ip(request), "request", target.code, kw.get("note"))
    session.commit()
