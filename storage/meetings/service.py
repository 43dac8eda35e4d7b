"""Residents' council meetings (议): draft the agenda from the open problem list, record
attendance and decisions, publish the results to building groups and reporters, and move
the linked requests to 办 with the decided owner and deadline.

Every state change is an event row (entity "meeting", and the requests' own history);
callers commit and write the audit rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.clock import in_china
from storage.events import history, record_event
from storage.models import (
    Building,
    Community,
    Compound,
    CouncilItem,
    CouncilItemRequest,
    CouncilMeeting,
    Grid,
    ServiceRequest,
)
from storage.requests.rules import STATUS_LABELS
from storage.requests.service import owner_display, record_action

ENTITY = "meeting"
SCOPES = {"grid": "网格", "compound": "小区", "community": "社区"}
STATUS_LABELS_MEETING = {"draft": "草拟", "held": "已召开", "published": "已公布"}
ITEM_LABELS = {"open": "待议", "decided": "已决定"}


class MeetingError(Exception):
    """The change is not allowed now; `message` is shown to staff."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


# -- Scope and the drafted agenda ----------------------------------------------------------


def scope_grid(session: Session, scope: str, scope_id: int) -> int | None:
    """The grid a meeting belongs to (None for compound and community meetings)."""
    return scope_id if scope == "grid" else None


def _scope_row(session: Session, scope: str, scope_id: int) -> Grid | Compound | Community | None:
    if scope == "grid":
        return session.get(Grid, scope_id)
    if scope == "compound":
        return session.get(Compound, scope_id)
    if scope == "community":
        return session.get(Community, scope_id)
    return None


def scope_label(session: Session, scope: str, scope_id: int) -> str:
    row = _scope_row(session, scope, scope_id)
    return row.name if row is not None else SCOPES.get(scope, scope)


def check_scope(session: Session, community_id: int, scope: str, scope_id: int) -> None:
    if scope not in SCOPES:
        raise MeetingError("请选择议事会范围（网格、小区或社区）", 400)
    row = _scope_row(session, scope, scope_id)
    if isinstance(row, Grid | Compound):
        found = row.community_id == community_id
    else:
        found = row is not None and row.id == community_id
    if not found:
        raise MeetingError("没有找到这个网格、小区或社区", 400)


def _in_scope(scope: str, scope_id: int) -> Any:
    query = select(ServiceRequest).where(ServiceRequest.is_open.is_(True))
    if scope == "grid":
        return query.where(ServiceRequest.grid_id == scope_id)
    if scope == "compound":
        buildings = select(Building.id).where(Building.compound_id == scope_id)
        return query.where(ServiceRequest.building_id.in_(buildings))
    return query.where(ServiceRequest.community_id == scope_id)


def _busy_request_ids(session: Session) -> set[int]:
    """Requests already on the agenda of a meeting that has not published its results."""
    query = (
        select(CouncilItemRequest.request_id)
        .join(CouncilItem, CouncilItem.id == CouncilItemRequest.item_id)
        .join(CouncilMeeting, CouncilMeeting.id == CouncilItem.meeting_id)
        .where(CouncilMeeting.status != "published")
    )
    return set(session.scalars(query))


def building_label(session: Session, building_id: int | None) -> str:
    if building_id is None:
        return "未登记楼栋"
    building = session.get(Building, building_id)
    return building.label if building is not None else "未登记楼栋"


def _age_days(since: datetime, now: datetime) -> int:
    """China-time calendar days between `since` and `now` (0: today, 1: yesterday)."""
    return max(0, (in_china(now).date() - in_china(since).date()).days)


@dataclass
class AgendaGroup:
    category: str
    building_id: int | None
    building: str
    requests: list[ServiceRequest] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"{self.building}·{self.category}（{len(self.requests)}件）"


def _group(session: Session, requests: list[ServiceRequest]) -> list[AgendaGroup]:
    groups: dict[tuple[int | None, str], AgendaGroup] = {}
    for request in requests:
        key = (request.building_id, request.category)
        if key not in groups:
            label = building_label(session, request.building_id)
            groups[key] = AgendaGroup(request.category, request.building_id, label)
        groups[key].requests.append(request)
    # Most reports first, then the oldest problem first.
    return sorted(groups.values(), key=lambda g: (-len(g.requests), g.requests[0].created_at))


def draft_agenda(
    session: Session, scope: str, scope_id: int, now: datetime
) -> list[dict[str, Any]]:
    """The open problems in scope not yet on another meeting's agenda, grouped by
    building and category, with counts and ages (oldest first within a group)."""
    busy = _busy_request_ids(session)
    query = _in_scope(scope, scope_id).order_by(ServiceRequest.created_at, ServiceRequest.id)
    requests = [r for r in session.scalars(query) if r.id not in busy]
    return [
        {
            "title": g.title,
            "category": g.category,
            "building": g.building,
            "count": len(g.requests),
            "oldest_days": _age_days(g.requests[0].created_at, now),
            "requests": [
                {
                    "id": r.id,
                    "code": r.code,
                    "location": r.location,
                    "description": r.description,
                    "status_label": STATUS_LABELS[r.status],
                    "age_days": _age_days(r.created_at, now),
                    "same_count": r.same_count,
                }
                for r in g.requests
            ],
        }
        for g in _group(session, requests)
    ]


# -- Creating and running a meeting --------------------------------------------------------


def create_meeting(
    session: Session,
    *,
    community_id: int,
    scope: str,
    scope_id: int,
    title: str,
    held_at: datetime,
    place: str | None,
    request_ids: list[int],
    actor: str,
    now: datetime,
    topics: list[Topic] | None = None,
) -> CouncilMeeting:
    """A meeting with the chosen open problems (grouped into items by building and
    category) and, after them, the topics staff wrote in."""
    check_scope(session, community_id, scope, scope_id)
    topics = [t for t in (topics or []) if t.title.strip()]
    if not request_ids and not topics:
        raise MeetingError("请至少选择一个问题或填写一个议题", 400)
    allowed = {r.id: r for r in session.scalars(_in_scope(scope, scope_id))}
    busy = _busy_request_ids(session)
    chosen: list[ServiceRequest] = []
    for request_id in dict.fromkeys(request_ids):
        if request_id not in allowed:
            raise MeetingError("所选问题不在本次议事会范围内或已办结，请刷新后重试", 400)
        if request_id in busy:
            raise MeetingError(f"问题 {allowed[request_id].code} 已列入另一次议事会", 409)
        chosen.append(allowed[request_id])
    chosen.sort(key=lambda r: (r.created_at, r.id))
    meeting = CouncilMeeting(
        community_id=community_id,
        scope=scope,
        scope_id=scope_id,
        grid_id=scope_grid(session, scope, scope_id),
        title=title.strip()[:100],
        held_at=held_at,
        place=(place or "").strip()[:100] or None,
        status="draft",
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    session.add(meeting)
    session.flush()
    for position, group in enumerate(_group(session, chosen), 1):
        item = CouncilItem(
            meeting_id=meeting.id,
            position=position,
            category=group.category,
            building_id=group.building_id,
            title=group.title,
        )
        session.add(item)
        session.flush()
        for request in group.requests:
            session.add(CouncilItemRequest(item_id=item.id, request_id=request.id))
            request.council_status = "agenda"
            request.updated_at = now
            record_action(
                session, request, "agenda", actor=actor, note=f"列入居民议事会议题：{meeting.title}"
            )
    groups = len(_group(session, chosen))
    for position, topic in enumerate(topics, groups + 1):
        session.add(topic_item(meeting.id, position, topic))
    note = f"问题{len(chosen)}件" + ("：" + "、".join(r.code for r in chosen) if chosen else "")
    if topics:
        note += f"；其他议题{len(topics)}项：" + "、".join(t.title.strip() for t in topics)
    record_event(session, ENTITY, meeting.id, actor=actor, to_state="draft", note=note)
    return meeting


@dataclass(frozen=True)
class Topic:
    """An agenda topic staff write in (not from the problem list)."""

    title: str
    description: str = ""


def topic_item(meeting_id: int, position: int, topic: Topic) -> CouncilItem:
    title = topic.title.strip()
    if len(title) > 100:
        raise MeetingError("议题名称最多100字", 400)
    return CouncilItem(
        meeting_id=meeting_id,
        position=position,
        kind="topic",
        category="",
        building_id=None,
        title=title,
        description=topic.description.strip()[:2000] or None,
    )


def editable(meeting: CouncilMeeting) -> None:
    if meeting.status == "published":
        raise MeetingError("议事会结果已公布，不能再修改")


def record_attendance(
    session: Session,
    meeting: CouncilMeeting,
    *,
    names: list[str],
    count: int | None,
    actor: str,
    now: datetime,
) -> CouncilMeeting:
    editable(meeting)
    cleaned = list(dict.fromkeys(n.strip()[:32] for n in names if n.strip()))
    total = count if count is not None else len(cleaned)
    if total < 1:
        raise MeetingError("请填写参会人员或参会人数", 400)
    if total < len(cleaned):
        raise MeetingError("参会人数不能少于填写的参会人员名单", 400)
    previous = meeting.status
    meeting.attendees = cleaned
    meeting.attendee_count = total
    meeting.status = "held"
    meeting.updated_at = now
    record_event(
        session,
        ENTITY,
        meeting.id,
        actor=actor,
        from_state=previous,
        to_state="held",
        note=f"参会{total}人" + (f"：{'、'.join(cleaned)}" if cleaned else ""),
    )
    return meeting


def item_owner(session: Session, item: CouncilItem) -> str:
    return owner_display(session, item.owner_name, item.owner_staff_id, "未指定")


def items_of(session: Session, meeting_id: int) -> list[CouncilItem]:
    query = select(CouncilItem).where(CouncilItem.meeting_id == meeting_id)
    return list(session.scalars(query.order_by(CouncilItem.position, CouncilItem.id)))


def item_requests(session: Session, item_id: int) -> list[ServiceRequest]:
    query = (
        select(ServiceRequest)
        .join(CouncilItemRequest, CouncilItemRequest.request_id == ServiceRequest.id)
        .where(CouncilItemRequest.item_id == item_id)
        .order_by(ServiceRequest.created_at, ServiceRequest.id)
    )
    return list(session.scalars(query))


def meeting_history(session: Session, meeting_id: int) -> list[Any]:
    return history(session, ENTITY, meeting_id)
