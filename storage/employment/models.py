"""The employment registry: job seekers (from chat or the door-to-door survey 摸排登记),
job and training postings, and applications."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.orm import Base, utcnow
from storage.residents.models import Household, Resident


class JobSeeker(Base):
    """One working-age person. Chat registrations carry `resident_id`; survey rows carry
    the household and name (they are linked when that resident registers in chat)."""

    __tablename__ = "job_seeker"
    __table_args__ = (
        Index("ix_job_seeker_household_name", "household_id", "name"),
        Index("ix_job_seeker_status", "labour_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id"), unique=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"))
    name: Mapped[str | None] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(20))
    # available (可就业) | employed (已就业) | unable (暂不能就业)
    labour_status: Mapped[str] = mapped_column(String(16), default="available")
    unable_reason: Mapped[str | None] = mapped_column(String(32))
    skills: Mapped[list[Any]] = mapped_column(default=list)
    # workshop | county | migrant | flexible | training; empty = any
    wanted_kinds: Mapped[list[Any]] = mapped_column(default=list)
    hours: Mapped[str] = mapped_column(String(8), default="any")  # full | half | any
    constraints: Mapped[list[Any]] = mapped_column(default=list)  # ["接送孩子", …]
    notify: Mapped[bool] = mapped_column(default=True)  # False after 退订
    source: Mapped[str] = mapped_column(String(16), default="chat")  # chat | survey
    note: Mapped[str | None] = mapped_column(Text)
    surveyed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    resident: Mapped[Resident | None] = relationship()
    household: Mapped[Household | None] = relationship()


class JobPosting(Base):
    """A job or a training course; residents see it as J<id>."""

    __tablename__ = "job_posting"
    __table_args__ = (Index("ix_job_posting_status", "status", "deadline"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    kind: Mapped[str] = mapped_column(
        String(16)
    )  # workshop | county | migrant | flexible | training
    title: Mapped[str] = mapped_column(String(100))
    employer: Mapped[str] = mapped_column(String(100))
    skills: Mapped[list[Any]] = mapped_column(default=list)
    hours: Mapped[str] = mapped_column(String(8), default="full")  # full | half | any
    place: Mapped[str] = mapped_column(String(100))
    # Where it is, when inside the community (for the distance score).
    compound_id: Mapped[int | None] = mapped_column(ForeignKey("compound.id"))
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grid.id"))
    pay: Mapped[str] = mapped_column(String(64))
    openings: Mapped[int] = mapped_column(default=1)
    deadline: Mapped[date | None] = mapped_column(Date)
    # 培训+订单: the firm that places orders with the graduates of this training.
    order_firm: Mapped[str | None] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | closed
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def code(self) -> str:
        return f"J{self.id}"


class JobApplication(Base):
    __tablename__ = "job_application"
    __table_args__ = (UniqueConstraint("posting_id", "seeker_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("job_posting.id"), index=True)
    seeker_id: Mapped[int] = mapped_column(ForeignKey("job_seeker.id"), index=True)
    # applied (已报名) → hired (已录用) | rejected (未录用) | withdrawn (已撤回)
    status: Mapped[str] = mapped_column(String(16), default="applied")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]

    posting: Mapped[JobPosting] = relationship()
    seeker: Mapped[JobSeeker] = relationship()
