"""What leaves the service: queued jobs, per-recipient deliveries, group channel settings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.orm import Base, utcnow


class OutboxJob(Base):
    """A job written in the same transaction as the change that caused it.

    It reaches RQ when Redis is reachable; until then it waits here, so nothing is lost.
    """

    __tablename__ = "outbox_job"
    __table_args__ = (Index("ix_outbox_pending", "enqueued_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    queue: Mapped[str] = mapped_column(String(64))
    func: Mapped[str] = mapped_column(String(200))
    args: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A drainer claims a row before enqueueing; a stale claim (drainer died) is taken over.
    claimed_at: Mapped[datetime | None]
    enqueued_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


class Delivery(Base):
    """One message to one recipient through one channel."""

    __tablename__ = "delivery"
    __table_args__ = (Index("ix_delivery_status", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Makes creating the same delivery twice a no-op (e.g. notice 7 → openid X by cs).
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    # customer_service | template | mass_tag | wecom_robot
    channel: Mapped[str] = mapped_column(String(32))
    recipient: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    queue: Mapped[str] = mapped_column(String(64), default="default")
    # pending → sending → sent | failed (retry scheduled) | dead (gave up)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    lease_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    external_id: Mapped[str | None] = mapped_column(String(100))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class GroupChannel(Base):
    """How a building or grid group is reached (a WeCom group robot, for instance)."""

    __tablename__ = "group_channel"
    __table_args__ = (UniqueConstraint("scope", "scope_id", "channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(16))  # building | grid | community
    scope_id: Mapped[int]
    channel: Mapped[str] = mapped_column(String(32))  # wecom_robot
    target: Mapped[str] = mapped_column(String(200))  # robot key
    name: Mapped[str] = mapped_column(String(100))


class SandboxRecord(Base):
    """What the sandbox's stand-in WeChat platform received from the service."""

    __tablename__ = "sandbox_record"
    __table_args__ = (Index("ix_sandbox_kind_target", "kind", "target", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # custom | template | mass | wecom_robot | passive_reply | token
    kind: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(200))
    text: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
