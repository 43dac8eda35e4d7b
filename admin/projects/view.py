"""The three lists and the joint meeting as the console shows them, and who may see what:
community admins see and run everything; grid workers see the needs and projects of their
own grids (and act on them), read the resources list, and do not run joint meetings."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, HTTPException
from sqlalchemy import select
from sqlalchemy.orm import Session

from admin.deps import ADMIN, ROLE_FORBIDDEN, Staff, ensure_grid, require_role
from admin.meetings.view import community_id, local_input
from admin.timefmt import local_time, parse_local
from storage.events import history
from storage.models import Building, CouncilMeeting, Need, Project, Resource
from storage.projects.needs import (
    SOURCES,
    STATUS_LABELS,
    ProjectError,
    RequestGroup,
    need_requests,
)
from storage.projects.resources import KINDS
from storage.projects.service import (
    STATUS_LABELS as PROJECT_LABELS,
)
from storage.projects.service import (
    buildings_of,
    milestones_of,
    project_owner,
    requests_of,
    resources_of,
)
from storage.requests.rules import STATUS_LABELS as REQUEST_LABELS

AdminStaff = Annotated[Staff, Depends(require_role(ADMIN))]
JOINT_ONLY_ADMIN = "只有社区管理员可以召开党建联席会议"

__all__ = ["AdminStaff", "community_id", "local_input"]


def to_http(exc: ProjectError) -> HTTPException:
    return HTTPException(status_code=exc.status, detail=exc.message)


def building_choices(session: Session, staff: Staff) -> list[dict[str, Any]]:
    visible = staff.visible_grid_ids()
    query = select(Building).order_by(Building.id)
    return [
        {"id": b.id, "label": b.label}
        for b in session.scalars(query)
        if visible is None or b.grid_id in visible
    ]


def ensure_building(session: Session, staff: Staff, building_id: int | None) -> None:
    """Grid workers enter needs for buildings of their grids; the community office for any
    building or for the whole community."""
    if building_id is None:
        if not staff.sees_all_grids:
            raise HTTPException(status_code=403, detail="请选择您网格内的楼栋")
        return
    building = session.get(Building, building_id)
    if building is None:
        raise HTTPException(status_code=400, detail="没有找到这栋楼")
    ensure_grid(staff, building.grid_id)


def load_need(session: Session, staff: Staff, need_id: int) -> Need:
    need = session.get(Need, need_id)
    if need is None:
        raise HTTPException(status_code=404, detail="没有找到这项需求")
    ensure_grid(staff, need.grid_id)
    return need


def load_project(session: Session, staff: Staff, project_id: int) -> Project:
    project = session.get(Project, project_id)
    if project is None:
        raise HTTPException(status_code=404, detail="没有找到这个项目")
    ensure_grid(staff, project.grid_id)
    return project


def load_joint(session: Session, staff: Staff, meeting_id: int) -> CouncilMeeting:
    if not staff.sees_all_grids:
        raise HTTPException(status_code=403, detail=JOINT_ONLY_ADMIN)
    meeting = session.get(CouncilMeeting, meeting_id)
    if meeting is None or meeting.kind != "joint":
        raise HTTPException(status_code=404, detail="没有找到这次联席会议")
    return meeting


def _building(session: Session, building_id: int | None) -> str:
    if building_id is None:
        return "全社区"
    building = session.get(Building, building_id)
    return building.label if building is not None else "全社区"


def need_view(session: Session, need: Need, *, with_requests: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": need.id,
        "title": need.title,
        "category": need.category,
        "building_id": need.building_id,
        "building": _building(session, need.building_id),
        "grid_id": need.grid_id,
        "detail": need.detail,
        "source": need.source,
        "source_label": SOURCES[need.source],
        "source_ref": need.source_ref,
        "status": need.status,
        "status_label": STATUS_LABELS[need.status],
        "created_label": local_time(need.created_at),
        "requests": [],
    }
    if with_requests:
        data["requests"] = [
            {"id": r.id, "code": r.code, "status_label": REQUEST_LABELS[r.status]}
            for r in need_requests(session, need.id)
        ]
    return data


def group_view(group: RequestGroup) -> dict[str, Any]:
    return {
        "key": group.key,
        "title": group.title,
        "category": group.category,
        "building": group.building,
        "grid_id": group.grid_id,
        "count": len(group.requests),
        "codes": [r.code for r in group.requests],
    }


def resource_view(resource: Resource, *, contacts: bool = True) -> dict[str, Any]:
    return {
        "id": resource.id,
        "kind": resource.kind,
        "kind_label": KINDS[resource.kind],
        "name": resource.name,
        "owner": resource.owner,
        "offer": resource.offer,
        "contact_name": resource.contact_name if contacts else None,
        "contact_phone": resource.contact_phone if contacts else None,
        "from_volunteers": resource.volunteer_id is not None,
        "active": resource.active,
    }


def project_summary(session: Session, project: Project) -> dict[str, Any]:
    steps = milestones_of(session, project.id)
    return {
        "id": project.id,
        "title": project.title,
        "plan": project.plan,
        "status": project.status,
        "status_label": PROJECT_LABELS[project.status],
        "owner": project_owner(session, project),
        "owner_staff_id": project.owner_staff_id,
        "owner_name": project.owner_name,
        "due_at": project.due_at.isoformat(),
        "due_label": local_time(project.due_at),
        "grid_id": project.grid_id,
        "need_id": project.need_id,
        "meeting_id": project.meeting_id,
        "buildings": [b.label for b in buildings_of(session, project.id)] or ["全社区"],
        "progress": project.progress,
        "progress_label": local_time(project.progress_at) if project.progress_at else None,
        "milestones_done": sum(1 for m in steps if m.done_at is not None),
        "milestones_total": len(steps),
    }


def project_view(session: Session, project: Project) -> dict[str, Any]:
    data = project_summary(session, project)
    data["resources"] = [resource_view(r) for r in resources_of(session, project.id)]
    data["milestones"] = [
        {
            "id": m.id,
            "title": m.title,
            "due_label": local_time(m.due_at) if m.due_at else None,
            "done": m.done_at is not None,
            "done_label": local_time(m.done_at) if m.done_at else None,
        }
        for m in milestones_of(session, project.id)
    ]
    data["requests"] = [
        {"id": r.id, "code": r.code, "status_label": REQUEST_LABELS[r.status]}
        for r in requests_of(session, project.id)
    ]
    data["history"] = [
        {"at": local_time(e.at), "actor": e.actor, "to_state": e.to_state, "note": e.note}
        for e in history(session, "project", project.id)
    ]
    return data


def visible_projects(session: Session, staff: Staff) -> list[Project]:
    query = select(Project).order_by(Project.updated_at.desc(), Project.id.desc())
    visible = staff.visible_grid_ids()
    if visible is not None:
        query = query.where(Project.grid_id.in_(visible))
    return list(session.scalars(query.limit(300)))


def parse_steps(text: str) -> list[tuple[str, datetime | None]]:
    """Milestones typed one a line, optionally ending with a date: 采购灯具 2026-12-20."""
    steps: list[tuple[str, datetime | None]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        title, _, tail = line.rpartition(" ")
        due = None
        if title and len(tail) >= 8 and tail[:4].isdigit():
            due = parse_local(tail if "T" in tail else f"{tail}T18:00")
        else:
            title = line
        steps.append((title, due))
    return steps


def forbid_unless_admin(staff: Staff) -> None:
    if not staff.sees_all_grids:
        raise HTTPException(status_code=403, detail=ROLE_FORBIDDEN)
