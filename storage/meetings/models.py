"""Residents' council meetings (居民议事会, the 议 of 说议办督评): a meeting for a grid,
compound or the whole community, its agenda items drafted from the open problem list,
attendance and the decision on each item."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.orm import Base, utcnow


class CouncilMeeting(Base):
    __tablename__ = "council_meeting"
    __table_args__ = (Index("ix_council_meeting_scope", "scope", "scope_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    # council 居民议事会 | joint 社区党建联席会议 (agenda from the needs list, see
    # storage/projects/joint.py)
    kind: Mapped[str] = mapped_column(String(16), default="council", server_default="council")
    # grid | compound | community; scope_id is the grid's, compound's or community's id.
    scope: Mapped[str] = mapped_column(String(16))
    scope_id: Mapped[int]
    # The grid the meeting belongs to (for grid workers' visibility); None above a grid.
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grid.id"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    held_at: Mapped[datetime]
    place: Mapped[str | None] = mapped_column(String(100))
    # draft 草拟 → held 已召开 (attendance recorded) → published 已公布
    status: Mapped[str] = mapped_column(String(16), default="draft")
    attendees: Mapped[list[Any]] = mapped_column(default=list)  # names
    attendee_count: Mapped[int] = mapped_column(default=0)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]


class CouncilItem(Base):
    """One agenda item: the open problems of one category in one building, or a topic
    staff wrote in (kind "topic": no requests, `description` says what it is about)."""

    __tablename__ = "council_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("council_meeting.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    # requests (drafted from the problem list) | topic (free text)
    kind: Mapped[str] = mapped_column(String(16), default="requests", server_default="requests")
    category: Mapped[str] = mapped_column(String(16))
    building_id: Mapped[int | None] = mapped_column(ForeignKey("building.id"))
    # At a joint meeting, the need the item discusses (its decision creates a project).
    need_id: Mapped[int | None] = mapped_column(ForeignKey("need.id"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    # open 待议 → decided 已决定
    status: Mapped[str] = mapped_column(String(16), default="open")
    action: Mapped[str | None] = mapped_column(Text)  # what was decided
    owner_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_account.id"))
    owner_name: Mapped[str | None] = mapped_column(String(64))
    due_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(100))
    # The show of hands on the decision (None when no vote was taken).
    votes_for: Mapped[int | None]
    votes_against: Mapped[int | None]
    votes_abstain: Mapped[int | None]


class CouncilItemRequest(Base):
    """A problem report discussed under an agenda item."""

    __tablename__ = "council_item_request"
    __table_args__ = (UniqueConstraint("item_id", "request_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("council_item.id"), index=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id"), index=True)
