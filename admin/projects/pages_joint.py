"""Console pages of the joint meeting (社区党建联席会议), community admins only: the list,
a new meeting whose draft agenda is the open needs, attendance of the member units, a
decision per need that creates its project, and publishing."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from admin.deps import client_ip
from admin.meetings.pages import split_names
from admin.meetings.view import default_due, meeting_summary, owner_choices
from admin.projects import actions
from admin.projects.view import (
    AdminStaff,
    community_id,
    group_view,
    load_joint,
    local_input,
    need_view,
    parse_steps,
    resource_view,
)
from admin.render import ConsoleRoute, render
from admin.timefmt import parse_local
from bot.deps import SessionDep
from storage.models import CouncilMeeting, utcnow
from storage.projects.needs import list_needs, request_groups
from storage.projects.resources import list_resources, resource_owners
from storage.requests.rules import china_day

FLASH = {
    "created": "联席会议已创建，议题来自需求清单。",
    "attendance": "参会单位已登记。",
    "decided": "已立项，项目已加入项目清单（公布后启动）。",
    "published": "联席会议结果已公布：项目已启动，相关楼栋群和反映人将收到通知。",
}


def build_joint_pages_router() -> APIRouter:
    router = APIRouter(
        prefix="/admin/joint-meetings", route_class=ConsoleRoute, include_in_schema=False
    )

    @router.get("", response_class=HTMLResponse)
    def meetings(request: Request, staff: AdminStaff, session: SessionDep) -> HTMLResponse:
        query = (
            select(CouncilMeeting)
            .where(CouncilMeeting.kind == "joint")
            .order_by(CouncilMeeting.held_at.desc(), CouncilMeeting.id)
            .limit(100)
        )
        rows = [meeting_summary(session, m) for m in session.scalars(query)]
        return render(request, "joint_meetings.html", {"rows": rows}, staff)

    @router.get("/new", response_class=HTMLResponse)
    def new_meeting(request: Request, staff: AdminStaff, session: SessionDep) -> HTMLResponse:
        cid = community_id(session)
        now = utcnow()
        day = china_day(now)
        context = {
            "needs": [need_view(session, n) for n in list_needs(session, cid, statuses=("open",))],
            "groups": [group_view(g) for g in request_groups(session, cid)],
            "members": resource_owners(session, cid),
            "title": f"社区党建联席会议（{day[4:6]}月{day[6:]}日）",
            "held_at": local_input(now),
        }
        return render(request, "joint_new.html", context, staff)

    @router.post("")
    async def create(
        request: Request,
        staff: AdminStaff,
        session: SessionDep,
        title: Annotated[str, Form(min_length=1, max_length=100)],
        held_at: Annotated[str, Form(max_length=40)],
        place: Annotated[str, Form(max_length=100)] = "",
    ) -> Response:
        form = await request.form()
        try:
            need_ids = [int(str(v)) for v in form.getlist("need_id")]
        except ValueError as exc:
            raise HTTPException(status_code=400, detail="议题选择有误") from exc
        keys = [str(v)[:40] for v in form.getlist("group_key")]
        meeting = actions.create_joint(
            session,
            staff,
            client_ip(request),
            title=title,
            held_at=parse_local(held_at),
            place=place,
            need_ids=need_ids,
            group_keys=keys,
        )
        return RedirectResponse(f"/admin/joint-meetings/{meeting.id}?flash=created", 303)

    @router.get("/{meeting_id}", response_class=HTMLResponse)
    def meeting_page(
        request: Request, meeting_id: int, staff: AdminStaff, session: SessionDep, flash: str = ""
    ) -> HTMLResponse:
        meeting = load_joint(session, staff, meeting_id)
        cid = community_id(session)
        context = {
            "m": actions.joint_view(session, meeting),
            "owners": owner_choices(session),
            "resources": [resource_view(r) for r in list_resources(session, cid, active_only=True)],
            "default_due": default_due(utcnow()),
            "flash": FLASH.get(flash),
        }
        return render(request, "joint_detail.html", context, staff)

    @router.post("/{meeting_id}/attendance")
    async def attendance(
        request: Request,
        meeting_id: int,
        staff: AdminStaff,
        session: SessionDep,
        others: Annotated[str, Form(max_length=2000)] = "",
    ) -> Response:
        meeting = load_joint(session, staff, meeting_id)
        form = await request.form()
        names = [str(v) for v in form.getlist("member")] + split_names(others)
        actions.attend_joint(session, staff, client_ip(request), meeting, names, None)
        return RedirectResponse(f"/admin/joint-meetings/{meeting_id}?flash=attendance", 303)

    @router.post("/{meeting_id}/items/{item_id}/decision")
    async def decision(
        request: Request,
        meeting_id: int,
        item_id: int,
        staff: AdminStaff,
        session: SessionDep,
        title: Annotated[str, Form(min_length=1, max_length=100)],
        plan: Annotated[str, Form(min_length=1, max_length=2000)],
        due_at: Annotated[str, Form(max_length=40)],
        owner_staff_id: Annotated[str, Form(max_length=12)] = "",
        owner_name: Annotated[str, Form(max_length=64)] = "",
        milestones: Annotated[str, Form(max_length=4000)] = "",
    ) -> Response:
        meeting = load_joint(session, staff, meeting_id)
        form = await request.form()
        try:
            resource_ids = [int(str(v)) for v in form.getlist("resource_id")]
        except ValueError as exc:
            raise HTTPException(status_code=400, detail="资源选择有误") from exc
        actions.decide_joint(
            session,
            staff,
            client_ip(request),
            meeting,
            item_id,
            title=title,
            plan=plan,
            resource_ids=resource_ids,
            owner_staff_id=int(owner_staff_id) if owner_staff_id.isdigit() else None,
            owner_name=owner_name,
            due_at=parse_local(due_at),
            milestones=parse_steps(milestones),
        )
        return RedirectResponse(f"/admin/joint-meetings/{meeting_id}?flash=decided", 303)

    @router.post("/{meeting_id}/publish")
    def publish(
        request: Request, meeting_id: int, staff: AdminStaff, session: SessionDep
    ) -> Response:
        meeting = load_joint(session, staff, meeting_id)
        actions.publish_joint(session, staff, client_ip(request), meeting)
        return RedirectResponse(f"/admin/joint-meetings/{meeting_id}?flash=published", 303)

    return router
