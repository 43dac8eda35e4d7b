"""The three lists' JSON API: needs (/admin/api/needs), resources (/admin/api/resources),
projects (/admin/api/projects) and the joint meeting (/admin/api/joint-meetings); the
same rules as the pages (admin/projects/pages_lists.py, pages_joint.py)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request

from admin.deps import WorkerStaff, client_ip
from admin.projects import actions
from admin.projects.schemas import (
    ActiveIn,
    AttendanceIn,
    CouncilItemIn,
    FinishIn,
    GroupIn,
    JointDecisionIn,
    JointDetail,
    JointDraft,
    JointMeetingIn,
    JointPublished,
    LinkIn,
    NeedIn,
    NeedOut,
    NeedsList,
    ProgressIn,
    ProjectDetail,
    ProjectSummary,
    Published,
    ResourceIn,
    ResourceOut,
    SyncCounts,
)
from admin.projects.view import (
    AdminStaff,
    community_id,
    group_view,
    load_joint,
    load_need,
    load_project,
    need_view,
    project_summary,
    project_view,
    resource_view,
    visible_projects,
)
from admin.render import ConsoleRoute
from admin.timefmt import require_aware
from bot.deps import SessionDep
from storage.models import Resource, utcnow
from storage.projects.needs import list_needs, request_groups
from storage.projects.resources import list_resources, resource_owners, set_active


def joint_detail(session: Any, meeting: Any) -> dict[str, Any]:
    return actions.joint_view(session, meeting)


def build_projects_api_router() -> APIRouter:  # noqa: C901 - one route per action
    router = APIRouter(prefix="/admin/api", route_class=ConsoleRoute, tags=["projects"])

    # -- needs ---------------------------------------------------------------------------

    @router.get("/needs", response_model=NeedsList)
    def needs(staff: WorkerStaff, session: SessionDep) -> dict[str, Any]:
        return actions.needs_lists(session, staff)

    @router.post("/needs", status_code=201, response_model=NeedOut)
    def add_need(
        request: Request, body: NeedIn, staff: WorkerStaff, session: SessionDep
    ) -> dict[str, Any]:
        need = actions.add_need(
            session,
            staff,
            client_ip(request),
            title=body.title,
            category=body.category,
            building_id=body.building_id,
            detail=body.detail,
        )
        return need_view(session, need)

    @router.post("/needs/from-requests", status_code=201, response_model=NeedOut)
    def from_requests(
        request: Request, body: GroupIn, staff: WorkerStaff, session: SessionDep
    ) -> dict[str, Any]:
        return need_view(
            session, actions.need_from_group(session, staff, client_ip(request), body.key)
        )

    @router.post("/needs/from-council", status_code=201, response_model=NeedOut)
    def from_council(
        request: Request, body: CouncilItemIn, staff: WorkerStaff, session: SessionDep
    ) -> dict[str, Any]:
        need = actions.need_from_council(session, staff, client_ip(request), body.item_id)
        return need_view(session, need)

    @router.post("/needs/{need_id}/close", response_model=NeedOut)
    def close(
        request: Request, need_id: int, body: FinishIn, staff: WorkerStaff, session: SessionDep
    ) -> dict[str, Any]:
        need = load_need(session, staff, need_id)
        actions.close_need(session, staff, client_ip(request), need, body.note or "已关闭")
        return need_view(session, need)

    # -- resources -----------------------------------------------------------------------

    @router.get("/resources", response_model=list[ResourceOut])
    def resources(staff: WorkerStaff, session: SessionDep) -> list[dict[str, Any]]:
        return [resource_view(r) for r in list_resources(session, community_id(session))]

    @router.post("/resources", status_code=201, response_model=ResourceOut)
    def add_resource(
        request: Request, body: ResourceIn, staff: AdminStaff, session: SessionDep
    ) -> dict[str, Any]:
        resource = actions.add_resource(session, staff, client_ip(request), **body.model_dump())
        return resource_view(resource)

    @router.post("/resources/sync-volunteers", response_model=SyncCounts)
    def sync(request: Request, staff: AdminStaff, session: SessionDep) -> dict[str, int]:
        return actions.sync_volunteers(session, staff, client_ip(request))

    @router.post("/resources/{resource_id}/active", response_model=ResourceOut)
    def activate(
        request: Request, resource_id: int, body: ActiveIn, staff: AdminStaff, session: SessionDep
    ) -> dict[str, Any]:
        resource = session.get(Resource, resource_id)
        if resource is None:
            raise HTTPException(status_code=404, detail="没有找到这项资源")
        actions.run(
            session,
            staff,
            client_ip(request),
            "resource_active",
            ("resource", resource.id),
            lambda: set_active(session, resource, body.active, actor=staff.actor, now=utcnow()),
            lambda r: "启用" if r.active else "停用",
        )
        return resource_view(resource)

    # -- projects ------------------------------------------------------------------------

    @router.get("/projects", response_model=list[ProjectSummary])
    def projects(staff: WorkerStaff, session: SessionDep) -> list[dict[str, Any]]:
        return [project_summary(session, p) for p in visible_projects(session, staff)]

    @router.get("/projects/{project_id}", response_model=ProjectDetail)
    def project(project_id: int, staff: WorkerStaff, session: SessionDep) -> dict[str, Any]:
        return project_view(session, load_project(session, staff, project_id))

    @router.post("/projects/{project_id}/progress", response_model=Published)
    def progress(
        request: Request, project_id: int, body: ProgressIn, staff: WorkerStaff, session: SessionDep
    ) -> dict[str, Any]:
        found = load_project(session, staff, project_id)
        groups = actions.publish_progress(session, staff, client_ip(request), found, body.text)
        return {"groups": groups, "project": project_view(session, found)}

    @router.post(
        "/projects/{project_id}/milestones/{milestone_id}/done", response_model=ProjectDetail
    )
    def milestone_done(
        request: Request,
        project_id: int,
        milestone_id: int,
        staff: WorkerStaff,
        session: SessionDep,
    ) -> dict[str, Any]:
        found = actions.complete_milestone(
            session, staff, client_ip(request), project_id, milestone_id
        )
        return project_view(session, found)

    @router.post("/projects/{project_id}/requests", response_model=ProjectDetail)
    def link(
        request: Request, project_id: int, body: LinkIn, staff: WorkerStaff, session: SessionDep
    ) -> dict[str, Any]:
        found = load_project(session, staff, project_id)
        actions.link_request(session, staff, client_ip(request), found, body.code)
        return project_view(session, found)

    @router.post("/projects/{project_id}/finish", response_model=Published)
    def finish(
        request: Request, project_id: int, body: FinishIn, staff: WorkerStaff, session: SessionDep
    ) -> dict[str, Any]:
        found = load_project(session, staff, project_id)
        groups = actions.finish_project(session, staff, client_ip(request), found, body.note)
        return {"groups": groups, "project": project_view(session, found)}

    # -- the joint meeting ---------------------------------------------------------------

    @router.get("/joint-meetings/draft", response_model=JointDraft)
    def joint_draft(staff: AdminStaff, session: SessionDep) -> dict[str, Any]:
        cid = community_id(session)
        return {
            "needs": [need_view(session, n) for n in list_needs(session, cid, statuses=("open",))],
            "groups": [group_view(g) for g in request_groups(session, cid)],
            "members": resource_owners(session, cid),
        }

    @router.post("/joint-meetings", status_code=201, response_model=JointDetail)
    def joint_create(
        request: Request, body: JointMeetingIn, staff: AdminStaff, session: SessionDep
    ) -> dict[str, Any]:
        meeting = actions.create_joint(
            session,
            staff,
            client_ip(request),
            title=body.title,
            held_at=require_aware(body.held_at),
            place=body.place,
            need_ids=body.need_ids,
            group_keys=body.group_keys,
        )
        return joint_detail(session, meeting)

    @router.get("/joint-meetings/{meeting_id}", response_model=JointDetail)
    def joint_get(meeting_id: int, staff: WorkerStaff, session: SessionDep) -> dict[str, Any]:
        return joint_detail(session, load_joint(session, staff, meeting_id))

    @router.post("/joint-meetings/{meeting_id}/attendance", response_model=JointDetail)
    def joint_attend(
        request: Request,
        meeting_id: int,
        body: AttendanceIn,
        staff: AdminStaff,
        session: SessionDep,
    ) -> dict[str, Any]:
        meeting = load_joint(session, staff, meeting_id)
        actions.attend_joint(session, staff, client_ip(request), meeting, body.names, body.count)
        return joint_detail(session, meeting)

    @router.post(
        "/joint-meetings/{meeting_id}/items/{item_id}/decision", response_model=JointDetail
    )
    def joint_decide(
        request: Request,
        meeting_id: int,
        item_id: int,
        body: JointDecisionIn,
        staff: AdminStaff,
        session: SessionDep,
    ) -> dict[str, Any]:
        meeting = load_joint(session, staff, meeting_id)
        actions.decide_joint(
            session,
            staff,
            client_ip(request),
            meeting,
            item_id,
            title=body.title,
            plan=body.plan,
            resource_ids=body.resource_ids,
            owner_staff_id=body.owner_staff_id,
            owner_name=body.owner_name,
            due_at=require_aware(body.due_at),
            milestones=[(m.title, m.due_at and require_aware(m.due_at)) for m in body.milestones],
        )
        return joint_detail(session, meeting)

    @router.post("/joint-meetings/{meeting_id}/publish", response_model=JointPublished)
    def joint_publish(
        request: Request, meeting_id: int, staff: AdminStaff, session: SessionDep
    ) -> dict[str, Any]:
        meeting = load_joint(session, staff, meeting_id)
        counts = actions.publish_joint(session, staff, client_ip(request), meeting)
        return {**joint_detail(session, meeting), "published": counts}

    return router
