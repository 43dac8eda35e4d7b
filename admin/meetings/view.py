"""Residents' council meetings as the console shows them, and who may see or run them
(shared by the pages in admin/meetings/pages.py and the JSON API in admin/meetings/api.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fastapi import HTTPException
from sqlalchemy import select
from sqlalchemy.orm import Session

from admin.deps import ADMIN, GRID_WORKER, ROLE_FORBIDDEN, Staff, ensure_grid
from admin.timefmt import CST, local_time
from storage.meetings.items import Votes
from storage.meetings.service import (
    ITEM_LABELS,
    SCOPES,
    STATUS_LABELS_MEETING,
    MeetingError,
    building_label,
    item_owner,
    item_requests,
    items_of,
    meeting_history,
    scope_label,
)
from storage.models import Community, Compound, CouncilMeeting, Grid, StaffAccount
from storage.requests.rules import STATUS_LABELS
from storage.residents.queries import community_for_account

NOT_FOUND = "没有找到这次议事会"
EVENT_LABELS = {
    "draft": "创建议事会",
    "held": "登记参会情况",
    "item_decided": "议题作出决定",
    "topic_added": "添加议题",
    "published": "公布结果",
}


def community_id(session: Session) -> int:
    community = community_for_account(session, None)
    if community is None:
        raise HTTPException(status_code=503, detail="社区尚未初始化")
    return community.id


def ensure_scope(staff: Staff, scope: str, scope_id: int) -> None:
    """Grid workers run meetings of their own grids; compound and community meetings are
    the community office's."""
    if scope == "grid":
        ensure_grid(staff, scope_id)
    elif not staff.sees_all_grids:
        raise HTTPException(status_code=403, detail="只有社区管理员可以召开小区或社区议事会")


def to_http(exc: MeetingError) -> HTTPException:
    return HTTPException(status_code=exc.status, detail=exc.message)


def load_meeting(session: Session, staff: Staff, meeting_id: int) -> CouncilMeeting:
    meeting = session.get(CouncilMeeting, meeting_id)
    if meeting is None or meeting.kind != "council":  # joint meetings: admin/projects
        raise HTTPException(status_code=404, detail=NOT_FOUND)
    if not staff.sees_all_grids and (meeting.grid_id is None or meeting.scope != "grid"):
        raise HTTPException(status_code=403, detail=ROLE_FORBIDDEN)
    ensure_grid(staff, meeting.grid_id)
    return meeting


def local_input(value: datetime) -> str:
    return value.astimezone(CST).strftime("%Y-%m-%dT%H:%M")


def scope_choices(session: Session, staff: Staff) -> list[dict[str, str]]:
    """Options "grid:1", "compound:2", "community:1" this staff member may choose."""
    visible = staff.visible_grid_ids()
    choices = [
        {"value": f"grid:{g.id}", "label": f"网格｜{g.name}"}
        for g in session.scalars(select(Grid).order_by(Grid.id))
        if visible is None or g.id in visible
    ]
    if staff.sees_all_grids:
        choices += [
            {"value": f"compound:{c.id}", "label": f"小区｜{c.name}"}
            for c in session.scalars(select(Compound).order_by(Compound.id))
        ]
        choices += [
            {"value": f"community:{c.id}", "label": f"社区｜{c.name}"}
            for c in session.scalars(select(Community).order_by(Community.id))
        ]
    return choices


def split_scope(value: str) -> tuple[str, int]:
    scope, _, raw = value.partition(":")
    if scope not in SCOPES or not raw.isdigit():
        raise HTTPException(status_code=400, detail="请选择议事会范围")
    return scope, int(raw)


def owner_choices(session: Session) -> list[dict[str, Any]]:
    query = (
        select(StaffAccount)
        .where(StaffAccount.active.is_(True), StaffAccount.role.in_((ADMIN, GRID_WORKER)))
        .order_by(StaffAccount.id)
    )
    return [{"id": s.id, "name": s.display_name} for s in session.scalars(query)]


def default_due(now: datetime) -> str:
    return local_input((now + timedelta(days=7)).astimezone(CST).replace(hour=18, minute=0))


def meeting_summary(session: Session, meeting: CouncilMeeting) -> dict[str, Any]:
    return {
        "id": meeting.id,
        "title": meeting.title,
        "scope": meeting.scope,
        "scope_id": meeting.scope_id,
        "scope_label": scope_label(session, meeting.scope, meeting.scope_id),
        "grid_id": meeting.grid_id,
        "held_at": meeting.held_at.isoformat(),
        "held_label": local_time(meeting.held_at),
        "place": meeting.place,
        "status": meeting.status,
        "status_label": STATUS_LABELS_MEETING[meeting.status],
        "attendees": list(meeting.attendees or []),
        "attendee_count": meeting.attendee_count,
        "published_at": meeting.published_at.isoformat() if meeting.published_at else None,
    }


def meeting_view(session: Session, meeting: CouncilMeeting) -> dict[str, Any]:
    data = meeting_summary(session, meeting)
    items = []
    for item in items_of(session, meeting.id):
        items.append(
            {
                "id": item.id,
                "position": item.position,
                "title": item.title,
                "kind": item.kind,
                "description": item.description,
                "category": item.category,
                "building": building_label(session, item.building_id),
                "status": item.status,
                "status_label": ITEM_LABELS[item.status],
                "action": item.action,
                "owner_staff_id": item.owner_staff_id,
                "owner_name": item.owner_name,
                "owner": item_owner(session, item) if item.status == "decided" else None,
                "due_at": item.due_at.isoformat() if item.due_at else None,
                "due_label": local_time(item.due_at),
                "due_input": local_input(item.due_at) if item.due_at else "",
                "votes_for": item.votes_for,
                "votes_against": item.votes_against,
                "votes_abstain": item.votes_abstain,
                "votes_label": votes.label if (votes := Votes.of(item)) else "",
                "requests": [
                    {
                        "id": r.id,
                        "code": r.code,
                        "location": r.location,
                        "description": r.description,
                        "status": r.status,
                        "status_label": STATUS_LABELS[r.status],
                        "council_decision": r.council_decision,
                    }
                    for r in item_requests(session, item.id)
                ],
            }
        )
    data["items"] = items
    data["history"] = [
        {
            "at": local_time(e.at),
            "actor": e.actor,
            "to_state": e.to_state,
            "label": EVENT_LABELS.get(e.to_state, e.to_state),
            "note": e.note,
        }
        for e in meeting_history(session, meeting.id)
    ]
    return data


def list_meetings(session: Session, staff: Staff, limit: int = 100) -> list[dict[str, Any]]:
    query = (
        select(CouncilMeeting)
        .where(CouncilMeeting.kind == "council")
        .order_by(CouncilMeeting.held_at.desc(), CouncilMeeting.id)
    )
    visible = staff.visible_grid_ids()
    if visible is not None:
        query = query.where(CouncilMeeting.scope == "grid", CouncilMeeting.grid_id.in_(visible))
    return [meeting_summary(session, m) for m in session.scalars(query.limit(limit))]
