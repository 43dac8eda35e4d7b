"""The figures page (数据看板): charts as server-drawn SVG over a range of China days,
the same figures as JSON (/admin/api/figures) and as an Excel workbook
(/admin/figures.xlsx). Community admins see every grid, grid workers their own grids.
The exports of the console's lists live in admin.dashboard.exports."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from admin.audit import audit_staff
from admin.dashboard.exports import XLSX, attachment, exports_context, parse_day
from admin.dashboard.schemas import DashboardFigures
from admin.dashboard.svg import bar_chart, share_rows
from admin.deps import GRID_WORKER, Staff, WorkerStaff, client_ip
from admin.render import ConsoleRoute, render
from bot.deps import SessionDep, commit
from storage.dashboard import DayRange, dashboard_figures, default_range
from storage.dashboard_excel import figures_xlsx
from storage.models import utcnow
from storage.requests.rules import china_day

MAX_DAYS = 3 * 366


def day_range(since: str, until: str, now: datetime) -> DayRange:
    """The chosen days; a missing end is filled from the default range (last 8 weeks)."""
    default = default_range(now)
    start = parse_day(since, "起始日期") or default.since
    end = parse_day(until, "截止日期") or max(default.until, start)
    if start > end:
        raise HTTPException(status_code=400, detail="起始日期不能晚于截止日期")
    if end - start > timedelta(days=MAX_DAYS):
        raise HTTPException(status_code=400, detail="时间范围最长3年")
    return DayRange(start, end)


def charts(figures: dict[str, Any]) -> dict[str, Any]:
    q = figures["requests"]
    return {
        "category": bar_chart(
            q["by_category"], unit="件", chart_id="chart-category", title="问题按类别"
        ),
        "grid": bar_chart(q["by_grid"], unit="件", chart_id="chart-grid", title="问题按网格"),
        "week": bar_chart(q["by_week"], unit="件", chart_id="chart-week", title="新增问题按时间"),
        "on_time_grid": bar_chart(
            share_rows(q["grids"], "on_time_share"),
            chart_id="chart-ontime-grid",
            title="按期办结率（按网格）",
            percent=True,
            colour="green",
        ),
        "overdue_grid": bar_chart(
            [{"label": r["label"], "value": r["overdue_open"]} for r in q["grids"]],
            unit="件",
            chart_id="chart-overdue-grid",
            title="超期未办结（按网格）",
            colour="red",
        ),
        "satisfied_grid": bar_chart(
            share_rows(q["grids"], "satisfied_share"),
            chart_id="chart-satisfied-grid",
            title="满意率（按网格）",
            percent=True,
            colour="amber",
        ),
        "hours": bar_chart(
            figures["volunteers"]["by_grid"],
            unit="小时",
            chart_id="chart-hours",
            title="志愿时长按网格",
        ),
    }


def scope_label(staff: Staff) -> str:
    return "本人负责的网格" if staff.role == GRID_WORKER else "全社区"


def build_dashboard_router() -> APIRouter:
    router = APIRouter(route_class=ConsoleRoute)

    @router.get("/admin/figures", response_class=HTMLResponse, include_in_schema=False)
    def figures_page(
        request: Request, staff: WorkerStaff, session: SessionDep, since: str = "", until: str = ""
    ) -> HTMLResponse:
        now = utcnow()
        span = day_range(since, until, now)
        figures = dashboard_figures(session, staff.visible_grid_ids(), now, span)
        context: dict[str, Any] = {
            "f": figures,
            "charts": charts(figures),
            "since": span.since.isoformat(),
            "until": span.until.isoformat(),
            **exports_context(session, staff),
        }
        return render(request, "dashboard_figures.html", context, staff)

    @router.get("/admin/figures.xlsx", include_in_schema=False)
    def figures_file(
        request: Request, staff: WorkerStaff, session: SessionDep, since: str = "", until: str = ""
    ) -> Response:
        now = utcnow()
        span = day_range(since, until, now)
        figures = dashboard_figures(session, staff.visible_grid_ids(), now, span)
        body = figures_xlsx(figures, scope_label(staff))
        audit_staff(session, staff, "export", client_ip(request), "export", "figures", span.label)
        commit(session)
        return attachment(body, XLSX, f"figures-{china_day(now)}.xlsx")

    @router.get(
        "/admin/api/figures",
        tags=["figures"],
        response_model=DashboardFigures,
    )
    def figures_api(
        staff: WorkerStaff, session: SessionDep, since: str = "", until: str = ""
    ) -> dict[str, Any]:
        """The figures page's numbers for the grids the staff member sees, over China days
        `since`–`until` (YYYY-MM-DD; by default the last 8 weeks)."""
        now = utcnow()
        return dashboard_figures(
            session, staff.visible_grid_ids(), now, day_range(since, until, now)
        )

    return router
