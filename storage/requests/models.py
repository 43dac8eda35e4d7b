"""Problem reports (民事直说): the request (work order), who follows it, its photos, the
daily ticket counter and the SLA rules. History lives in `event` rows (entity "request")."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.orm import Base, utcnow


class ServiceRequest(Base):
    """One problem a resident raised, from 说 to 评."""

    __tablename__ = "service_request"
    __table_args__ = (
        # The grid queue: open requests of a grid by urgency, then age.
        Index("ix_service_request_queue", "grid_id", "is_open", "urgent", "created_at"),
        Index("ix_service_request_dup", "building_id", "category", "is_open"),
        Index("ix_service_request_due", "is_open", "due_at"),
        Index("ix_service_request_resolved", "status", "resolved_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)  # M20261122-0007
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grid.id"))
    building_id: Mapped[int | None] = mapped_column(ForeignKey("building.id"))
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"))
    location: Mapped[str] = mapped_column(String(200))
    # The reporter; None for reports filed through Open311 without a resident.
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id"), index=True)
    source: Mapped[str] = mapped_column(String(16), default="wechat")  # wechat | open311
    inbound_message_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_message.id"))
    category: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text)
    urgent: Mapped[bool] = mapped_column(default=False)
    # accepted 受理 → dispatched 已派单 → in_progress 处理中 → resolved 已办结;
    # returned 退回, cancelled 已撤销.
    status: Mapped[str] = mapped_column(String(16), default="accepted")
    is_open: Mapped[bool] = mapped_column(default=True)
    status_note: Mapped[str | None] = mapped_column(Text)  # last reason / result
    # What the public board (Open311) may show: written or approved by staff, scrubbed.
    public_summary: Mapped[str | None] = mapped_column(Text)
    same_count: Mapped[int] = mapped_column(default=1)  # "same problem" reports
    reopen_count: Mapped[int] = mapped_column(default=0)
    # 办: the named owner (a staff account, or a name such as a property company's).
    owner_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_account.id"))
    owner_name: Mapped[str | None] = mapped_column(String(64))
    # SLA clocks (set on creation and on reopening) and the owner's deadline.
    respond_by: Mapped[datetime]
    resolve_by: Mapped[datetime]
    due_at: Mapped[datetime]
    responded_at: Mapped[datetime | None]
    # 督: 0 nothing yet, 1 owner warned, 2 escalated to the grid, 3 to the community.
    escalation_level: Mapped[int] = mapped_column(default=0)
    # 议: "" | agenda | decided
    council_status: Mapped[str] = mapped_column(String(16), default="")
    council_decision: Mapped[str | None] = mapped_column(Text)
    council_decided_at: Mapped[datetime | None]
    # 评: "" | asked | reminded | rated | not_rated
    rating_state: Mapped[str] = mapped_column(String(16), default="")
    rating: Mapped[int | None]
    rating_note: Mapped[str | None] = mapped_column(Text)
    rating_asked_at: Mapped[datetime | None]
    # Follow-up questionnaire: "" | asked | yes | no | unsure
    followup_state: Mapped[str] = mapped_column(String(16), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]


class RequestSubscriber(Base):
    """A resident who reported the same problem and follows this request's updates."""

    __tablename__ = "request_subscriber"
    __table_args__ = (UniqueConstraint("request_id", "resident_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    # What the follower said (kept so "新问题" can still file it as its own request).
    text: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RequestPhoto(Base):
    """An image the resident sent about a request; a worker downloads the media."""

    __tablename__ = "request_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id"), index=True)
    media_id: Mapped[str] = mapped_column(String(200))
    pic_url: Mapped[str | None] = mapped_column(String(500))
    inbound_message_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_message.id"))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|stored|failed
    path: Mapped[str | None] = mapped_column(String(500))
    content_type: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    stored_at: Mapped[datetime | None]


class TicketCounter(Base):
    """The last ticket number issued on a (China) day, incremented atomically."""

    __tablename__ = "ticket_counter"

    day: Mapped[str] = mapped_column(String(8), primary_key=True)  # 20261122
    last: Mapped[int] = mapped_column(default=0)


class SlaRule(Base):
    """Overrides of the default response/resolution times (hours) per category."""

    __tablename__ = "sla_rule"
    __table_args__ = (UniqueConstraint("category", "urgent"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(16))  # a category, or "*" for any
    urgent: Mapped[bool] = mapped_column(default=False)
    respond_hours: Mapped[float]
    resolve_hours: Mapped[float]
    updated_by: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
