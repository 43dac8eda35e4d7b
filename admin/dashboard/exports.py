"""CSV / Excel exports of the console's lists (导出数据), narrowed by date range, grid and
status from the form on the exports page or the query string.

Exports follow the permissions of the list they copy: the queue lists (requests,
hand-overs, deliveries) for admins and grid workers (only their grids), canteen lists for
canteen staff, employment lists for employment officers; admins everything. Every export
is audited (it carries residents' personal data)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from admin.audit import audit_staff
from admin.deps import (
    ADMIN,
    CANTEEN,
    EMPLOYMENT,
    GRID_FORBIDDEN,
    GRID_WORKER,
    ROLE_FORBIDDEN,
    CurrentStaff,
    Staff,
    client_ip,
)
from admin.render import ConsoleRoute, render
from bot.deps import SessionDep, commit
from storage.exports import EXPORTS, LedgerFilter, export_rows, to_csv, to_xlsx
from storage.models import Grid, utcnow
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
XLSX = FORMATS["xlsx"]


def export_scope(staff: Staff) -> tuple[int, ...] | None:
    """Grid workers export only their grids; other roles see their lists whole."""
    return staff.grid_ids if staff.role == GRID_WORKER else None


def allowed_exports(staff: Staff) -> list[dict[str, Any]]:
    return [
        {
            "name": name,
            "title": EXPORTS[name].title,
            "statuses": EXPORTS[name].statuses,
            "date_label": EXPORTS[name].date_label,
        }
        for name, roles in EXPORT_ROLES.items()
        if staff.may_use(*roles)
    ]


def export_grids(session: Session, staff: Staff) -> list[tuple[int, str]]:
    rows = session.execute(select(Grid.id, Grid.name).order_by(Grid.id))
    visible = staff.visible_grid_ids()
    return [(gid, name) for gid, name in rows if visible is None or gid in visible]


def parse_day(value: str, what: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise HTTPException(status_code=400, detail=f"{what}格式不对（应为 2026-12-01）") from exc


def ledger_filter(staff: Staff, since: str, until: str, grid_id: str, status: str) -> LedgerFilter:
    start, end = parse_day(since, "起始日期"), parse_day(until, "截止日期")
    if start and end and start > end:
        raise HTTPException(status_code=400, detail="起始日期不能晚于截止日期")
    grid: int | None = None
    if grid_id.strip():
        if not grid_id.strip().isdigit():
            raise HTTPException(status_code=400, detail="没有这个网格")
        grid = int(grid_id)
        scope = export_scope(staff)
        if scope is not None and grid not in scope:
            raise HTTPException(status_code=403, detail=GRID_FORBIDDEN)
    return LedgerFilter(since=start, until=end, grid_id=grid, status=status.strip())


def exports_context(session: Session, staff: Staff) -> dict[str, Any]:
    return {"exports": allowed_exports(staff), "export_grids": export_grids(session, staff)}


def attachment(body: bytes, media_type: str, download: str) -> Response:
    return Response(
        body,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{download}"',
            "Cache-Control": "no-store",
        },
    )


def build_exports_router() -> APIRouter:
    router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

    @router.get("/admin/exports", response_class=HTMLResponse)
    def exports_page(request: Request, staff: CurrentStaff, session: SessionDep) -> HTMLResponse:
        context: dict[str, Any] = {"f": None, **exports_context(session, staff)}
        return render(request, "dashboard_figures.html", context, staff)

    def send(
        request: Request, name: str, fmt: str, staff: Staff, session: Session, chosen: LedgerFilter
    ) -> Response:
        if name not in EXPORTS or fmt not in FORMATS:
            raise HTTPException(status_code=404, detail="没有这个导出项")
        if not staff.may_use(*EXPORT_ROLES[name]):
            raise HTTPException(status_code=403, detail=ROLE_FORBIDDEN)
        spec = EXPORTS[name]
        if chosen.status and chosen.status not in spec.statuses:
            raise HTTPException(status_code=400, detail=f"“{spec.title}”没有这个状态可选")
        now = utcnow()
        columns, rows = export_rows(session, name, export_scope(staff), chosen, now=now)
        body = to_csv(columns, rows) if fmt == "csv" else to_xlsx(spec.title, columns, rows)
        narrowed = [
            f"{chosen.since or '…'}至{chosen.until or '…'}" if chosen.since or chosen.until else "",
            f"网格{chosen.grid_id}" if chosen.grid_id else "",
            spec.statuses.get(chosen.status, "") if chosen.status else "",
        ]
        detail = " ".join([f"{fmt} {len(rows)}行", *[n for n in narrowed if n]])
        audit_staff(session, staff, "export", client_ip(request), "export", name, detail)
        commit(session)
        return attachment(body, FORMATS[fmt], f"{name}-{china_day(now)}.{fmt}")

    @router.get("/admin/export")
    def export_form(
        request: Request,
        staff: CurrentStaff,
        session: SessionDep,
        list: str = "",
        fmt: str = "xlsx",
        since: str = "",
        until: str = "",
        grid_id: str = "",
        status: str = "",
    ) -> Response:
        """The exports page's form: the list and format are fields, not the path."""
        chosen = ledger_filter(staff, since, until, grid_id, status)
        return send(request, list, fmt, staff, session, chosen)

    @router.get("/admin/export/{filename}")
    def export(
        request: Request,
        filename: str,
        staff: CurrentStaff,
        session: SessionDep,
        since: str = "",
        until: str = "",
        grid_id: str = "",
        status: str = "",
    ) -> Response:
        name, _, fmt = filename.rpartition(".")
        chosen = ledger_filter(staff, since, until, grid_id, status)
        return send(request, name, fmt, staff, session, chosen)

    return router
