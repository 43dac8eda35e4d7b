"""Volunteers, canteens, meal orders, delivery tasks with their offers, and the hours ledger."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.orm import Base, utcnow


class VolunteerPolicy(Base):
    """Per-community settings of the volunteer service (staff may change them)."""

    __tablename__ = "volunteer_policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), unique=True)
    # New volunteers wait for staff approval before they receive offers.
    require_approval: Mapped[bool] = mapped_column(default=False)
    # No acceptance within this many minutes → offer to a wider circle.
    offer_wait_minutes: Mapped[int] = mapped_column(default=10)
    # A volunteer holds at most this many assigned (not yet delivered) tasks.
    max_active_tasks: Mapped[int] = mapped_column(default=2)
    # An accepted task may be handed back within this many minutes of accepting.
    handback_minutes: Mapped[int] = mapped_column(default=30)
    # Hours credited for one delivered meal task, in minutes.
    minutes_per_task: Mapped[int] = mapped_column(default=30)
    # Reminder this long before the pickup time.
    remind_minutes: Mapped[int] = mapped_column(default=30)
    # Template used when the 48 h customer-service window is closed.
    offer_template_id: Mapped[str] = mapped_column(String(64), default="volunteer_task")


class VolunteerProfile(Base):
    __tablename__ = "volunteer_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), unique=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grid.id"), index=True)
    building_id: Mapped[int | None] = mapped_column(ForeignKey("building.id"))
    skills: Mapped[list[Any]] = mapped_column(default=list)  # ["送餐", "陪伴", …]
    days: Mapped[list[Any]] = mapped_column(default=list)  # weekday numbers 0 (Mon) … 6
    slots: Mapped[list[Any]] = mapped_column(default=list)  # breakfast | lunch | dinner
    # pending (awaiting approval) | active | paused | left
    status: Mapped[str] = mapped_column(String(16), default="active")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    approved_by: Mapped[str | None] = mapped_column(String(100))


class Canteen(Base):
    """An elderly canteen (幸福食堂): where meals are picked up."""

    __tablename__ = "canteen"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    pickup: Mapped[str] = mapped_column(String(200))  # where volunteers collect meals
    # Local pickup times per meal slot, "HH:MM".
    slot_times: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Orders (and cancellations) close this long before the pickup time.
    cutoff_minutes: Mapped[int] = mapped_column(default=120)
    # Delivered within this long after pickup, or staff are alerted.
    deliver_minutes: Mapped[int] = mapped_column(default=60)


class MealOrder(Base):
    __tablename__ = "meal_order"
    __table_args__ = (Index("ix_meal_order_status", "status", "meal_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    canteen_id: Mapped[int] = mapped_column(ForeignKey("canteen.id"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"))
    meal_date: Mapped[date]
    slot: Mapped[str] = mapped_column(String(16))
    count: Mapped[int] = mapped_column(default=1)
    note: Mapped[str | None] = mapped_column(Text)
    # pending → confirmed (a task exists) | rejected | cancelled
    status: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def code(self) -> str:
        return f"D{self.id}"


class VolunteerTask(Base):
    """A delivery task; `code` (T15) is what volunteers reply with."""

    __tablename__ = "volunteer_task"
    __table_args__ = (Index("ix_volunteer_task_status", "status", "offered_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    canteen_id: Mapped[int] = mapped_column(ForeignKey("canteen.id"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("meal_order.id"), unique=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"))
    grid_id: Mapped[int] = mapped_column(ForeignKey("grid.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="meal")
    count: Mapped[int] = mapped_column(default=1)
    note: Mapped[str | None] = mapped_column(Text)
    pickup_at: Mapped[datetime]
    deadline_at: Mapped[datetime]
    # open (offered) → assigned → done | cancelled; handed back: assigned → open
    status: Mapped[str] = mapped_column(String(16), default="open")
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("volunteer_profile.id"), index=True)
    assigned_at: Mapped[datetime | None]
    done_at: Mapped[datetime | None]
    confirmed_at: Mapped[datetime | None]  # the recipient said it arrived
    # 0 own grid, 1 neighbouring grids, 2 everyone; 3 = staff alerted
    offer_round: Mapped[int] = mapped_column(default=0)
    # Incremented by each hand-back so offers of the new attempt are new offers.
    attempt: Mapped[int] = mapped_column(default=0)
    # Volunteers who handed this task back: not offered it again.
    declined_by: Mapped[list[Any]] = mapped_column(default=list)
    offered_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    overdue_alerted_at: Mapped[datetime | None]
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def code(self) -> str:
        return f"T{self.id}"


class TaskOffer(Base):
    __tablename__ = "task_offer"
    __table_args__ = (UniqueConstraint("task_id", "volunteer_id", "attempt"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("volunteer_task.id"), index=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteer_profile.id"))
    attempt: Mapped[int] = mapped_column(default=0)
    offer_round: Mapped[int] = mapped_column(default=0)
    offered_at: Mapped[datetime] = mapped_column(default=utcnow)


class HoursEntry(Base):
    """Ledger of service time; corrections are new (possibly negative) entries."""

    __tablename__ = "hours_entry"
    __table_args__ = (Index("ix_hours_volunteer", "volunteer_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteer_profile.id"))
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grid.id"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("volunteer_task.id"))
    minutes: Mapped[int]
    reason: Mapped[str] = mapped_column(String(200))
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("hours_entry.id"))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
