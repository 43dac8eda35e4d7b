"""The needs list (需求清单): what the community should act on, from four sources —
open requests grouped by building and category (computed until a need is made of them),
council items, poll results and what staff enter. Callers commit and write audit rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.events import record_event
from storage.meetings.service import building_label
from storage.models import (
    Building,
    CouncilItem,
    CouncilItemRequest,
    CouncilMeeting,
    Need,
    NeedRequest,
    ServiceRequest,
)

ENTITY = "need"
SOURCES = {"requests": "居民诉求", "council": "居民议事会", "poll": "民调", "staff": "工作人员录入"}
STATUS_LABELS = {
    "open": "待对接",
    "agenda": "已列入联席会议",
    "project": "已立项",
    "closed": "已关闭",
}
LIVE = ("open", "agenda", "project")  # a need that still holds its requests


class ProjectError(Exception):
    """The change is not allowed now; `message` is shown to staff."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _building(session: Session, community_id: int, building_id: int | None) -> Building | None:
    if building_id is None:
        return None
    building = session.get(Building, building_id)
    if building is None or building.community_id != community_id:
        raise ProjectError("没有找到这栋楼", 400)
    return building


def add_need(
    session: Session,
    *,
    community_id: int,
    source: str,
    title: str,
    category: str = "其他",
    building_id: int | None = None,
    detail: str | None = None,
    source_ref: str | None = None,
    request_ids: tuple[int, ...] = (),
    actor: str,
    now: datetime,
) -> Need:
    """One need on the list. `source` is requests, council, poll or staff; a second need
    with the same `source_ref` (a council item, a poll question) is refused."""
    if source not in SOURCES:
        raise ProjectError("需求来源不对", 400)
    title = title.strip()[:200]
    if not title:
        raise ProjectError("请填写需求内容", 400)
    building = _building(session, community_id, building_id)
    if source_ref is not None:
        twin = session.scalar(
            select(Need.id).where(
                Need.community_id == community_id,
                Need.source == source,
                Need.source_ref == source_ref,
            )
        )
        if twin is not None:
            raise ProjectError("这一项已经在需求清单里了")
    need = Need(
        community_id=community_id,
        grid_id=building.grid_id if building is not None else None,
        building_id=building.id if building is not None else None,
        category=(category or "其他").strip()[:16] or "其他",
        title=title,
        detail=(detail or "").strip()[:2000] or None,
        source=source,
        source_ref=source_ref,
        status="open",
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    session.add(need)
    session.flush()
    for request_id in dict.fromkeys(request_ids):
        session.add(NeedRequest(need_id=need.id, request_id=request_id))
    record_event(
        session, ENTITY, need.id, actor=actor, to_state="open", note=f"{SOURCES[source]}：{title}"
    )
    return need


def need_from_poll(
    session: Session,
    *,
    community_id: int,
    poll_ref: str,
    title: str,
    building_id: int | None,
    category: str = "其他",
    detail: str | None = None,
    actor: str,
    now: datetime,
) -> Need:
    """The entry point for poll results (民调): `poll_ref` names the poll and question,
    e.g. "poll:3:q2", so one result becomes one need."""
    return add_need(
        session,
        community_id=community_id,
        source="poll",
        source_ref=poll_ref,
        title=title,
        category=category,
        building_id=building_id,
        detail=detail,
        actor=actor,
        now=now,
    )


def need_from_council_item(
    session: Session, community_id: int, item_id: int, *, actor: str, now: datetime
) -> Need:
    item = session.get(CouncilItem, item_id)
    meeting = session.get(CouncilMeeting, item.meeting_id) if item is not None else None
    if item is None or meeting is None or meeting.kind != "council":
        raise ProjectError("没有找到这个议事会议题", 404)
    if meeting.community_id != community_id:
        raise ProjectError("没有找到这个议事会议题", 404)
    request_ids = tuple(
        session.scalars(
            select(CouncilItemRequest.request_id).where(CouncilItemRequest.item_id == item.id)
        )
    )
    detail = f"议事会决定：{item.action}" if item.action else None
    return add_need(
        session,
        community_id=community_id,
        source="council",
        source_ref=f"council_item:{item.id}",
        title=item.title,
        category=item.category,
        building_id=item.building_id,
        detail=detail,
        request_ids=request_ids,
        actor=actor,
        now=now,
    )


# -- Computed from open requests --------------------------------------------------------------


@dataclass
class RequestGroup:
    key: str  # "<building id or 0>:<category>"
    category: str
    building_id: int | None
    building: str
    grid_id: int | None
    requests: list[ServiceRequest] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"{self.building}·{self.category}（{len(self.requests)}件）"


def _linked_request_ids(session: Session, community_id: int) -> set[int]:
    query = (
        select(NeedRequest.request_id)
        .join(Need, Need.id == NeedRequest.need_id)
        .where(Need.community_id == community_id, Need.status.in_(LIVE))
    )
    return set(session.scalars(query))


def request_groups(
    session: Session, community_id: int, grid_ids: tuple[int, ...] | None = None
) -> list[RequestGroup]:
    """Open requests not yet on a need, by building and category, most reports first."""
    linked = _linked_request_ids(session, community_id)
    query = select(ServiceRequest).where(
        ServiceRequest.community_id == community_id, ServiceRequest.is_open.is_(True)
    )
    if grid_ids is not None:
        query = query.where(ServiceRequest.grid_id.in_(grid_ids))
    groups: dict[str, RequestGroup] = {}
    for request in session.scalars(query.order_by(ServiceRequest.created_at, ServiceRequest.id)):
        if request.id in linked:
            continue
        key = f"{request.building_id or 0}:{request.category}"
        if key not in groups:
            label = building_label(session, request.building_id)
            groups[key] = RequestGroup(
                key, request.category, request.building_id, label, request.grid_id
            )
        groups[key].requests.append(request)
    return sorted(groups.values(), key=lambda g: (-len(g.requests), g.requests[0].created_at))


def need_from_requests(
    session: Session,
    community_id: int,
    key: str,
    *,
    actor: str,
    now: datetime,
    grid_ids: tuple[int, ...] | None = None,
) -> Need:
    """Make the computed group `key` a need (its open requests linked to it)."""
    found = [g for g in request_groups(session, community_id, grid_ids) if g.key == key]
    if not found:
        raise ProjectError("这组诉求已经办结或已列入需求清单，请刷新后重试")
    group = found[0]
    return add_need(
        session,
        community_id=community_id,
        source="requests",
        title=group.title,
        category=group.category,
        building_id=group.building_id,
        request_ids=tuple(r.id for r in group.requests),
        actor=actor,
        now=now,
    )


def need_requests(session: Session, need_id: int) -> list[ServiceRequest]:
    query = (
        select(ServiceRequest)
        .join(NeedRequest, NeedRequest.request_id == ServiceRequest.id)
        .where(NeedRequest.need_id == need_id)
        .order_by(ServiceRequest.created_at, ServiceRequest.id)
    )
    return list(session.scalars(query))


def list_needs(
    session: Session,
    community_id: int,
    *,
    grid_ids: tuple[int, ...] | None = None,
    statuses: tuple[str, ...] = LIVE,
) -> list[Need]:
    query = select(Need).where(Need.community_id == community_id, Need.status.in_(statuses))
    if grid_ids is not None:
        query = query.where(Need.grid_id.in_(grid_ids))
    return list(session.scalars(query.order_by(Need.created_at.desc(), Need.id.desc())))


def close_need(session: Session, need: Need, *, actor: str, now: datetime, note: str) -> Need:
    if need.status != "open":
        raise ProjectError("只有待对接的需求可以关闭")
    need.status = "closed"
    need.updated_at = now
    record_event(
        session, ENTITY, need.id, actor=actor, from_state="open", to_state="closed", note=note
    )
    return need


def council_items_for_needs(session: Session, community_id: int) -> list[dict[str, Any]]:
    """Council items (居民议事会) not yet on the needs list, newest meetings first."""
    taken = set(
        session.scalars(
            select(Need.source_ref).where(
                Need.community_id == community_id, Need.source == "council"
            )
        )
    )
    query = (
        select(CouncilItem, CouncilMeeting)
        .join(CouncilMeeting, CouncilMeeting.id == CouncilItem.meeting_id)
        .where(CouncilMeeting.community_id == community_id, CouncilMeeting.kind == "council")
        .order_by(CouncilMeeting.held_at.desc(), CouncilItem.position)
        .limit(200)
    )
    return [
        {"id": item.id, "title": item.title, "meeting": meeting.title, "action": item.action}
        for item, meeting in session.execute(query)
        if f"council_item:{item.id}" not in taken
    ]
