"""Bodies and answers of the three lists API (/admin/api/needs, /resources, /projects,
/joint-meetings). Times are ISO 8601 strings, with `*_label` in China time."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from admin.meetings.schemas import MeetingDetail
from admin.schemas import Public

# -- Bodies ----------------------------------------------------------------------------------


class NeedIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    category: str = Field("其他", max_length=16)
    building_id: int | None = Field(None, description="空表示全社区（仅社区管理员）")
    detail: str | None = Field(None, max_length=2000)


class GroupIn(BaseModel):
    key: str = Field(max_length=40, description="诉求分组，如 3:公共照明（楼栋id:类别）")


class CouncilItemIn(BaseModel):
    item_id: int


class ResourceIn(BaseModel):
    kind: str = Field(description="org、firm、venue、fund 或 skill")
    name: str = Field(min_length=1, max_length=100)
    owner: str = Field(min_length=1, max_length=100, description="提供单位")
    offer: str = Field(min_length=1, max_length=2000, description="能提供什么")
    contact_name: str | None = Field(None, max_length=64)
    contact_phone: str | None = Field(None, max_length=32)


class ActiveIn(BaseModel):
    active: bool


class ProgressIn(BaseModel):
    text: str = Field(min_length=1, max_length=500, description="公开的进展，不写居民个人信息")


class LinkIn(BaseModel):
    code: str = Field(min_length=4, max_length=32, description="工单编号，如 M20261207-0001")


class FinishIn(BaseModel):
    note: str = Field("", max_length=500)


class JointMeetingIn(BaseModel):
    title: str = Field(min_length=1, max_length=100)
    held_at: datetime = Field(description="带时区，如 2026-12-10T15:00+08:00")
    place: str | None = Field(None, max_length=100)
    need_ids: list[int] = Field(default_factory=list, max_length=200)
    group_keys: list[str] = Field(default_factory=list, max_length=200)


class MilestoneIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    due_at: datetime | None = None


class JointDecisionIn(BaseModel):
    title: str = Field(min_length=1, max_length=100, description="项目名称")
    plan: str = Field(min_length=1, max_length=2000, description="做什么")
    resource_ids: list[int] = Field(min_length=1, max_length=50)
    owner_staff_id: int | None = None
    owner_name: str | None = Field(None, max_length=64)
    due_at: datetime = Field(description="带时区")
    milestones: list[MilestoneIn] = Field(default_factory=list, max_length=20)


class AttendanceIn(BaseModel):
    names: list[str] = Field(default_factory=list, max_length=200, description="参会单位")
    count: int | None = Field(None, ge=1, le=10_000)


# -- Answers ---------------------------------------------------------------------------------


class RequestRef(Public):
    id: int
    code: str
    status_label: str


class NeedOut(Public):
    id: int
    title: str
    category: str
    building_id: int | None
    building: str
    grid_id: int | None
    detail: str | None
    source: str
    source_label: str
    source_ref: str | None
    status: str
    status_label: str
    created_label: str
    requests: list[RequestRef]


class GroupOut(Public):
    """Open requests of one building and category, not yet on the needs list (computed)."""

    key: str
    title: str
    category: str
    building: str
    grid_id: int | None
    count: int
    codes: list[str]


class CouncilItemOut(Public):
    id: int
    title: str
    meeting: str
    action: str | None


class NeedsList(Public):
    needs: list[NeedOut]
    groups: list[GroupOut]
    council_items: list[CouncilItemOut]


class ResourceOut(Public):
    id: int
    kind: str
    kind_label: str
    name: str
    owner: str
    offer: str
    contact_name: str | None
    contact_phone: str | None
    from_volunteers: bool
    active: bool


class SyncCounts(Public):
    created: int
    updated: int
    inactive: int


class ProjectSummary(Public):
    id: int
    title: str
    plan: str
    status: str
    status_label: str
    owner: str
    owner_staff_id: int | None
    owner_name: str | None
    due_at: str
    due_label: str
    grid_id: int | None
    need_id: int
    meeting_id: int | None
    buildings: list[str]
    progress: str | None
    progress_label: str | None
    milestones_done: int
    milestones_total: int


class MilestoneOut(Public):
    id: int
    title: str
    due_label: str | None
    done: bool
    done_label: str | None


class ProjectEvent(Public):
    at: str
    actor: str
    to_state: str
    note: str | None


class ProjectDetail(ProjectSummary):
    resources: list[ResourceOut]
    milestones: list[MilestoneOut]
    requests: list[RequestRef]
    history: list[ProjectEvent]


class Published(Public):
    groups: int = Field(description="收到进展的楼栋群个数")
    project: ProjectDetail


class JointDraft(Public):
    needs: list[NeedOut]
    groups: list[GroupOut]
    members: list[str] = Field(description="参会单位：资源清单里的提供单位")


class JointDetail(MeetingDetail):
    """A joint meeting: the council meeting record with each item's need and project."""

    needs: dict[str, NeedOut] = Field(description="议题id → 需求")
    projects: dict[str, ProjectSummary] = Field(description="议题id → 已立项目")
    members: list[str]


class JointPublished(JointDetail):
    published: dict[str, int] = Field(description="启动的项目数、楼栋群数、通知的居民数")
