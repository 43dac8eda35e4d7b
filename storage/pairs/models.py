"""结对帮扶: a volunteer paired with one or several residents (一帮一 / 一帮几), the visits
and calls recorded against the pair, newcomers (新邻居) offered a neighbour, and the
family link that lets a resident's relatives see the visits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.orm import Base, utcnow

KINDS = ("空巢老人", "困境儿童", "就业帮扶", "新邻居")
# Default visit cadence per kind, in days (staff may set another per pair).
DEFAULT_CADENCE = {"空巢老人": 7, "困境儿童": 14, "就业帮扶": 14, "新邻居": 30}


class Pair(Base):
    """`code` (P3) is what the volunteer replies with."""

    __tablename__ = "pair"
    __table_args__ = (Index("ix_pair_status", "status", "grid_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grid.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    # pending (waiting for a volunteer) → active → ended
    status: Mapped[str] = mapped_column(String(16), default="pending")
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("volunteer_profile.id"), index=True)
    cadence_days: Mapped[int] = mapped_column(default=7)
    # A visit later than the cadence plus this many days alerts the grid worker.
    grace_days: Mapped[int] = mapped_column(default=2)
    note: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime | None]
    last_visit_at: Mapped[datetime | None]
    # The due moment the last reminder / missed-visit alert was for (each goes out once).
    reminded_for: Mapped[datetime | None]
    alerted_for: Mapped[datetime | None]
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def code(self) -> str:
        return f"P{self.id}"


class PairMember(Base):
    """A resident helped by the pair's volunteer (several rows: 一帮几)."""

    __tablename__ = "pair_member"
    __table_args__ = (UniqueConstraint("pair_id", "resident_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pair.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)


class Visit(Base):
    __tablename__ = "pair_visit"
    __table_args__ = (Index("ix_pair_visit_pair", "pair_id", "visited_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pair.id"))
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("volunteer_profile.id"))
    mode: Mapped[str] = mapped_column(String(8))  # visit 探访 | call 电话
    # The volunteer's reply as sent, and what it said after the pair code.
    text: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    need: Mapped[str | None] = mapped_column(Text)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("service_request.id"))
    inbound_message_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_message.id"))
    recorded_by: Mapped[str] = mapped_column(String(100))
    visited_at: Mapped[datetime] = mapped_column(default=utcnow)


class Newcomer(Base):
    """A resident who bound an address for the first time (新邻居)."""

    __tablename__ = "newcomer"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), unique=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"))
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grid.id"), index=True)
    # offered → accepted (a pending 新邻居 pair exists) | declined
    status: Mapped[str] = mapped_column(String(16), default="offered")
    pair_id: Mapped[int | None] = mapped_column(ForeignKey("pair.id"))
    arrived_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None]


class FamilyLink(Base):
    """`family_resident_id` is a relative of `resident_id` and may ask about their visits."""

    __tablename__ = "family_link"
    __table_args__ = (UniqueConstraint("family_resident_id", "resident_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    family_resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"))
    relation: Mapped[str] = mapped_column(String(16), default="家属")
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
