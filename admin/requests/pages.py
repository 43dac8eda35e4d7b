"""Server-rendered grid request queue (/admin/requests) and request detail pages.

Actions post ordinary forms (hidden CSRF field) and go through the same storage functions
as the JSON API (storage.requests.service.claim / transition), with the same audit actions.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from admin.deps import ADMIN, GRID_WORKER, Staff, WorkerStaff, ensure_grid
from admin.render import ConsoleRoute, render
from admin.requests.actions import MAX_SUMMARY, apply_action, set_public_summary
from admin.requests.view import detail_view, grid_names, list_queue
from admin.timefmt import parse_local
from bot.deps import SessionDep, SettingsDep
from storage.models import Building, ServiceRequest, StaffAccount, utcnow
from storage.requests.queries import QueueFilter
from storage.requests.routing import parse_outside_units
from storage.requests.rules import (
    CATEGORIES,
    DISPATCHED,
    IN_PROGRESS,
    RESOLVED,
    RETURNED,
    STATUS_LABELS,
)

NOT_FOUND = "没有找到这个问题"
MAX_TEXT = 1000
STATUS_FILTERS = {"open": "未办结", **STATUS_LABELS, "closed": "已关闭", "all": "全部"}
# Confirmations after POST-redirect-GET: a fixed code in the URL, never free text.
FLASH = {
    "claim": "认领成功，请尽快联系居民。",
    "assign": "已派单。",
    "start": "已开始处理。",
    "resolve": "已办结，居民将收到评价邀请。",
    "return": "已退回社区派单池，由社区重新派单。",
    "corrected": "已修改，处理记录已保存。",
    "transferred": "已转派。",
    "replied": "回复已安排发送。",
    "summary": "公开摘要已保存（电话、身份证号、门牌号已自动去除）。",
}


def load(session: Session, staff: Staff, request_id: int) -> ServiceRequest:
    found = session.get(ServiceRequest, request_id)
    if found is None:
        raise HTTPException(status_code=404, detail=NOT_FOUND)
    ensure_grid(staff, found.grid_id)
    return found


DUE_FILTERS = {"today": "今天到期（含已超期）", "overdue": "已超期"}


def buildings_of(session: Session, grid_ids: tuple[int, ...]) -> list[tuple[int, str]]:
    query = (
        select(Building)
        .where(Building.grid_id.in_(grid_ids))
        .options(joinedload(Building.compound))
        .order_by(Building.id)
    )
    return [(b.id, f"{b.compound.name}{b.label}") for b in session.scalars(query)]


def owners(session: Session) -> list[StaffAccount]:
    query = select(StaffAccount).where(
        StaffAccount.active.is_(True), StaffAccount.role.in_((ADMIN, GRID_WORKER))
    )
    return list(session.scalars(query.order_by(StaffAccount.id)))


def parse_due(value: str) -> datetime | None:
    """A datetime-local field (China time) as an aware datetime; empty means the SLA."""
    if not value.strip():
        return None
    due = parse_local(value, "期限格式不对")
    if due <= utcnow():
        raise HTTPException(status_code=400, detail="期限必须晚于现在")
    return due


def act(
    request: Request, session: Session, staff: Staff, request_id: int, action: str, **kw: Any
) -> Response:
    """One action, as the JSON API does it: storage transition + audit row, then commit."""
    target = load(session, staff, request_id)
    apply_action(request, session, staff, target, action, **kw)
    flash = {DISPATCHED: "assign", IN_PROGRESS: "start", RESOLVED: "resolve", RETURNED: "return"}
    code = flash.get(action, action)
    if action == RETURNED and not staff.may_act_on(target.grid_id):
        return RedirectResponse(f"/admin/requests?msg={code}", status_code=303)
    return RedirectResponse(f"/admin/requests/{request_id}?msg={code}", status_code=303)


Text = Annotated[str, Form(max_length=MAX_TEXT)]


def build_queue_pages_router() -> APIRouter:
    router = APIRouter(prefix="/admin/requests", route_class=ConsoleRoute, include_in_schema=False)

    @router.get("", response_class=HTMLResponse)
    def queue(
        request: Request,
        staff: WorkerStaff,
        session: SessionDep,
        settings: SettingsDep,
        status: str = "open",
        category: str = "",
        grid_id: str = "",
        building_id: str = "",
        owner: str = "",
        urgent: str = "",
        due: str = "",
        overdue: bool = False,
        q: Annotated[str, Query(max_length=100)] = "",
        page: int = 1,
        msg: str = "",
    ) -> HTMLResponse:
        status = status if status in STATUS_FILTERS else "open"
        due = "overdue" if overdue else due if due in DUE_FILTERS else ""
        grid = int(grid_id) if grid_id.isdigit() else None
        if grid is not None:
            ensure_grid(staff, grid)
        wanted = QueueFilter(
            status=status,
            category=category if category in CATEGORIES else None,
            grid_id=grid,
            building_id=int(building_id) if building_id.isdigit() else None,
            owner=owner.strip()[:64],
            urgent={"1": True, "0": False}.get(urgent),
            due=due,
            words=q.strip(),
        )
        params = {
            "status": status,
            "category": category,
            "grid_id": grid_id,
            "building_id": building_id,
            "owner": owner,
            "urgent": urgent,
            "due": due,
            "q": q,
        }
        rows, pager = list_queue(session, staff, wanted, page, params)
        visible = staff.visible_grid_ids()
        grids = {k: v for k, v in grid_names(session).items() if visible is None or k in visible}
        context = {
            "rows": rows,
            "pager": pager,
            "f": params,
            "status_filters": STATUS_FILTERS,
            "due_filters": DUE_FILTERS,
            "categories": CATEGORIES,
            "grids": grids,
            "buildings": buildings_of(session, tuple(grids)),
            "owners": owners(session),
            "outside_units": parse_outside_units(settings.outside_units),
            "flash": FLASH.get(msg),
        }
        return render(request, "requests_queue.html", context, staff)

    @router.get("/{request_id}", response_class=HTMLResponse)
    def detail(
        request: Request,
        request_id: int,
        staff: WorkerStaff,
        session: SessionDep,
        settings: SettingsDep,
        msg: str = "",
    ) -> HTMLResponse:
        target = load(session, staff, request_id)
        grids = grid_names(session)
        context = {
            "r": detail_view(session, staff, target),
            "owners": owners(session),
            "flash": FLASH.get(msg),
            "categories": CATEGORIES,
            "grids": grids,
            "transfer_grids": {k: v for k, v in grids.items() if k != target.grid_id},
            "buildings": buildings_of(session, tuple(grids)),
            "outside_units": parse_outside_units(settings.outside_units),
        }
        return render(request, "request_detail.html", context, staff)

    @router.post("/{request_id}/claim")
    def claim_page(
        request: Request, request_id: int, staff: WorkerStaff, session: SessionDep
    ) -> Response:
        return act(request, session, staff, request_id, "claim")

    @router.post("/{request_id}/assign")
    def assign_page(
        request: Request,
        request_id: int,
        staff: WorkerStaff,
        session: SessionDep,
        owner_staff_id: Annotated[str, Form(max_length=12)] = "",
        owner_name: Annotated[str, Form(max_length=64)] = "",
        due_at: Annotated[str, Form(max_length=40)] = "",
        note: Text = "",
    ) -> Response:
        owner_id = int(owner_staff_id) if owner_staff_id.strip().isdigit() else None
        name = owner_name.strip() or None
        if owner_id is None and name is None:
            raise HTTPException(status_code=400, detail="请指定负责人")
        if owner_id is not None:
            owner = session.get(StaffAccount, owner_id)
            if owner is None or not owner.active:
                raise HTTPException(status_code=400, detail="负责人账号不存在或已停用")
        return act(
            request,
            session,
            staff,
            request_id,
            DISPATCHED,
            note=note.strip() or None,
            owner_staff_id=owner_id,
            owner_name=name,
            due_at=parse_due(due_at),
        )

    @router.post("/{request_id}/start")
    def start_page(
        request: Request, request_id: int, staff: WorkerStaff, session: SessionDep
    ) -> Response:
        return act(request, session, staff, request_id, IN_PROGRESS)

    @router.post("/{request_id}/resolve")
    def resolve_page(
        request: Request, request_id: int, staff: WorkerStaff, session: SessionDep, note: Text = ""
    ) -> Response:
        if not note.strip():
            raise HTTPException(status_code=400, detail="请填写办结说明")
        return act(request, session, staff, request_id, RESOLVED, note=note.strip())

    @router.post("/{request_id}/public-summary")
    def public_summary_page(
        request: Request,
        request_id: int,
        staff: WorkerStaff,
        session: SessionDep,
        summary: Annotated[str, Form(max_length=MAX_SUMMARY)] = "",
    ) -> Response:
        set_public_summary(request, session, staff, load(session, staff, request_id), summary)
        return RedirectResponse(f"/admin/requests/{request_id}?msg=summary", status_code=303)

    @router.post("/{request_id}/return")
    def return_page(
        request: Request,
        request_id: int,
        staff: WorkerStaff,
        session: SessionDep,
        reason: Text = "",
    ) -> Response:
        if not reason.strip():
            raise HTTPException(status_code=400, detail="请填写退回原因")
        return act(request, session, staff, request_id, RETURNED, note=reason.strip())

    return router
