"""What the console's council-meeting actions do once the request is parsed (shared by the
pages in admin/meetings/pages.py and the JSON API in admin/meetings/api.py): run the storage
step, turn its MeetingError into an HTTP error, write the audit row and commit."""

from __future__ import annotations

from datetime import datetime

from fastapi import HTTPException
from sqlalchemy.orm import Session

from admin.audit import audit_staff
from admin.deps import Staff
from admin.meetings.view import community_id, load_meeting, to_http
from bot.deps import commit
from bot.runtime import Runtime
from storage.meetings.items import Votes, add_topic, decide_item
from storage.meetings.publish import publish
from storage.meetings.service import MeetingError, Topic, create_meeting, record_attendance
from storage.models import CouncilItem, CouncilMeeting, utcnow


def load_item(
    session: Session, staff: Staff, meeting_id: int, item_id: int
) -> tuple[CouncilMeeting, CouncilItem]:
    """The meeting (as `load_meeting` checks it) and one of its items, or 404."""
    meeting = load_meeting(session, staff, meeting_id)
    item = session.get(CouncilItem, item_id)
    if item is None or item.meeting_id != meeting.id:
        raise HTTPException(status_code=404, detail="没有找到这个议题")
    return meeting, item


def create_and_audit(
    session: Session,
    staff: Staff,
    ip: str,
    *,
    scope: str,
    scope_id: int,
    title: str,
    held_at: datetime,
    place: str | None,
    request_ids: list[int],
    topics: list[Topic] | None = None,
) -> CouncilMeeting:
    try:
        meeting = create_meeting(
            session,
            community_id=community_id(session),
            scope=scope,
            scope_id=scope_id,
            title=title,
            held_at=held_at,
            place=place,
            request_ids=request_ids,
            actor=staff.actor,
            now=utcnow(),
            topics=topics,
        )
    except MeetingError as exc:
        raise to_http(exc) from exc
    audit_staff(session, staff, "meeting_create", ip, "meeting", meeting.id, title)
    commit(session)
    return meeting


def attend_and_audit(
    session: Session,
    staff: Staff,
    ip: str,
    meeting: CouncilMeeting,
    *,
    names: list[str],
    count: int | None,
) -> None:
    try:
        record_attendance(
            session, meeting, names=names, count=count, actor=staff.actor, now=utcnow()
        )
    except MeetingError as exc:
        raise to_http(exc) from exc
    detail = f"参会{meeting.attendee_count}人"
    audit_staff(session, staff, "meeting_attendance", ip, "meeting", meeting.id, detail)
    commit(session)


def decide_and_audit(
    session: Session,
    staff: Staff,
    ip: str,
    meeting: CouncilMeeting,
    item: CouncilItem,
    *,
    action: str,
    owner_staff_id: int | None,
    owner_name: str | None,
    due_at: datetime,
    votes: Votes | None = None,
) -> None:
    try:
        decide_item(
            session,
            meeting,
            item,
            action=action,
            owner_staff_id=owner_staff_id,
            owner_name=owner_name,
            due_at=due_at,
            actor=staff.actor,
            now=utcnow(),
            votes=votes,
        )
    except MeetingError as exc:
        raise to_http(exc) from exc
    detail = f"{item.title}：{item.action}" + (f"；{votes.label}" if votes else "")
    audit_staff(session, staff, "meeting_decide", ip, "meeting", meeting.id, detail)
    commit(session)


def topic_and_audit(
    session: Session, staff: Staff, ip: str, meeting: CouncilMeeting, topic: Topic
) -> CouncilItem:
    try:
        item = add_topic(session, meeting, topic, actor=staff.actor, now=utcnow())
    except MeetingError as exc:
        raise to_http(exc) from exc
    audit_staff(session, staff, "meeting_topic", ip, "meeting", meeting.id, item.title)
    commit(session)
    return item


def parse_votes(for_: str, against: str, abstain: str) -> Votes | None:
    """The vote fields of the decision form: all empty means no vote was taken; an empty
    field beside filled ones counts 0."""
    fields = [v.strip() for v in (for_, against, abstain)]
    if not any(fields):
        return None
    if not all(v.isdigit() for v in fields if v):
        raise HTTPException(status_code=400, detail="票数须为0或正整数")
    n = [int(v) if v else 0 for v in fields]
    return Votes(n[0], n[1], n[2])


def publish_and_audit(
    session: Session, runtime: Runtime, staff: Staff, ip: str, meeting: CouncilMeeting
) -> dict[str, int]:
    """Publish the results, commit and push the notices' send jobs; the counts published."""
    try:
        counts = publish(session, meeting, actor=staff.actor, now=utcnow())
    except MeetingError as exc:
        raise to_http(exc) from exc
    detail = (
        f"楼栋群{counts['groups']}个，居民{counts['residents']}人，派单{counts['dispatched']}件"
    )
    audit_staff(session, staff, "meeting_publish", ip, "meeting", meeting.id, detail)
    commit(session)
    return counts
