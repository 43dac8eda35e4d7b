"""The console's router: pages, the JSON API and static files under /admin."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

from admin.render import HERE, ConsoleRoute
from bot.runtime import Runtime

STATIC = {
    "console.css": "text/css; charset=utf-8",
    "console.js": "text/javascript; charset=utf-8",
    "api_actions.js": "text/javascript; charset=utf-8",
    "notice_progress.js": "text/javascript; charset=utf-8",
    "exports.js": "text/javascript; charset=utf-8",
}


def build_admin_router(runtime: Runtime) -> APIRouter:
    # The runtime reaches endpoints through bot.deps (request.app.state.runtime).
    from admin.api import build_api_router
    from admin.dashboard.exports import build_exports_router
    from admin.dashboard.pages import build_dashboard_router
    from admin.employment.api import build_employment_router
    from admin.employment.pages import build_employment_pages_router
    from admin.knowledge.api import build_knowledge_router
    from admin.knowledge.pages import build_knowledge_pages_router
    from admin.meetings.api import build_meetings_api_router
    from admin.meetings.pages import build_meetings_pages_router
    from admin.notices.routes import build_notices_router
    from admin.pages import build_pages_router
    from admin.pairs.api import build_pairs_api_router
    from admin.pairs.pages import build_pairs_pages_router
    from admin.polls.api import build_polls_api_router
    from admin.polls.pages import build_polls_pages_router
    from admin.projects.api import build_projects_api_router
    from admin.projects.pages_joint import build_joint_pages_router
    from admin.projects.pages_lists import build_lists_pages_router
    from admin.requests.api import build_requests_router
    from admin.requests.open311 import build_open311_router
    from admin.requests.pages import build_queue_pages_router
    from admin.requests.work import build_request_work_router
    from admin.residents.households_import import build_households_import_router
    from admin.residents.pages import build_residents_router
    from admin.residents.register import build_register_router
    from admin.staff.pages import build_staff_pages_router
    from admin.volunteers.canteen_api import build_canteen_router
    from admin.volunteers.canteen_pages import build_canteen_pages_router

    router = APIRouter(route_class=ConsoleRoute)
    router.include_router(build_pages_router())
    router.include_router(build_api_router())
    router.include_router(build_canteen_router())
    router.include_router(build_employment_router())
    router.include_router(build_knowledge_router())
    router.include_router(build_requests_router())
    router.include_router(build_open311_router())
    router.include_router(build_notices_router())
    router.include_router(build_meetings_pages_router())
    router.include_router(build_meetings_api_router())
    router.include_router(build_polls_pages_router())
    router.include_router(build_polls_api_router())
    router.include_router(build_pairs_pages_router())
    router.include_router(build_pairs_api_router())
    router.include_router(build_dashboard_router())
    router.include_router(build_exports_router())
    router.include_router(build_residents_router())
    router.include_router(build_queue_pages_router())
    router.include_router(build_request_work_router())
    router.include_router(build_canteen_pages_router())
    router.include_router(build_employment_pages_router())
    router.include_router(build_knowledge_pages_router())
    router.include_router(build_households_import_router())
    router.include_router(build_register_router())
    router.include_router(build_staff_pages_router())
    router.include_router(build_lists_pages_router())
    router.include_router(build_joint_pages_router())
    router.include_router(build_projects_api_router())

    @router.get("/admin/static/{name}", include_in_schema=False)
    def static(name: str) -> FileResponse:
        if name not in STATIC:
            raise HTTPException(status_code=404, detail="文件不存在")
        return FileResponse(
            HERE / "static" / name,
            media_type=STATIC[name],
            headers={"Cache-Control": "public, max-age=3600"},
        )

    return router
