"""Bodies and answers of the polls API (/admin/api/polls). Times the console shows are
strings in China time (`*_label`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from admin.schemas import Number, Public

# -- Bodies ----------------------------------------------------------------------------------


class QuestionIn(BaseModel):
    kind: Literal["choice", "score", "text"]
    text: str = Field(min_length=1, max_length=200)
    options: list[str] = Field(default_factory=list, max_length=9)


class PopulationIn(BaseModel):
    kind: Literal["care", "service", "everyone"] = Field(
        description="care 关怀对象（按标签）、service 服务对象、everyone 全部住户"
    )
    tags: list[str] = Field(
        default_factory=list, max_length=10, description="如 独居老人、空巢老人、低保"
    )
    grid_ids: list[int] = Field(default_factory=list, max_length=100)
    building_ids: list[int] = Field(default_factory=list, max_length=500)


class PollIn(BaseModel):
    title: str = Field(min_length=1, max_length=100)
    intro: str = Field("", max_length=500)
    questions: list[QuestionIn] = Field(min_length=1, max_length=10)
    population: PopulationIn
    cadence_days: int | None = Field(
        None,
        ge=7,
        le=366,
        description="不填按对象：关怀对象和服务对象每月（30天），其他每两个月（60天）",
    )


class CallIn(BaseModel):
    outcome: Literal["answered", "unreachable", "refused"]
    answers: dict[int, int | str] = Field(
        default_factory=dict, description="题号（从0起）→ 选项号、分数或文字"
    )
    note: str = Field("", max_length=500)


# -- Answers ---------------------------------------------------------------------------------


class QuestionOut(Public):
    kind: str
    text: str
    options: list[str]


class ChannelCount(Public):
    channel: str
    label: str
    count: int


class ReasonCount(Public):
    reason: str
    count: int


class Preview(Public):
    """Who the next round would ask, per channel (and why some can only be phoned)."""

    total: int
    channels: list[ChannelCount]
    phone_reasons: list[ReasonCount]


class RoundOut(Public):
    number: int
    status: str
    started_label: str
    chat_due_label: str
    progress: dict[str, int]
    channels: dict[str, int]


class PollSummary(Public):
    id: int
    title: str
    status: str
    status_label: str
    population_label: str
    cadence_days: int
    next_round_label: str
    rounds: int


class PollDetail(PollSummary):
    intro: str
    questions: list[QuestionOut]
    preview: Preview
    round_list: list[RoundOut]


class GroupScore(Public):
    label: str
    mean: Number | None
    count: int
    low: int


class OptionCount(Public):
    label: str
    count: int


class RoundCounts(Public):
    label: str
    counts: list[int]


class WordAnswer(Public):
    text: str
    building: str
    round: int
    request_code: str | None


class QuestionResult(Public):
    index: int
    kind: str
    text: str
    count: int
    by_grid: list[GroupScore]
    by_building: list[GroupScore]
    by_round: list[GroupScore] | list[RoundCounts]
    options: list[OptionCount]
    words: list[WordAnswer]


class PollResults(Public):
    id: int
    title: str
    questions: list[QuestionResult]


class PhoneItem(Public):
    target_id: int
    poll_id: int
    poll_title: str
    round: int
    grid: str
    address: str
    name: str | None
    phone: str | None
    reason: str | None
    questions: list[QuestionOut]


class CallRecorded(Public):
    target_id: int
    status: str
    status_label: str
    answers: int
    request_codes: list[str]
