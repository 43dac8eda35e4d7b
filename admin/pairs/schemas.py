"""Bodies and answers of the 结对帮扶 API (/admin/api/pairs). Times are ISO 8601 strings
with a `*_label` in China time where the console shows them."""

from __future__ import annotations

from pydantic import BaseModel, Field

from admin.schemas import Public

# -- Bodies ----------------------------------------------------------------------------------


class MemberIn(BaseModel):
    address: str = Field(min_length=3, max_length=20, description="楼号-单元-房号，如 8-1-402")
    name: str = Field("", max_length=64, description="同一户住着几位居民时写姓名")


class PairIn(BaseModel):
    kind: str = Field(description="空巢老人、困境儿童、就业帮扶 或 新邻居")
    members: list[MemberIn] = Field(min_length=1, max_length=10, description="一帮一 或 一帮几")
    volunteer_id: int | None = Field(None, description="志愿者档案编号；空着则待安排")
    cadence_days: int | None = Field(None, ge=1, le=90, description="探访周期（天）")
    note: str | None = Field(None, max_length=500)


class AssignIn(BaseModel):
    volunteer_id: int


class EndIn(BaseModel):
    reason: str = Field(min_length=1, max_length=200, description="如 已搬离、已就业")


class FamilyIn(BaseModel):
    member_id: int = Field(description="结对对象（居民编号）")
    address: str = Field(min_length=3, max_length=20, description="家属的住址，如 5-1-302")
    name: str = Field("", max_length=64)
    relation: str = Field("家属", max_length=16, description="如 女儿、儿子")


# -- Answers ---------------------------------------------------------------------------------


class MemberOut(Public):
    resident_id: int
    name: str
    address: str


class VisitOut(Public):
    id: int
    mode: str
    mode_label: str
    text: str
    note: str | None
    need: str | None
    request_code: str | None
    volunteer: str
    visited_at: str
    visited_label: str


class FamilyOut(Public):
    member: str
    family: str
    relation: str


class PairSummary(Public):
    id: int
    code: str
    kind: str
    status: str
    status_label: str
    grid: str
    members: list[MemberOut]
    form: str  # 一帮一 | 一帮几
    volunteer_id: int | None
    volunteer: str
    cadence_days: int
    last_visit_label: str
    due_at: str | None
    due_label: str
    overdue: bool


class PairDetail(PairSummary):
    note: str | None
    visits: list[VisitOut]
    family: list[FamilyOut]


class VolunteerChoice(Public):
    id: int
    name: str
    grid: str
