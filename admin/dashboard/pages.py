"""The figures page (数据看板) and CSV / Excel exports of the console's lists.

Figures: community admins see every grid, grid workers their own grids. Exports follow
the permissions of the list they copy: the queue lists (requests, hand-overs,
deliveries) for admins and grid workers (only their grids), canteen lists for canteen
staff, employment lists for employment officers; admins everything. Every export is
audited (it carries residents' personal data).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from admin.audit import audit_staff
from admin.dashboard.schemas import DashboardFigures
from admin.deps import (
    ADMIN,
    CANTEEN,
    EMPLOYMENT,
    GRID_WORKER,
    ROLE_FORBIDDEN,
    CurrentStaff,
    Staff,
    WorkerStaff,
    client_ip,
)
from admin.render import ConsoleRoute, render
from bot.deps import SessionDep, commit
from storage.dashboard import dashboard_figures
from storage.exports import EXPORTS, export_rows, to_csv, to_xlsx
from storage.models import utcnow
from storage.requests.rules import china_day

EXPORT_ROLES: dict[str, tuple[str, ...]] = {
    "requests": (ADMIN, GRID_WORKER),
    "handovers": (ADMIN, GRID_WORKER),
    "deliveries": (ADMIN, GRID_WORKER),
    "meal_orders": (ADMIN, CANTEEN),
    "tasks": (ADMIN, CANTEEN),
    "volunteers": (ADMIN, CANTEEN),
    "hours": (ADMIN, CANTEEN),
    "seekers": (ADMIN, EMPLOYMENT),
    "applications": (ADMIN, EMPLOYMENT),
}
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def export_scope(staff: Staff) -> tuple[int, ...] | None:
    """Grid workers export only their grids; other roles see their lists whole."""
    return staff.grid_ids if staff.role == GRID_WORKER else None


def allowed_exports(staff: Staff) -> list[dict[str, str]]:
    return [
        {"name": name, "title": EXPORTS[name].title}
        for name, roles in EXPORT_ROLES.items()
        if staff.may_use(*roles)
    ]


def build_dashboard_router() -> APIRouter:
    router = APIRouter(route_class=ConsoleRoute)

    @router.get("/admin/figures", response_class=HTMLResponse, include_in_schema=False)
    def figures_page(request: Request, staff: WorkerStaff, session: SessionDep) -> HTMLResponse:
        figures = dashboard_figures(session, staff.visible_grid_ids(), utcnow())
        context: dict[str, Any] = {"f": figures, "exports": allowed_exports(staff)}
        return render(request, "dashboard_figures.html", context, staff)

    @router.get(
        "/admin/api/figures",
        tags=["figures"],
        response_model=DashboardFigures,
    )
    def figures_api(staff: WorkerStaff, session: SessionDep) -> dict[str, Any]:
        """The figures page's numbers for the grids the staff member sees."""
        return dashboard_figures(session, staff.visible_grid_ids(), utcnow())

    @router.get("/admin/exports", response_class=HTMLResponse, include_in_schema=False)
    def exports_page(request: Request, staff: CurrentStaff) -> HTMLResponse:
        context: dict[str, Any] = {"f": None, "exports": allowed_exports(staff)}
        return render(request, "dashboard_figures.html", context, staff)

    @router.get("/admin/export/{filename}", include_in_schema=False)
    def export(
        request: Request, filename: str, staff: CurrentStaff, session: SessionDep
    ) -> Response:
        name, _, fmt = filename.rpartition(".")
        if name not in EXPORTS or fmt not in FORMATS:
            raise HTTPException(status_code=404, detail="没有这个导出项")
        if not staff.may_use(*EXPORT_ROLES[name]):
            raise HTTPException(status_code=403, detail=ROLE_FORBIDDEN)
        spec = EXPORTS[name]
        headers, rows = export_rows(session, name, export_scope(staff))
        body = to_csv(headers, rows) if fmt == "csv" else to_xlsx(spec.title, headers, rows)
        audit_staff(
            session, staff, "export", client_ip(request), "export", name, f"{fmt} {len(rows)}行"
        )
        commit(session)
        download = f"{name}-{china_day(utcnow())}.{fmt}"
        return Response(
            body,
            media_type=FORMATS[fmt],
            headers={
                "Content-Disposition": f'attachment; filename="{download}"',
                "Cache-Control": "no-store",
            },
        )

    return router
