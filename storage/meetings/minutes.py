"""The minutes (会议纪要) of a council meeting: what was on the agenda, what was decided,
by whom and by when, and how the vote went — one structure for the printable page and
the Word file (storage/meetings/docx.py). Dates in China time, with the year."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from storage.clock import CHINA
from storage.handovers.service import actor_label
from storage.meetings.docx import Document
from storage.meetings.items import Votes
from storage.meetings.service import (
    ITEM_LABELS,
    STATUS_LABELS_MEETING,
    building_label,
    item_owner,
    item_requests,
    items_of,
    scope_label,
)
from storage.models import CouncilMeeting

KIND_LABELS = {"requests": "居民反映的问题", "topic": "其他议题"}


def full_date(value: datetime | None) -> str:
    """ "2026年12月4日 19:30" in China time."""
    if value is None:
        return ""
    local = value.astimezone(CHINA)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


@dataclass
class MinutesItem:
    position: int
    title: str
    kind: str
    kind_label: str
    building: str
    description: str
    requests: list[str]
    decided: bool
    status_label: str
    action: str
    owner: str
    due: str
    votes: Votes | None

    @property
    def votes_label(self) -> str:
        return self.votes.label if self.votes else "未表决"


@dataclass
class Minutes:
    id: int
    title: str
    scope: str
    held: str
    place: str
    status_label: str
    attendee_count: int
    attendees: list[str]
    created_by: str
    published: str
    items: list[MinutesItem] = field(default_factory=list)

    @property
    def decided_count(self) -> int:
        return sum(1 for i in self.items if i.decided)

    @property
    def file_name(self) -> str:
        return f"议事会纪要-{self.id}.docx"


def minutes_of(session: Session, meeting: CouncilMeeting) -> Minutes:
    minutes = Minutes(
        id=meeting.id,
        title=meeting.title,
        scope=scope_label(session, meeting.scope, meeting.scope_id),
        held=full_date(meeting.held_at),
        place=meeting.place or "",
        status_label=STATUS_LABELS_MEETING[meeting.status],
        attendee_count=meeting.attendee_count,
        attendees=list(meeting.attendees or []),
        created_by=actor_label(session, meeting.created_by),
        published=full_date(meeting.published_at),
    )
    for item in items_of(session, meeting.id):
        decided = item.status == "decided"
        minutes.items.append(
            MinutesItem(
                position=item.position,
                title=item.title,
                kind=item.kind,
                kind_label=KIND_LABELS.get(item.kind, item.kind),
                building=building_label(session, item.building_id) if item.building_id else "",
                description=item.description or "",
                requests=[
                    f"{r.code}｜{r.location}｜{r.description}"
                    for r in item_requests(session, item.id)
                ],
                decided=decided,
                status_label=ITEM_LABELS[item.status],
                action=item.action or "",
                owner=item_owner(session, item) if decided else "",
                due=full_date(item.due_at) if decided else "",
                votes=Votes.of(item),
            )
        )
    return minutes


def minutes_docx(minutes: Minutes) -> bytes:
    """The minutes as a Word document."""
    doc = Document(minutes.title)
    doc.heading("居民议事会会议纪要", level=0)
    doc.heading(minutes.title, level=1)
    doc.paragraph(minutes.scope, label="范围：")
    doc.paragraph(minutes.held, label="时间：")
    if minutes.place:
        doc.paragraph(minutes.place, label="地点：")
    attendance = f"{minutes.attendee_count}人" if minutes.attendee_count else "未登记"
    if minutes.attendees:
        attendance += "（" + "、".join(minutes.attendees) + "）"
    doc.paragraph(attendance, label="参会：")
    doc.paragraph(
        f"共{len(minutes.items)}项，已决定{minutes.decided_count}项；{minutes.status_label}"
        + (f"（{minutes.published}公布）" if minutes.published else ""),
        label="议题：",
    )
    doc.table(
        ["序号", "议题", "决定", "负责人", "办结期限", "同意", "反对", "弃权"],
        [
            [
                str(i.position),
                i.title,
                i.action or i.status_label,
                i.owner,
                i.due,
                *(
                    [str(i.votes.for_), str(i.votes.against), str(i.votes.abstain)]
                    if i.votes
                    else ["—", "—", "—"]
                ),
            ]
            for i in minutes.items
        ],
        [700, 2000, 2400, 1200, 1400, 600, 600, 600],
    )
    for item in minutes.items:
        doc.heading(f"议题{item.position}：{item.title}", level=2)
        doc.paragraph(item.kind_label, label="来源：")
        if item.description:
            doc.paragraph(item.description, label="说明：")
        for line in item.requests:
            doc.paragraph(line, label="问题：")
        if item.decided:
            doc.paragraph(item.action, label="决定：")
            doc.paragraph(item.votes_label, label="表决：")
            doc.paragraph(f"{item.owner}，{item.due}前办结", label="负责人：")
        else:
            doc.paragraph("待议", label="决定：")
    doc.paragraph(f"记录：{minutes.created_by}")
    return doc.bytes()
