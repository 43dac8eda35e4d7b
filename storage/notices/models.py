"""Notices (通知) staff broadcast to groups and residents; each recipient is a Delivery
with purpose `notice:<id>`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.orm import Base, utcnow


class Notice(Base):
    """One broadcast. draft → scheduled → sending → done, or cancelled (history in Event)."""

    __tablename__ = "notice"
    __table_args__ = (Index("ix_notice_status_due", "status", "scheduled_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    title: Mapped[str | None] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(500))
    image_url: Mapped[str | None] = mapped_column(String(500))
    # {"scope": community|grids|compounds|buildings, "ids": [...], "groups": bool,
    #  "people": ["all" | "volunteer" | "job_seeker" | "tag:独居老人", …]}
    targets: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The grids the notice reaches (permission checks); empty when community-wide.
    grid_ids: Mapped[list[Any]] = mapped_column(default=list)
    community_wide: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    scheduled_at: Mapped[datetime | None]
    planned_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    # What the planner decided: counts per channel and who could not be reached, and why.
    plan: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_account.id"))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
