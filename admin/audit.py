"""Audit rows for a signed-in staff member's actions (storage.staff.audit writes them)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from admin.deps import Staff
from storage.staff.audit import audit
from storage.staff.models import AuditLog

__all__ = ["audit", "audit_staff"]


def audit_staff(
    session: Session,
    staff: Staff,
    action: str,
    ip: str,
    target_type: str | None = None,
    target_id: int | str | None = None,
    detail: str | None = None,
) -> AuditLog:
    return audit(
        session,
        action=action,
        username=staff.username,
        staff_id=staff.id,
        ip=ip,
        target_type=target_type,
        target_id=target_id,
        detail=detail,
    )
