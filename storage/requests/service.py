"""Problem reports as a service: creating, following, moving through statuses, queries.

Every status change is a conditional UPDATE (`… WHERE status = <what we saw>`), so of two
staff acting at once exactly one wins; every change and action is an event row. Callers
commit (the processor for chat, routes for the console, jobs for RQ work).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from storage.events import insert_event, record_event
from storage.models import RequestSubscriber, ServiceRequest, StaffAccount, TicketCounter
from storage.outbound.jobs import Job
from storage.outbound.queues import enqueue_job, grid_queue_name
from storage.requests.follow_writes import add_follower
from storage.requests.notify import notify_followers, notify_grid_staff
from storage.requests.rules import (
    ACCEPTED,
    CANCELLED,
    DISPATCHED,
    DUPLICATE_WINDOW,
    IN_PROGRESS,
    RESOLVED,
    RETURNED,
    STATUS_LABELS,
    TRANSITIONS,
    china_day,
    deadline_label,
    local_label,
    sla_deadline,
    sla_for,
)
from storage.work_calendar import calendar_for

ENTITY = "request"
STAFF_NEW = (
    "【新问题{urgent}】{code} {category}｜{location}\n{description}\n请在{respond_by}前响应。"
)
STAFF_CHANGE = "【问题{label}】{code}｜{location}\n原因：{note}"
RESIDENT_UPDATES = {
    DISPATCHED: "您反映的问题（{code}）已派给{owner}处理，预计{due}前办结。",
    IN_PROGRESS: "您反映的问题（{code}）正在处理中，负责人：{owner}。",
    RETURNED: "您反映的问题（{code}）需要重新安排处理人，原因：{note}。我们会尽快重新派单。",
    CANCELLED: "您反映的问题（{code}）已撤销。原因：{note}",
    ACCEPTED: "您反映的问题（{code}）已重新受理，原因：{note}。我们会尽快处理。",
}


class TransitionError(Exception):
    """The change is not allowed now; `message` is shown to staff or residents."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def next_code(session: Session, now: datetime) -> str:
    """M<day>-<n>: the day's counter row is incremented by one atomic upsert."""
    day = china_day(now)
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    upsert = (
        insert(TicketCounter)
        .values(day=day, last=1)
        .on_conflict_do_update(index_elements=["day"], set_={"last": TicketCounter.last + 1})
        .returning(TicketCounter.last)
    )
    number = session.scalar(upsert)
    return f"M{day}-{int(number or 0):04d}"


@dataclass
class NewRequest:
    community_id: int
    grid_id: int | None
    building_id: int | None
    household_id: int | None
    location: str
    category: str
    description: str
    urgent: bool
    resident_id: int | None = None
    source: str = "wechat"
    inbound_message_id: int | None = None


def sla_deadlines(
    session: Session, category: str, urgent: bool, now: datetime, community_id: int | None
) -> dict[str, datetime]:
    """respond_by, resolve_by and due_at (= resolve_by) of a request (re)accepted now:
    urgent ones in wall-clock hours, the others in the community's working time."""
    sla = sla_for(session, category, urgent)
    calendar = calendar_for(session, community_id)
    resolve_by = sla_deadline(now, sla.resolve_hours, urgent, calendar)
    return {
        "respond_by": sla_deadline(now, sla.respond_hours, urgent, calendar),
        "resolve_by": resolve_by,
        "due_at": resolve_by,
    }


def create_request(
    session: Session, new: NewRequest, *, actor: str, now: datetime
) -> ServiceRequest:
    request = ServiceRequest(
        code=next_code(session, now),
        community_id=new.community_id,
        grid_id=new.grid_id,
        building_id=new.building_id,
        household_id=new.household_id,
        location=new.location,
        resident_id=new.resident_id,
        source=new.source,
        inbound_message_id=new.inbound_message_id,
        category=new.category,
        description=new.description,
        urgent=new.urgent,
        status=ACCEPTED,
        is_open=True,
        **sla_deadlines(session, new.category, new.urgent, now, new.community_id),
        created_at=now,
        updated_at=now,
    )
    session.add(request)
    session.flush()
    record_event(
        session, ENTITY, request.id, actor=actor, to_state=ACCEPTED, note=new.description[:500]
    )
    notify_grid_staff(
        session,
        request,
        STAFF_NEW.format(
            urgent="·紧急" if new.urgent else "",
            code=request.code,
            category=new.category,
            location=new.location,
            description=new.description[:300],
            respond_by=deadline_label(request.respond_by, now),
        ),
        "new",
    )
    return request


def find_duplicate(
    session: Session, building_id: int | None, category: str, now: datetime
) -> ServiceRequest | None:
    """An open request of the same category in the same building, reported recently."""
    if building_id is None or category == "其他":
        return None
    query = (
        select(ServiceRequest)
        .where(
            ServiceRequest.building_id == building_id,
            ServiceRequest.category == category,
            ServiceRequest.is_open.is_(True),
            ServiceRequest.created_at >= now - DUPLICATE_WINDOW,
        )
        .order_by(ServiceRequest.created_at.desc())
        .limit(1)
    )
    return session.scalar(query)


def is_follower(session: Session, request: ServiceRequest, resident_id: int) -> bool:
    if request.resident_id == resident_id:
        return True
    query = select(RequestSubscriber.id).where(
        RequestSubscriber.request_id == request.id, RequestSubscriber.resident_id == resident_id
    )
    return session.scalar(query) is not None


def subscribe(
    session: Session,
    request: ServiceRequest,
    resident_id: int,
    *,
    actor: str,
    text: str,
    now: datetime,
) -> bool:
    """Follow a request as a same-problem reporter; False if already following."""
    if is_follower(session, request, resident_id):
        return False
    # No flush or refresh: the new count and status come back with the UPDATE.
    count, status = add_follower(session, request.id, resident_id, text[:2000], now)
    set_committed_value(request, "same_count", count)
    set_committed_value(request, "status", status)
    insert_event(
        session,
        ENTITY,
        request.id,
        actor=actor,
        from_state=request.status,
        to_state="subscribed",
        note=f"同一问题：{text}"[:500],
    )
    return True


def unsubscribe(session: Session, request: ServiceRequest, resident_id: int, *, actor: str) -> None:
    row = session.scalar(
        select(RequestSubscriber).where(
            RequestSubscriber.request_id == request.id, RequestSubscriber.resident_id == resident_id
        )
    )
    if row is None:
        return
    session.delete(row)
    session.execute(
        update(ServiceRequest)
        .where(ServiceRequest.id == request.id, ServiceRequest.same_count > 1)
        .values(same_count=ServiceRequest.same_count - 1)
        .execution_options(synchronize_session=False)
    )
    record_event(
        session,
        ENTITY,
        request.id,
        actor=actor,
        from_state=request.status,
        to_state="note",
        note="居民表示不是同一问题，已取消关注",
    )


def owner_display(
    session: Session, owner_name: str | None, owner_staff_id: int | None, default: str
) -> str:
    """Who owns a piece of work: the name written down, else the staff account's display
    name, else `default`."""
    if owner_name:
        return owner_name
    if owner_staff_id is not None:
        staff = session.get(StaffAccount, owner_staff_id)
        if staff is not None:
            return staff.display_name
    return default


def owner_label(session: Session, request: ServiceRequest) -> str:
    return owner_display(session, request.owner_name, request.owner_staff_id, "网格员")


def transition(
    session: Session,
    request: ServiceRequest,
    to_status: str,
    *,
    actor: str,
    now: datetime,
    note: str | None = None,
    owner_staff_id: int | None = None,
    owner_name: str | None = None,
    due_at: datetime | None = None,
    only_unowned: bool = False,
    notify_skip_resident: int | None = None,
    tell_residents: bool = True,
) -> ServiceRequest:
    """Move a request to `to_status` if it is still where we saw it; notify followers
    (unless the caller tells them itself, in one message with more: `tell_residents`)."""
    current = request.status
    if to_status not in TRANSITIONS.get(current, frozenset()):
        raise TransitionError(
            f"当前状态为“{STATUS_LABELS.get(current, current)}”，"
            f"不能改为“{STATUS_LABELS.get(to_status, to_status)}”"
        )
    values: dict[str, Any] = {"status": to_status, "updated_at": now}
    if to_status in (DISPATCHED, IN_PROGRESS) and request.responded_at is None:
        values["responded_at"] = now
    if to_status == DISPATCHED:
        values.update(
            owner_staff_id=owner_staff_id,
            owner_name=owner_name,
            due_at=due_at or request.resolve_by,
            escalation_level=0,
        )
    elif to_status == RETURNED:
        values.update(owner_staff_id=None, owner_name=None, status_note=note)
    elif to_status == CANCELLED:
        values.update(is_open=False, closed_at=now, status_note=note)
    elif to_status == RESOLVED:
        values.update(is_open=False, resolved_at=now, status_note=note, rating_state="")
    elif to_status == ACCEPTED:  # reopened
        values.update(
            is_open=True,
            resolved_at=None,
            closed_at=None,
            status_note=note,
            owner_staff_id=None,
            owner_name=None,
            **sla_deadlines(session, request.category, request.urgent, now, request.community_id),
            responded_at=None,
            escalation_level=0,
            reopen_count=ServiceRequest.reopen_count + 1,
        )
    condition = [ServiceRequest.id == request.id, ServiceRequest.status == current]
    if only_unowned:
        condition.append(ServiceRequest.owner_staff_id.is_(None))
    result = session.execute(
        update(ServiceRequest)
        .where(*condition)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        session.refresh(request)
        if request.owner_staff_id is not None and only_unowned:
            raise TransitionError(f"已被{owner_label(session, request)}认领")
        raise TransitionError("该事项刚被其他人处理过，请刷新后再试")
    session.refresh(request)
    event_note = note
    if to_status == DISPATCHED:
        event_note = f"负责人：{owner_label(session, request)}，期限：{local_label(request.due_at)}"
        if note:
            event_note += f"；{note}"
    record_event(
        session,
        ENTITY,
        request.id,
        actor=actor,
        from_state=current,
        to_state=to_status,
        note=event_note,
    )
    session.flush()
    key = f"status:{to_status}:{int(now.timestamp() * 1000)}"
    if to_status == RESOLVED:
        enqueue_job(session, grid_queue_name(request.grid_id), Job.ASK_RATING, request.id)
    elif to_status in RESIDENT_UPDATES and tell_residents:
        text = RESIDENT_UPDATES[to_status].format(
            code=request.code,
            owner=owner_label(session, request),
            due=deadline_label(request.due_at, now),
            note=note or "无",
        )
        notify_followers(session, request, text, key, now, skip_resident_id=notify_skip_resident)
    if to_status in (ACCEPTED, CANCELLED):
        label = "重新受理" if to_status == ACCEPTED else "已撤销"
        staff_text = STAFF_CHANGE.format(
            code=request.code, label=label, location=request.location, note=note or "无"
        )
        notify_grid_staff(session, request, staff_text, key)
    return request


def claim(
    session: Session, request: ServiceRequest, staff: StaffAccount, *, now: datetime
) -> ServiceRequest:
    if request.status not in (ACCEPTED, RETURNED):
        if request.owner_staff_id is not None and request.is_open:
            raise TransitionError(f"已被{owner_label(session, request)}认领")
        raise TransitionError(f"该事项当前为“{STATUS_LABELS[request.status]}”，不能认领")
    return transition(
        session,
        request,
        DISPATCHED,
        actor=f"staff:{staff.username}",
        now=now,
        note=f"{staff.display_name}认领",
        owner_staff_id=staff.id,
        only_unowned=True,
    )


def record_action(
    session: Session, request: ServiceRequest, action: str, *, actor: str, note: str | None
) -> None:
    record_event(
        session,
        ENTITY,
        request.id,
        actor=actor,
        from_state=request.status,
        to_state=action,
        note=note,
    )
