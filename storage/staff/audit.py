"""Audit rows for staff actions (console and command line), added to the caller's
transaction; the unit of work commits them with the change they describe."""

from __future__ import annotations

from sqlalchemy.orm import Session

from storage.staff.models import AuditLog


def audit(
    session: Session,
    *,
    action: str,
    username: str,
    staff_id: int | None,
    ip: str | None,
    target_type: str | None = None,
    target_id: int | str | None = None,
    detail: str | None = None,
) -> AuditLog:
    row = AuditLog(
        staff_id=staff_id,
        username=username[:64],
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        detail=detail,
        ip=ip,
    )
    session.add(row)
    return row
