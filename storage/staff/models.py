"""Staff accounts and the audit log: who did what in the console, when, to which record."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.orm import Base, utcnow


class StaffAccount(Base):
    __tablename__ = "staff_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(256))
    # community_admin | grid_worker | canteen_staff | employment_officer
    role: Mapped[str] = mapped_column(String(32))
    grid_ids: Mapped[list[Any]] = mapped_column(default=list)
    openid: Mapped[str | None] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(default=True)
    # A temporary password (new account, reset): the next sign-in must change it first.
    must_change_password: Mapped[bool] = mapped_column(default=False)
    # Demo accounts (seed-demo) never sign in when SHEQU_ENV=production.
    is_demo: Mapped[bool] = mapped_column(default=False)
    disabled_at: Mapped[datetime | None]
    password_changed_at: Mapped[datetime | None]


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
