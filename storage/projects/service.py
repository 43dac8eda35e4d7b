"""Projects (项目清单): a need matched with resources, an owner, a deadline and milestones,
the buildings, requests and residents it concerns. Progress is published to the building
groups concerned (the community group for a community-wide project) through the outbound
path; linked requests' reporters hear when their problem becomes a project. Every change
is an event row (entity "project"); callers commit and write audit rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage.events import record_event
from storage.models import (
    Building,
    Milestone,
    Need,
    Project,
    ProjectBuilding,
    ProjectRequest,
    ProjectResident,
    ProjectResource,
    Resident,
    Resource,
    ServiceRequest,
    StaffAccount,
)
from storage.outbound.deliveries import plan_delivery
from storage.outbound.queues import grid_queue_name
from storage.privacy import scrub_public_text
from storage.projects.needs import ProjectError, need_requests
from storage.requests.rules import local_label
from storage.requests.service import owner_display
from storage.residents.queries import group_channel

ENTITY = "project"
STATUS_LABELS = {"planned": "待启动", "active": "进行中", "done": "已完成"}
ROBOT_LIMIT = 2048  # bytes of a WeCom robot text message


def project_owner(session: Session, project: Project) -> str:
    return owner_display(session, project.owner_name, project.owner_staff_id, "社区居委会")


def _owner(
    session: Session, staff_id: int | None, name: str | None
) -> tuple[int | None, str | None]:
    name = (name or "").strip()[:64] or None
    if staff_id is not None:
        staff = session.get(StaffAccount, staff_id)
        if staff is None or not staff.active:
            raise ProjectError("负责人账号不存在或已停用", 400)
        return staff_id, None
    if name is None:
        raise ProjectError("请指定负责人", 400)
    return None, name


def _resources(session: Session, community_id: int, ids: Sequence[int]) -> list[Resource]:
    chosen = []
    for resource_id in dict.fromkeys(ids):
        resource = session.get(Resource, resource_id)
        if resource is None or resource.community_id != community_id or not resource.active:
            raise ProjectError("所选资源不存在或已停用，请刷新后重试", 400)
        chosen.append(resource)
    if not chosen:
        raise ProjectError("请至少选择一项资源", 400)
    return chosen


def save_project(
    session: Session,
    need: Need,
    *,
    title: str,
    plan: str,
    resource_ids: Sequence[int],
    owner_staff_id: int | None,
    owner_name: str | None,
    due_at: datetime,
    milestones: Sequence[tuple[str, datetime | None]],
    actor: str,
    now: datetime,
    project: Project | None = None,
    meeting_id: int | None = None,
    item_id: int | None = None,
) -> Project:
    """Create the need's project (or, before it starts, change it): its resources,
    buildings (the need's and its requests'), requests, their reporters, milestones."""
    title, plan = title.strip()[:100], plan.strip()[:2000]
    if not title or not plan:
        raise ProjectError("请填写项目名称和做什么", 400)
    if due_at.tzinfo is None or due_at <= now:
        raise ProjectError("项目期限必须晚于现在", 400)
    if project is not None and project.status != "planned":
        raise ProjectError("项目已经启动，不能再修改立项内容")
    staff_id, name = _owner(session, owner_staff_id, owner_name)
    resources = _resources(session, need.community_id, resource_ids)
    steps = [(t.strip()[:200], d) for t, d in milestones if t.strip()]
    if any(d is not None and d.tzinfo is None for _t, d in steps):
        raise ProjectError("节点时间须带时区", 400)
    created = project is None
    if project is None:
        project = Project(
            community_id=need.community_id,
            need_id=need.id,
            meeting_id=meeting_id,
            item_id=item_id,
            grid_id=need.grid_id,
            status="planned",
            created_by=actor,
            created_at=now,
        )
        session.add(project)
    project.title, project.plan, project.due_at = title, plan, due_at
    project.owner_staff_id, project.owner_name = staff_id, name
    project.updated_at = now
    session.flush()
    for model in (ProjectResource, ProjectBuilding, ProjectRequest, ProjectResident, Milestone):
        session.execute(delete(model).where(model.project_id == project.id))
    for resource in resources:
        session.add(ProjectResource(project_id=project.id, resource_id=resource.id))
    requests = need_requests(session, need.id)
    buildings = {need.building_id} | {r.building_id for r in requests}
    for building_id in sorted(b for b in buildings if b is not None):
        session.add(ProjectBuilding(project_id=project.id, building_id=building_id))
    for request in requests:
        session.add(ProjectRequest(project_id=project.id, request_id=request.id))
    residents = {r.resident_id for r in requests if r.resident_id is not None}
    for resident_id in sorted(residents):
        session.add(ProjectResident(project_id=project.id, resident_id=resident_id))
    for position, (step, due) in enumerate(steps, 1):
        session.add(Milestone(project_id=project.id, position=position, title=step, due_at=due))
    previous = need.status
    need.status, need.updated_at = "project", now
    if previous != "project":
        record_event(session, "need", need.id, actor=actor, from_state=previous, to_state="project")
    record_event(
        session,
        ENTITY,
        project.id,
        actor=actor,
        to_state="planned",
        note=("立项：" if created else "修改立项：")
        + f"{title}；资源：{'、'.join(r.owner for r in resources)}；期限：{local_label(due_at)}",
    )
    return project


# -- Reading --------------------------------------------------------------------------------


def milestones_of(session: Session, project_id: int) -> list[Milestone]:
    query = select(Milestone).where(Milestone.project_id == project_id)
    return list(session.scalars(query.order_by(Milestone.position, Milestone.id)))


def resources_of(session: Session, project_id: int) -> list[Resource]:
    query = (
        select(Resource)
        .join(ProjectResource, ProjectResource.resource_id == Resource.id)
        .where(ProjectResource.project_id == project_id)
        .order_by(Resource.id)
    )
    return list(session.scalars(query))


def buildings_of(session: Session, project_id: int) -> list[Building]:
    query = (
        select(Building)
        .join(ProjectBuilding, ProjectBuilding.building_id == Building.id)
        .where(ProjectBuilding.project_id == project_id)
        .order_by(Building.id)
    )
    return list(session.scalars(query))


def requests_of(session: Session, project_id: int) -> list[ServiceRequest]:
    query = (
        select(ServiceRequest)
        .join(ProjectRequest, ProjectRequest.request_id == ServiceRequest.id)
        .where(ProjectRequest.project_id == project_id)
        .order_by(ServiceRequest.id)
    )
    return list(session.scalars(query))


# -- Publishing progress ----------------------------------------------------------------------


def public_text(session: Session, project: Project, text: str) -> str:
    """What may go to a group or a resident: no phone or room numbers, no names of the
    residents the project serves (storage/privacy.py)."""
    names = session.scalars(
        select(Resident.name)
        .join(ProjectResident, ProjectResident.resident_id == Resident.id)
        .where(ProjectResident.project_id == project.id)
    )
    return scrub_public_text(text, names=list(names))


def _truncate(text: str, limit: int = ROBOT_LIMIT) -> str:
    data = text.encode()
    if len(data) <= limit:
        return text
    return data[: limit - 12].decode(errors="ignore") + "…（详见公告）"


def post_to_groups(session: Session, project: Project, text: str, key: str) -> int:
    """Post `text` to each concerned building's group (the community group when the project
    concerns no building); the number of groups planned."""
    targets: list[tuple[str, int, int | None]] = [
        ("building", b.id, b.grid_id) for b in buildings_of(session, project.id)
    ]
    if not targets:
        targets = [("community", project.community_id, None)]
    groups = 0
    for scope, scope_id, grid_id in targets:
        channel = group_channel(session, scope, scope_id, "wecom_robot")
        if channel is None:
            continue
        plan_delivery(
            session,
            channel="wecom_robot",
            recipient=channel.target,
            purpose="project_progress",
            payload={"text": _truncate(text)},
            idempotency_key=f"{key}:{scope}:{scope_id}",
            queue=grid_queue_name(grid_id),
        )
        groups += 1
    return groups


def publish_progress(
    session: Session, project: Project, text: str, *, actor: str, now: datetime
) -> int:
    """Record and publish one progress note (public text: no residents' details)."""
    text = public_text(session, project, text.strip()[:500])
    if not text:
        raise ProjectError("请填写进展情况", 400)
    if project.status == "planned":
        raise ProjectError("项目还没有启动（联席会议结果公布后启动）")
    project.update_count += 1
    project.progress, project.progress_at, project.updated_at = text, now, now
    record_event(session, ENTITY, project.id, actor=actor, to_state="progress", note=text)
    lines = [
        f"【社区项目进展】{public_text(session, project, project.title)}",
        text,
        f"负责：{project_owner(session, project)}　状态：{STATUS_LABELS[project.status]}",
        "如有意见，请在公众号留言或联系网格员。",
    ]
    key = f"project:{project.id}:update:{project.update_count}"
    return post_to_groups(session, project, "\n".join(lines), key)


def complete_milestone(
    session: Session, project: Project, milestone: Milestone, *, actor: str, now: datetime
) -> int:
    """Mark one milestone done and publish it as progress; the groups told."""
    if milestone.project_id != project.id:
        raise ProjectError("这个节点不属于这个项目", 404)
    if milestone.done_at is not None:
        raise ProjectError("这个节点已经完成了")
    if project.status != "active":
        raise ProjectError("只有进行中的项目可以登记节点完成")
    milestone.done_at, milestone.done_by = now, actor
    return publish_progress(session, project, f"已完成：{milestone.title}", actor=actor, now=now)


def finish_project(
    session: Session, project: Project, note: str, *, actor: str, now: datetime
) -> int:
    if project.status != "active":
        raise ProjectError("只有进行中的项目可以办结")
    project.status, project.done_at = "done", now
    record_event(session, ENTITY, project.id, actor=actor, from_state="active", to_state="done")
    return publish_progress(session, project, f"项目已完成。{note.strip()}", actor=actor, now=now)


def link_request(
    session: Session, project: Project, request: ServiceRequest, *, actor: str, now: datetime
) -> Project:
    """Link one more request to the project: its building joins the buildings concerned
    (its group hears the progress) and its reporter the residents served."""
    if request.community_id != project.community_id:
        raise ProjectError("没有找到这个工单", 404)
    if project.status == "done":
        raise ProjectError("项目已办结，不能再关联工单")
    linked = session.scalar(
        select(ProjectRequest.id).where(
            ProjectRequest.project_id == project.id, ProjectRequest.request_id == request.id
        )
    )
    if linked is not None:
        raise ProjectError(f"工单 {request.code} 已经关联在这个项目上")
    session.add(ProjectRequest(project_id=project.id, request_id=request.id))
    buildings = {b.id for b in buildings_of(session, project.id)}
    if request.building_id is not None and request.building_id not in buildings:
        session.add(ProjectBuilding(project_id=project.id, building_id=request.building_id))
    if request.resident_id is not None:
        served = session.scalar(
            select(ProjectResident.id).where(
                ProjectResident.project_id == project.id,
                ProjectResident.resident_id == request.resident_id,
            )
        )
        if served is None:
            session.add(ProjectResident(project_id=project.id, resident_id=request.resident_id))
    project.updated_at = now
    record_event(
        session, ENTITY, project.id, actor=actor, to_state="linked", note=f"关联工单 {request.code}"
    )
    return project
