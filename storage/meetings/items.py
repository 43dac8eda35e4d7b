"""Agenda items of a council meeting after it is created: topics added by hand, and the
decision on each item with the vote on it (for, against, abstaining). Callers commit
and write the audit rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.events import record_event
from storage.meetings.service import (
    ENTITY,
    MeetingError,
    Topic,
    editable,
    item_owner,
    topic_item,
)
from storage.models import CouncilItem, CouncilMeeting, StaffAccount
from storage.requests.rules import local_label

MAX_VOTES = 100_000


@dataclass(frozen=True)
class Votes:
    """A show of hands: how many were for, against, and abstained."""

    for_: int
    against: int
    abstain: int

    @property
    def total(self) -> int:
        return self.for_ + self.against + self.abstain

    @property
    def label(self) -> str:
        return f"同意{self.for_}票，反对{self.against}票，弃权{self.abstain}票"

    @classmethod
    def of(cls, item: CouncilItem) -> Votes | None:
        if item.votes_for is None and item.votes_against is None and item.votes_abstain is None:
            return None
        return cls(item.votes_for or 0, item.votes_against or 0, item.votes_abstain or 0)


def check_votes(meeting: CouncilMeeting, votes: Votes) -> None:
    counts = (votes.for_, votes.against, votes.abstain)
    if any(n < 0 or n > MAX_VOTES for n in counts):
        raise MeetingError("票数须为0或正整数", 400)
    if votes.total == 0:
        raise MeetingError("表决票数不能都为0；没有表决请留空", 400)
    if meeting.attendee_count and votes.total > meeting.attendee_count:
        raise MeetingError(
            f"表决票数合计{votes.total}票，超过了参会人数{meeting.attendee_count}人", 400
        )


def add_topic(
    session: Session, meeting: CouncilMeeting, topic: Topic, *, actor: str, now: datetime
) -> CouncilItem:
    """A topic staff write in, after the meeting's other items."""
    editable(meeting)
    if not topic.title.strip():
        raise MeetingError("请填写议题名称", 400)
    last = session.scalar(
        select(func.max(CouncilItem.position)).where(CouncilItem.meeting_id == meeting.id)
    )
    item = topic_item(meeting.id, int(last or 0) + 1, topic)
    session.add(item)
    session.flush()
    meeting.updated_at = now
    record_event(
        session,
        ENTITY,
        meeting.id,
        actor=actor,
        from_state=meeting.status,
        to_state="topic_added",
        note=item.title,
    )
    return item


def decide_item(
    session: Session,
    meeting: CouncilMeeting,
    item: CouncilItem,
    *,
    action: str,
    owner_staff_id: int | None,
    owner_name: str | None,
    due_at: datetime,
    actor: str,
    now: datetime,
    votes: Votes | None = None,
) -> CouncilItem:
    editable(meeting)
    if item.meeting_id != meeting.id:
        raise MeetingError("议题不属于这次议事会", 404)
    action = action.strip()
    if not action:
        raise MeetingError("请填写议定的办理措施", 400)
    owner_name = (owner_name or "").strip()[:64] or None
    if owner_staff_id is not None:
        owner = session.get(StaffAccount, owner_staff_id)
        if owner is None or not owner.active:
            raise MeetingError("负责人账号不存在或已停用", 400)
        owner_name = None
    elif owner_name is None:
        raise MeetingError("请指定负责人", 400)
    if due_at.tzinfo is None or due_at <= now:
        raise MeetingError("办结期限必须晚于现在", 400)
    if votes is not None:
        check_votes(meeting, votes)
    previous = item.status
    item.action = action[:1000]
    item.owner_staff_id = owner_staff_id
    item.owner_name = owner_name
    item.due_at = due_at
    item.votes_for = votes.for_ if votes else None
    item.votes_against = votes.against if votes else None
    item.votes_abstain = votes.abstain if votes else None
    item.status = "decided"
    item.decided_at = now
    item.decided_by = actor
    meeting.updated_at = now
    note = (
        f"{item.title}：{item.action}；负责人：{item_owner(session, item)}，"
        f"期限：{local_label(due_at)}"
    )
    if votes is not None:
        note += f"；表决：{votes.label}"
    record_event(
        session,
        ENTITY,
        meeting.id,
        actor=actor,
        from_state=previous,
        to_state="item_decided",
        note=note,
    )
    return item
