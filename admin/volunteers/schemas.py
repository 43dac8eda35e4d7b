"""Bodies and answers of the canteen staff's API (/admin/api/canteen). The times staff see
are China-time strings ("2026-11-25 18:00", empty when not set); meal dates YYYY-MM-DD."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from admin.schemas import Public

SLOT = r"^(breakfast|lunch|dinner)$"

# -- Bodies ----------------------------------------------------------------------------------


class TaskIn(BaseModel):
    building: str = Field(min_length=1, max_length=8)
    unit: str = Field(min_length=1, max_length=8)
    room: str = Field(min_length=1, max_length=8)
    meal_date: date
    slot: str = Field(pattern=SLOT)
    count: int = Field(default=1, ge=1, le=20)
    note: str | None = Field(default=None, max_length=200)


class NoteIn(BaseModel):
    note: str = Field(default="", max_length=200)


class HoursIn(BaseModel):
    minutes: int = Field(ge=-6000, le=6000, description="负数为扣减")
    reason: str = Field(min_length=1, max_length=200)
    corrects_id: int | None = Field(None, description="更正的是哪一条记录")


class PolicyIn(BaseModel):
    """Only the settings given change."""

    require_approval: bool | None = None
    offer_wait_minutes: int | None = Field(default=None, ge=1, le=720)
    max_active_tasks: int | None = Field(default=None, ge=1, le=20)
    handback_minutes: int | None = Field(default=None, ge=0, le=720)
    minutes_per_task: int | None = Field(default=None, ge=1, le=600)
    remind_minutes: int | None = Field(default=None, ge=0, le=720)


# -- Answers ---------------------------------------------------------------------------------


class OrderPublic(Public):
    id: int
    code: str
    address: str
    ordered_by: str
    phone: str
    meal_date: str
    slot: str
    slot_label: str
    count: int
    note: str
    status: str
    status_label: str
    task_code: str | None
    created_at: str


class TaskVolunteer(Public):
    id: int
    name: str | None
    phone: str | None


class TaskPublic(Public):
    id: int
    code: str
    address: str
    grid_id: int
    count: int
    note: str
    status: str
    status_label: str
    pickup_at: str
    deadline_at: str
    offer_round: int
    escalated: bool
    volunteer: TaskVolunteer | None
    assigned_at: str
    done_at: str
    confirmed_by_recipient: bool


class TaskEvent(Public):
    at: str
    actor: str
    from_: str | None = Field(alias="from")
    to: str
    note: str


class TaskDetail(TaskPublic):
    """A delivery task with its history."""

    events: list[TaskEvent]


class OrderConfirmed(Public):
    order: OrderPublic
    task: TaskPublic


class VolunteerPublic(Public):
    id: int
    name: str | None
    openid: str | None
    phone: str
    grid_id: int | None
    skills: list[str]
    days: list[int]
    slots: list[str]
    status: str
    status_label: str
    total_minutes: int


class HoursEntryPublic(Public):
    id: int
    minutes: int
    reason: str
    task_id: int | None
    corrects_id: int | None
    by: str
    at: str


class BoardRowPublic(Public):
    rank: int
    volunteer_id: int
    name: str
    grid_id: int | None
    minutes: int
    entries: int


class Leaderboard(Public):
    month: str
    rows: list[BoardRowPublic]


class PolicyPublic(Public):
    require_approval: bool
    offer_wait_minutes: int
    max_active_tasks: int
    handback_minutes: int
    minutes_per_task: int
    remind_minutes: int
