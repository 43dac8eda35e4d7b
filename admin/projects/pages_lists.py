"""Console pages of the three lists: needs (/admin/needs), resources (/admin/resources,
with the Excel template, export and import) and projects (/admin/projects). Forms post
back with the CSRF token; every action writes an audit row and commits."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from admin.audit import audit_staff
from admin.deps import Staff, WorkerStaff, client_ip
from admin.projects import actions
from admin.projects.view import (
    AdminStaff,
    building_choices,
    community_id,
    load_need,
    load_project,
    project_summary,
    project_view,
    resource_view,
    visible_projects,
)
from admin.render import ConsoleRoute, render
from bot.deps import SessionDep, commit
from storage.models import utcnow
from storage.projects.resources import KINDS, list_resources
from storage.projects.resources_excel import (
    HEADERS,
    SheetError,
    export_xlsx,
    import_resources,
    template_xlsx,
)
from storage.requests.rules import china_day

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD = 5 * 1024 * 1024
CATEGORIES = (
    "水电燃气", "公共照明", "电梯", "环境卫生", "房屋维修", "噪音扰民",
    "治安安全", "停车交通", "邻里纠纷", "绿化设施", "养老助餐", "就业", "文体活动", "其他",
)  # fmt: skip
FLASH = {
    "need": "需求已加入需求清单。",
    "closed": "需求已关闭。",
    "resource": "资源已加入资源清单。",
    "synced": "已从志愿者档案同步技能。",
    "progress": "进展已发布到相关楼栋群。",
    "milestone": "节点已完成，进展已发布到相关楼栋群。",
    "finished": "项目已办结，相关楼栋群已收到通知。",
    "linked": "工单已关联到项目，所在楼栋也会收到项目进展。",
}


def _xlsx(content: bytes, name: str) -> Response:
    return Response(
        content=content,
        media_type=XLSX,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


def build_lists_pages_router() -> APIRouter:  # noqa: C901 - one route per page
    router = APIRouter(prefix="/admin", route_class=ConsoleRoute, include_in_schema=False)

    @router.get("/needs", response_class=HTMLResponse)
    def needs(
        request: Request, staff: WorkerStaff, session: SessionDep, flash: str = ""
    ) -> HTMLResponse:
        context = {
            **actions.needs_lists(session, staff),
            "buildings": building_choices(session, staff),
            "categories": CATEGORIES,
            "flash": FLASH.get(flash),
        }
        return render(request, "needs.html", context, staff)

    @router.post("/needs")
    def add_need(
        request: Request,
        staff: WorkerStaff,
        session: SessionDep,
        title: Annotated[str, Form(min_length=1, max_length=200)],
        category: Annotated[str, Form(max_length=16)] = "其他",
        building_id: Annotated[str, Form(max_length=12)] = "",
        detail: Annotated[str, Form(max_length=2000)] = "",
    ) -> Response:
        actions.add_need(
            session,
            staff,
            client_ip(request),
            title=title,
            category=category,
            building_id=int(building_id) if building_id.isdigit() else None,
            detail=detail,
        )
        return RedirectResponse("/admin/needs?flash=need", status_code=303)

    @router.post("/needs/from-requests")
    def from_requests(
        request: Request,
        staff: WorkerStaff,
        session: SessionDep,
        key: Annotated[str, Form(max_length=40)],
    ) -> Response:
        actions.need_from_group(session, staff, client_ip(request), key)
        return RedirectResponse("/admin/needs?flash=need", status_code=303)

    @router.post("/needs/from-council")
    def from_council(
        request: Request,
        staff: WorkerStaff,
        session: SessionDep,
        item_id: Annotated[int, Form()],
    ) -> Response:
        actions.need_from_council(session, staff, client_ip(request), item_id)
        return RedirectResponse("/admin/needs?flash=need", status_code=303)

    @router.post("/needs/{need_id}/close")
    def close(
        request: Request,
        need_id: int,
        staff: WorkerStaff,
        session: SessionDep,
        note: Annotated[str, Form(max_length=500)] = "",
    ) -> Response:
        need = load_need(session, staff, need_id)
        actions.close_need(session, staff, client_ip(request), need, note or "已关闭")
        return RedirectResponse("/admin/needs?flash=closed", status_code=303)

    # -- resources -----------------------------------------------------------------------

    def resources_page(
        request: Request, staff: Staff, session: SessionDep, status_code: int = 200, **extra: object
    ) -> HTMLResponse:
        rows = [resource_view(r) for r in list_resources(session, community_id(session))]
        context: dict[str, object] = {
            "rows": rows,
            "kinds": KINDS,
            "headers": HEADERS,
            "error": None,
            "errors": [],
            "flash": None,
            **extra,
        }
        return render(request, "resources.html", context, staff, status_code=status_code)

    @router.get("/resources", response_class=HTMLResponse)
    def resources(
        request: Request,
        staff: WorkerStaff,
        session: SessionDep,
        flash: str = "",
        created: int | None = None,
        updated: int | None = None,
    ) -> HTMLResponse:
        message = FLASH.get(flash)
        if created is not None and updated is not None:
            message = f"导入完成：新增{created}项，更新{updated}项。"
        return resources_page(request, staff, session, flash=message)

    @router.post("/resources")
    def add_resource(
        request: Request,
        staff: AdminStaff,
        session: SessionDep,
        kind: Annotated[str, Form(max_length=16)],
        name: Annotated[str, Form(min_length=1, max_length=100)],
        owner: Annotated[str, Form(min_length=1, max_length=100)],
        offer: Annotated[str, Form(min_length=1, max_length=2000)],
        contact_name: Annotated[str, Form(max_length=64)] = "",
        contact_phone: Annotated[str, Form(max_length=32)] = "",
    ) -> Response:
        actions.add_resource(
            session,
            staff,
            client_ip(request),
            kind=kind,
            name=name,
            owner=owner,
            offer=offer,
            contact_name=contact_name,
            contact_phone=contact_phone,
        )
        return RedirectResponse("/admin/resources?flash=resource", status_code=303)

    @router.post("/resources/sync-volunteers")
    def sync(request: Request, staff: AdminStaff, session: SessionDep) -> Response:
        actions.sync_volunteers(session, staff, client_ip(request))
        return RedirectResponse("/admin/resources?flash=synced", status_code=303)

    @router.get("/resources/template.xlsx")
    def template(staff: WorkerStaff) -> Response:
        return _xlsx(template_xlsx(), "resources-template.xlsx")

    @router.get("/resources/export.xlsx")
    def export(request: Request, staff: WorkerStaff, session: SessionDep) -> Response:
        content = export_xlsx(session, community_id(session))
        audit_staff(session, staff, "export", client_ip(request), "export", "resources", "xlsx")
        commit(session)
        return _xlsx(content, f"resources-{china_day(utcnow())}.xlsx")

    @router.post("/resources/import", response_model=None)
    async def upload(
        request: Request, file: UploadFile, staff: AdminStaff, session: SessionDep
    ) -> Response:
        data = await file.read(MAX_UPLOAD + 1)
        if len(data) > MAX_UPLOAD:
            return resources_page(request, staff, session, 413, error="文件太大（最大5MB）")
        try:
            result = import_resources(
                session, community_id(session), data, actor=staff.actor, now=utcnow()
            )
        except SheetError as exc:
            session.rollback()
            return resources_page(request, staff, session, 400, error=str(exc))
        if not result.ok:
            session.rollback()
            bad = len({e.row for e in result.errors})
            message = f"有{bad}行填写有误，全部未导入，请改正后重新上传"
            return resources_page(request, staff, session, 422, error=message, errors=result.errors)
        detail = f"{file.filename}：{result.rows}行，新增{result.created}，更新{result.updated}"
        audit_staff(session, staff, "resource_import", client_ip(request), "resource", None, detail)
        commit(session)
        target = f"/admin/resources?created={result.created}&updated={result.updated}"
        return RedirectResponse(target, status_code=303)

    # -- projects ------------------------------------------------------------------------

    @router.get("/projects", response_class=HTMLResponse)
    def projects(request: Request, staff: WorkerStaff, session: SessionDep) -> HTMLResponse:
        rows = [project_summary(session, p) for p in visible_projects(session, staff)]
        return render(request, "projects.html", {"rows": rows}, staff)

    @router.get("/projects/{project_id}", response_class=HTMLResponse)
    def project(
        request: Request, project_id: int, staff: WorkerStaff, session: SessionDep, flash: str = ""
    ) -> HTMLResponse:
        found = load_project(session, staff, project_id)
        context = {"p": project_view(session, found), "flash": FLASH.get(flash)}
        return render(request, "project_detail.html", context, staff)

    @router.post("/projects/{project_id}/progress")
    def progress(
        request: Request,
        project_id: int,
        staff: WorkerStaff,
        session: SessionDep,
        text: Annotated[str, Form(min_length=1, max_length=500)],
    ) -> Response:
        found = load_project(session, staff, project_id)
        actions.publish_progress(session, staff, client_ip(request), found, text)
        return RedirectResponse(f"/admin/projects/{project_id}?flash=progress", status_code=303)

    @router.post("/projects/{project_id}/milestones/{milestone_id}/done")
    def milestone(
        request: Request,
        project_id: int,
        milestone_id: int,
        staff: WorkerStaff,
        session: SessionDep,
    ) -> Response:
        actions.complete_milestone(session, staff, client_ip(request), project_id, milestone_id)
        return RedirectResponse(f"/admin/projects/{project_id}?flash=milestone", status_code=303)

    @router.post("/projects/{project_id}/requests")
    def link(
        request: Request,
        project_id: int,
        staff: WorkerStaff,
        session: SessionDep,
        code: Annotated[str, Form(min_length=4, max_length=32)],
    ) -> Response:
        found = load_project(session, staff, project_id)
        actions.link_request(session, staff, client_ip(request), found, code)
        return RedirectResponse(f"/admin/projects/{project_id}?flash=linked", status_code=303)

    @router.post("/projects/{project_id}/finish")
    def finish(
        request: Request,
        project_id: int,
        staff: WorkerStaff,
        session: SessionDep,
        note: Annotated[str, Form(max_length=500)] = "",
    ) -> Response:
        found = load_project(session, staff, project_id)
        actions.finish_project(session, staff, client_ip(request), found, note)
        return RedirectResponse(f"/admin/projects/{project_id}?flash=finished", status_code=303)

    return router
