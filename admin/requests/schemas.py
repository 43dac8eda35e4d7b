"""Bodies and answers of the problem-report API (/admin/api/requests). Times are ISO 8601
strings (UTC), with a `*_label` in China time where the console shows them."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from admin.requests.actions import MAX_SUMMARY
from admin.schemas import Number, Public

MAX_TEXT = 1000

# -- Bodies ----------------------------------------------------------------------------------


class ReasonIn(BaseModel):
    reason: str = Field(min_length=1, max_length=MAX_TEXT)


class ResolveIn(BaseModel):
    note: str = Field(min_length=1, max_length=MAX_TEXT)


class AssignIn(BaseModel):
    owner_staff_id: int | None = None
    owner_name: str | None = Field(None, max_length=64)
    due_at: datetime | None = Field(None, description="带时区，如 2026-11-25T18:00+08:00")
    note: str | None = Field(None, max_length=MAX_TEXT)


class SummaryIn(BaseModel):
    summary: str = Field("", max_length=MAX_SUMMARY)


class CouncilIn(BaseModel):
    action: Literal["agenda", "decision"]
    decision: str | None = Field(None, max_length=MAX_TEXT)


class SlaIn(BaseModel):
    category: str = Field(description="问题类别，或 * 表示任何类别")
    urgent: bool = False
    respond_hours: float = Field(gt=0, le=24 * 90)
    resolve_hours: float = Field(gt=0, le=24 * 365)


# -- Answers ---------------------------------------------------------------------------------


class RequestPublic(Public):
    """A problem report as the grid queue lists it."""

    id: int
    code: str
    status: str
    status_label: str
    category: str
    location: str
    description: str
    urgent: bool
    source: str
    grid_id: int | None
    grid_name: str
    owner_staff_id: int | None
    owner: str | None
    due_at: str
    due_label: str
    respond_by: str
    resolve_by: str
    overdue: bool
    escalation_level: int
    same_count: int
    reopen_count: int
    status_note: str | None
    public_summary: str | None
    council_status: str
    council_decision: str | None
    rating: int | None
    rating_state: str
    followup_state: str
    created_at: str
    updated_at: str
    resolved_at: str | None


class RequestList(Public):
    total: int
    items: list[RequestPublic]


class Reporter(Public):
    name: str
    openid: str


class PhotoPublic(Public):
    id: int
    status: str
    content_type: str | None
    size: int | None


class RequestEvent(Public):
    actor_label: str = ""
    at: str
    at_label: str
    actor: str
    from_state: str | None
    to_state: str
    label: str
    note: str | None


class RequestDetail(RequestPublic):
    """One problem report with who reported it, its photos and its full history."""

    reporter: Reporter | None
    subscribers: int
    photos: list[PhotoPublic]
    history: list[RequestEvent]


class GridOverdue(Public):
    grid_id: int | None
    count: int


class OwnerOverdue(Public):
    owner_staff_id: int | None
    owner: str
    count: int


class OverduePublic(Public):
    by_grid: list[GridOverdue]
    by_owner: list[OwnerOverdue]


class SlaRulePublic(Public):
    category: str
    urgent: bool
    respond_hours: Number
    resolve_hours: Number
