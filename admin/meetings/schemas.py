"""Bodies and answers of the residents' council API (/admin/api/meetings). Times are ISO
8601 strings, with a `*_label` in China time where the console shows them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from admin.schemas import Public

# -- Bodies ----------------------------------------------------------------------------------


class TopicIn(BaseModel):
    title: str = Field(min_length=1, max_length=100)
    description: str = Field("", max_length=2000)


class MeetingIn(BaseModel):
    scope: str = Field(max_length=40, description="grid:1、compound:2 或 community:1")
    title: str = Field(min_length=1, max_length=100)
    held_at: datetime = Field(description="带时区，如 2026-11-25T18:00+08:00")
    place: str | None = Field(None, max_length=100)
    request_ids: list[int] = Field(default_factory=list, max_length=500)
    topics: list[TopicIn] = Field(
        default_factory=list, max_length=50, description="问题清单以外的议题"
    )


class AttendanceIn(BaseModel):
    names: list[str] = Field(default_factory=list, max_length=500)
    count: int | None = Field(None, ge=1, le=100_000)


class ItemDecisionIn(BaseModel):
    action: str = Field(min_length=1, max_length=1000)
    owner_staff_id: int | None = None
    owner_name: str | None = Field(None, max_length=64)
    due_at: datetime = Field(description="带时区，如 2026-11-25T18:00+08:00")
    votes_for: int | None = Field(None, ge=0, le=100_000, description="同意票数（未表决则不填）")
    votes_against: int | None = Field(None, ge=0, le=100_000)
    votes_abstain: int | None = Field(None, ge=0, le=100_000)


# -- Answers ---------------------------------------------------------------------------------


class DraftRequest(Public):
    id: int
    code: str
    location: str
    description: str
    status_label: str
    age_days: int
    same_count: int


class DraftGroup(Public):
    """Open problems of one building and category, not yet on a meeting's agenda."""

    title: str
    category: str
    building: str
    count: int
    oldest_days: int
    requests: list[DraftRequest]


class AgendaDraft(Public):
    scope: str
    items: list[DraftGroup]


class MeetingSummary(Public):
    id: int
    title: str
    scope: str
    scope_id: int
    scope_label: str
    grid_id: int | None
    held_at: str
    held_label: str
    place: str | None
    status: str
    status_label: str
    attendees: list[str]
    attendee_count: int
    published_at: str | None


class ItemRequest(Public):
    id: int
    code: str
    location: str
    description: str
    status: str
    status_label: str
    council_decision: str | None


class AgendaItem(Public):
    id: int
    position: int
    title: str
    kind: str = Field(description="requests（来自问题清单）或 topic（其他议题）")
    description: str | None
    category: str
    building: str
    status: str
    status_label: str
    action: str | None
    owner_staff_id: int | None
    owner_name: str | None
    owner: str | None
    due_at: str | None
    due_label: str
    due_input: str
    votes_for: int | None
    votes_against: int | None
    votes_abstain: int | None
    votes_label: str = Field(description="如：同意12票，反对1票，弃权2票；未表决为空")
    requests: list[ItemRequest]


class MeetingEvent(Public):
    at: str
    actor: str
    to_state: str
    label: str
    note: str | None


class MeetingDetail(MeetingSummary):
    """A meeting with its agenda items (and what was decided) and its history."""

    items: list[AgendaItem]
    history: list[MeetingEvent]


class MeetingPublished(MeetingDetail):
    published: dict[str, int] = Field(description="公布到的楼栋群、居民人数和派单件数")
