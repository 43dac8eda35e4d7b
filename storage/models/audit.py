"""The staff audit log: who did what in the console, when, to which record."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class AuditLog(Base):
    """One row per staff action (login, logout, claim, close, retry …). Never updated."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_at", "at"),
        Index("ix_audit_log_username", "username", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    # None for failed logins with an unknown username; `username` keeps what was typed.
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_account.id"))
    username: Mapped[str] = mapped_column(String(64))
    # login | login_failed | login_blocked | logout | claim | close | retry
    action: Mapped[str] = mapped_column(String(32))
    target_type: Mapped[str | None] = mapped_column(String(32))
    target_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(Text)
    ip: Mapped[str | None] = mapped_column(String(64))
