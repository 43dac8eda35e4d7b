"""Bodies and answers of the employment officer's API (/admin/api/employment). Times are
ISO 8601 strings; dates (deadline) are YYYY-MM-DD."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from admin.schemas import Public
from storage.employment.profile import canonical_skill

# -- Bodies ----------------------------------------------------------------------------------


class PostingIn(BaseModel):
    kind: Literal["workshop", "county", "migrant", "flexible", "training"]
    title: str = Field(min_length=1, max_length=100)
    employer: str = Field(min_length=1, max_length=100)
    skills: list[str] = Field(default_factory=list, max_length=10)
    hours: Literal["full", "half", "any"] = "full"
    place: str = Field(min_length=1, max_length=100)
    compound_id: int | None = None
    grid_id: int | None = None
    pay: str = Field(min_length=1, max_length=64)
    openings: int = Field(ge=1, le=10000)
    deadline: date | None = None
    order_firm: str | None = Field(None, max_length=100, description="只用于培训（培训+订单）")
    description: str | None = Field(None, max_length=2000)

    @field_validator("skills")
    @classmethod
    def known_skills(cls, value: list[str]) -> list[str]:
        out = []
        for word in value:
            skill = canonical_skill(word.strip())
            if skill is None:
                raise ValueError(f"不认识的技能：{word}")
            out.append(skill)
        return sorted(set(out))


class ApplicationDecisionIn(BaseModel):
    decision: Literal["hired", "rejected"]


# -- Answers ---------------------------------------------------------------------------------


class PostingPublic(Public):
    id: int
    code: str
    kind: str
    kind_label: str
    title: str
    employer: str
    skills: list[str]
    hours: str
    hours_label: str
    place: str
    compound_id: int | None
    grid_id: int | None
    pay: str
    openings: int
    filled: int
    applications: int
    deadline: str | None
    order_firm: str | None
    description: str | None
    status: str
    closed_reason: str | None = Field(description="不能报名的原因；可以报名时为 null")
    created_at: str


class ApplicationPublic(Public):
    id: int
    posting_code: str
    seeker_id: int
    name: str
    address: str
    phone: str | None
    profile: str
    status: str
    status_label: str
    created_at: str


class SeekerMatch(Public):
    seeker_id: int
    name: str
    profile: str
    score: int
    explanation: str
    notified: bool = Field(description="分数够高，发布时会收到岗位通知")


class PostingDetail(PostingPublic):
    """A posting with its applications and the seekers who fit it."""

    application_list: list[ApplicationPublic]
    matching_seekers: list[SeekerMatch]


class SeekerPublic(Public):
    id: int
    name: str
    address: str
    source: str
    labour_status: str
    profile: str
    notify: bool


class EmploymentFigures(Public):
    households: int
    people: int
    available: int
    employed: int
    unable: int
    zero_employment_households: int
    zero_employment_addresses: list[str]
    placements: int


class SurveyImported(Public):
    created: int
    updated: int
    rows: int


class SurveyRowError(Public):
    row: int
    column: str
    message: str


class SurveyRejected(Public):
    """Nothing imported: the rows to correct."""

    detail: str
    errors: list[SurveyRowError]
