"""Server-rendered grid request queue (/admin/requests) and request detail pages.

Actions post ordinary forms (hidden CSRF field) and go through the same storage functions
as the JSON API (storage.requests.service.claim / transition), with the same audit actions.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from admin.deps import ADMIN, GRID_WORKER, Staff, WorkerStaff, ensure_grid
from admin.render import ConsoleRoute, render
from admin.requests.actions import MAX_SUMMARY, apply_action, set_public_summary
from admin.timefmt import CST, age_label, local_time
from bot.deps import SessionDep
from storage.events import history
from storage.models import Grid, Resident, ServiceRequest, StaffAccount, utcnow
from storage.requests.queries import filtered_requests
from storage.requests.rules import (
    ACTION_LABELS,
    CATEGORIES,
    DISPATCHED,
    IN_PROGRESS,
    RESOLVED,
    RETURNED,
    STATUS_LABELS,
)
from storage.requests.service import ENTITY, owner_label

NOT_FOUND = "没有找到这个问题"
MAX_TEXT = 1000
AMBER_WINDOW = timedelta(hours=24)
STATUS_FILTERS = {"open": "未办结", **STATUS_LABELS, "closed": "已关闭", "all": "全部"}
# Confirmations after POST-redirect-GET: a fixed code in the URL, never free text.
FLASH = {
    "claim": "认领成功，请尽快联系居民。",
    "assign": "已派单。",
    "start": "已开始处理。",
    "resolve": "已办结，居民将收到评价邀请。",
    "return": "已退回。",
    "summary": "公开摘要已保存（电话、身份证号、门牌号已自动去除）。",
}


def sla_colour(request: ServiceRequest, now: datetime) -> str:
    """red: overdue; amber: due within 24 h; green: otherwise; '' once closed."""
    if not request.is_open:
        return ""
    if request.due_at < now:
        return "sla-red"
    if request.due_at - now < AMBER_WINDOW:
        return "sla-amber"
    return "sla-green"


def row_view(
    session: Session, request: ServiceRequest, grids: dict[int, str], now: datetime
) -> dict[str, Any]:
    return {
        "id": request.id,
        "code": request.code,
        "status": request.status,
        "status_label": STATUS_LABELS.get(request.status, request.status),
        "category": request.category,
        "location": request.location,
        "description": request.description,
        "urgent": request.urgent,
        "is_open": request.is_open,
        "grid_name": grids.get(request.grid_id or 0, "社区"),
        "owner": owner_label(session, request)
        if request.owner_staff_id or request.owner_name
        else "",
        "due": local_time(request.due_at),
        "sla": sla_colour(request, now),
        "age": age_label(request.created_at, now),
        "created": local_time(request.created_at),
        "status_note": request.status_note,
        "public_summary": request.public_summary or "",
    }


def actions_for(request: ServiceRequest) -> list[str]:
    """Which action forms the page offers (the storage rules still decide)."""
    status = request.status
    if not request.is_open:
        return []
    found: list[str] = []
    if status in ("accepted", RETURNED):
        found.append("claim")
    found.append("assign")
    if status == DISPATCHED:
        found.append("start")
    found.append("resolve")
    if status != RETURNED:
        found.append("return")
    return found


def grid_names(session: Session) -> dict[int, str]:
    return {g.id: g.name for g in session.scalars(select(Grid))}


def list_queue(
    session: Session, staff: Staff, status: str, category: str, overdue: bool
) -> list[dict[str, Any]]:
    now = utcnow()
    known = status in ("open", "closed") or status in STATUS_LABELS
    query = filtered_requests(
        staff.visible_grid_ids(),
        status=status if known else "all",
        now=now,
        category=category if category in CATEGORIES else None,
        overdue=overdue,
    ).limit(300)
    grids = grid_names(session)
    return [row_view(session, r, grids, now) for r in session.scalars(query)]


def load(session: Session, staff: Staff, request_id: int) -> ServiceRequest:
    found = session.get(ServiceRequest, request_id)
    if found is None:
        raise HTTPException(status_code=404, detail=NOT_FOUND)
    ensure_grid(staff, found.grid_id)
    return found


def detail_view(session: Session, request: ServiceRequest) -> dict[str, Any]:
    data = row_view(session, request, grid_names(session), utcnow())
    reporter = session.get(Resident, request.resident_id) if request.resident_id else None
    data["reporter"] = (reporter.name or "居民") if reporter else "（无）"
    data["history"] = [
        {
            "at": local_time(e.at),
            "actor": e.actor,
            "from_label": STATUS_LABELS.get(e.from_state or "", e.from_state or ""),
            "label": STATUS_LABELS.get(e.to_state) or ACTION_LABELS.get(e.to_state, e.to_state),
            "note": e.note,
        }
        for e in history(session, ENTITY, request.id)
    ]
    data["actions"] = actions_for(request)
    return data


def owners(session: Session) -> list[StaffAccount]:
    query = select(StaffAccount).where(
        StaffAccount.active.is_(True), StaffAccount.role.in_((ADMIN, GRID_WORKER))
    )
    return list(session.scalars(query.order_by(StaffAccount.id)))


def parse_due(value: str) -> datetime | None:
    """A datetime-local field (China time) as an aware datetime; empty means the SLA."""
    if not value.strip():
        return None
    try:
        due = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise HTTPException(status_code=400, detail="期限格式不对") from exc
    due = due if due.tzinfo else due.replace(tzinfo=CST)
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
    return RedirectResponse(f"/admin/requests/{request_id}?msg={code}", status_code=303)


Text = Annotated[str, Form(max_length=MAX_TEXT)]


def build_queue_pages_router() -> APIRouter:
    router = APIRouter(prefix="/admin/requests", route_class=ConsoleRoute, include_in_schema=False)

    @router.get("", response_class=HTMLResponse)
    def queue(
        request: Request,
        staff: WorkerStaff,
        session: SessionDep,
        status: str = "open",
        category: str = "",
        overdue: bool = False,
    ) -> HTMLResponse:
        status = status if status in STATUS_FILTERS else "open"
        rows = list_queue(session, staff, status, category, overdue)
        context = {
            "rows": rows,
            "status": status,
            "category": category,
            "overdue": overdue,
            "status_filters": STATUS_FILTERS,
            "categories": CATEGORIES,
        }
        return render(request, "requests_queue.html", context, staff)

    @router.get("/{request_id}", response_class=HTMLResponse)
    def detail(
        request: Request, request_id: int, staff: WorkerStaff, session: SessionDep, msg: str = ""
    ) -> HTMLResponse:
        target = load(session, staff, request_id)
        context = {
            "r": detail_view(session, target),
            "owners": owners(session),
            "flash": FLASH.get(msg),
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
