"""Polls (民调): a poll's questions, population and cadence; its rounds; one target per
household per round (asked by chat, or put on the grid worker's phone list); the answers,
each linked to the request it raised; and residents who asked not to be polled by chat."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.orm import Base, utcnow


class Poll(Base):
    __tablename__ = "poll"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    title: Mapped[str] = mapped_column(String(100))
    intro: Mapped[str] = mapped_column(Text, default="")
    # [{"kind": "choice"|"score"|"text", "text": "…", "options": ["…", …]}]
    questions: Mapped[list[Any]] = mapped_column(default=list)
    # {"kind": "care"|"service"|"everyone", "tags": [...], "grid_ids": [...],
    #  "building_ids": [...]} — grids/buildings narrow any kind.
    population: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The grids the poll covers (who may see it): the population's grids, or all.
    grid_ids: Mapped[list[Any]] = mapped_column(default=list)
    cadence_days: Mapped[int] = mapped_column(default=30)
    # Days a chat question waits for an answer before the household goes on the phone list.
    chat_days: Mapped[int] = mapped_column(default=3)
    # draft → active ⇄ paused → closed
    status: Mapped[str] = mapped_column(String(16), default="draft")
    next_round_at: Mapped[datetime | None] = mapped_column(index=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PollRound(Base):
    __tablename__ = "poll_round"
    __table_args__ = (UniqueConstraint("poll_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("poll.id"), index=True)
    number: Mapped[int]
    started_at: Mapped[datetime]
    # Chat questions unanswered by then go on the phone list.
    chat_due_at: Mapped[datetime]
    chat_expired: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | closed
    closed_at: Mapped[datetime | None]


class PollTarget(Base):
    """One household in one round: how it was asked and where it stands."""

    __tablename__ = "poll_target"
    __table_args__ = (
        UniqueConstraint("round_id", "household_id"),
        Index("ix_poll_target_phone", "status", "grid_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("poll_round.id"), index=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("poll.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"))
    grid_id: Mapped[int] = mapped_column(ForeignKey("grid.id"))
    building_id: Mapped[int] = mapped_column(ForeignKey("building.id"))
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id"), index=True)
    # customer_service | template (asked by chat) | phone (never asked by chat)
    channel: Mapped[str] = mapped_column(String(20))
    # chat (asked, no answer yet) → answering → answered | stopped;
    # phone (on the phone list) → answered | unreachable | refused; missed (round closed)
    status: Mapped[str] = mapped_column(String(16))
    phone_reason: Mapped[str | None] = mapped_column(String(40))
    next_question: Mapped[int] = mapped_column(default=0)
    via: Mapped[str | None] = mapped_column(String(8))  # chat | phone
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("delivery.id"))
    asked_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    called_by: Mapped[str | None] = mapped_column(String(100))
    call_note: Mapped[str | None] = mapped_column(Text)


class PollAnswer(Base):
    __tablename__ = "poll_answer"
    __table_args__ = (UniqueConstraint("target_id", "question"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("poll_target.id"), index=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("poll.id"), index=True)
    question: Mapped[int]  # index into Poll.questions
    number: Mapped[int | None]  # the option (1..n) or the score (1..5)
    text: Mapped[str | None] = mapped_column(Text)
    raw: Mapped[str | None] = mapped_column(Text)  # what the resident typed
    via: Mapped[str] = mapped_column(String(8))  # chat | phone
    # A low score or a complaint in words becomes a request.
    request_id: Mapped[int | None] = mapped_column(ForeignKey("service_request.id"))
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)


class PollOptOut(Base):
    """A resident who replied 退订: later rounds phone the household instead."""

    __tablename__ = "poll_opt_out"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), unique=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
