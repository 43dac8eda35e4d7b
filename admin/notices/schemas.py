"""Bodies and answers of the notices API (/admin/api/notices). The times staff see are
China-time strings ("2026-11-25 18:00", empty when not set), as on the pages."""

from __future__ import annotations

from pydantic import BaseModel, Field

from admin.notices.service import MAX_BODY
from admin.schemas import Public

# -- Bodies ----------------------------------------------------------------------------------


class NoticeIn(BaseModel):
    title: str = Field("", max_length=64)
    body: str = Field(min_length=1, max_length=MAX_BODY)
    link: str = Field("", max_length=500)
    image_url: str = Field("", max_length=500)
    scope: str = Field(
        max_length=16,
        description="community、grids、compounds 或 buildings（ids 为所选范围的编号）",
    )
    ids: list[int] = Field(default_factory=list, max_length=500)
    groups: bool = True
    people: list[str] = Field(default_factory=list, max_length=10)


class SendIn(BaseModel):
    scheduled_at: str = Field("", max_length=40, description="空：立即发送；否则定时（北京时间）")


# -- Answers ---------------------------------------------------------------------------------


class StatusCounts(Public):
    """Deliveries per status."""

    pending: int
    sending: int
    sent: int
    failed: int
    dead: int
    unknown: int


class _Channel(Public):
    channel: str
    label: str


class ChannelProgress(StatusCounts, _Channel):
    """One channel's deliveries per status (the channel first, as sent); `replaced`:
    refused customer-service messages sent again as template messages."""

    replaced: int


class NoticeProgress(Public):
    total: int
    sent: int
    failed: int
    unknown: int
    waiting: int
    fell_back: int = Field(description="被微信拒收后改用模板消息发送的客服消息条数")
    percent: int
    sent_percent: int
    failed_percent: int
    complete: bool
    outcome: str = Field(description="如：已发送6/7，1条失败")
    statuses: StatusCounts
    channels: list[ChannelProgress]


class _Status(Public):
    status: str


class NoticeProgressStatus(NoticeProgress, _Status):
    """The notice's status and how far its sending has got."""


class NoticeSummary(Public):
    id: int
    title: str
    body: str
    area: str
    status: str
    status_label: str
    created_by: str
    created_at: str
    scheduled_at: str
    planned_at: str
    finished_at: str
    progress: NoticeProgress | None = Field(description="发送中或已发完时才有")


class ChannelPreview(Public):
    channel: str
    label: str
    count: int
    why: str
    sample: list[str]


class AccountPreview(Public):
    kind: str
    verified: bool


class NoticePreview(Public):
    """Who would receive the notice now, by which channel and why; who cannot, and why."""

    area: str
    residents: int
    total: int
    channels: list[ChannelPreview]
    robot_note: str
    skipped: int
    skipped_reasons: list[tuple[str, int]] = Field(description="[原因, 人数]")
    skipped_sample: list[tuple[str, str]] = Field(description="[收不到的人或群, 原因]")
    text: str
    account: AccountPreview


class NoticeDraft(NoticeSummary):
    preview: NoticePreview


class NoticeDetail(NoticeSummary):
    preview: NoticePreview | None = Field(None, description="草稿和定时通知才有此项")


class _Outcome(Public):
    outcome: str


class NoticeSent(NoticeSummary, _Outcome):
    pass


class _Retried(Public):
    retried: int = Field(description="重新排队的发送条数")


class NoticeRetried(NoticeSummary, _Retried):
    pass


class RecipientPublic(Public):
    id: int
    channel: str
    channel_label: str
    recipient: str
    name: str
    status: str
    status_label: str
    replaced: bool
    attempts: int
    last_error: str
    sent_at: str | None = Field(description="ISO 8601")
