"""Console JSON API for problem reports under /admin/api/requests: the grid queue with
filters, detail with full history, and the 办/议 actions. A grid worker sees and acts on
their own grids only; every action writes an event row (in storage) and an audit row."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from admin.audit import audit_staff
from admin.deps import ADMIN, Staff, WorkerStaff, client_ip, ensure_grid, require_role
from admin.labels import ActorNames
from admin.render import ConsoleRoute
from admin.requests.actions import apply_action, set_public_summary
from admin.requests.schemas import (
    AssignIn,
    CouncilIn,
    OverduePublic,
    ReasonIn,
    RequestDetail,
    RequestList,
    ResolveIn,
    SlaIn,
    SlaRulePublic,
    SummaryIn,
)
from admin.timefmt import local_time
from bot.deps import SessionDep, commit
from storage.events import history
from storage.models import (
    Grid,
    RequestPhoto,
    RequestSubscriber,
    Resident,
    ServiceRequest,
    SlaRule,
    StaffAccount,
    utcnow,
)
from storage.requests import council as council_agenda
from storage.requests.queries import filtered_requests, overdue_counts
from storage.requests.rules import (
    ACTION_LABELS,
    CANCELLED,
    CATEGORIES,
    DISPATCHED,
    IN_PROGRESS,
    RESOLVED,
    RETURNED,
    STATUS_LABELS,
    default_rules,
    set_sla_rule,
)
from storage.requests.service import (
    ENTITY,
    TransitionError,
    owner_label,
)

NOT_FOUND = "没有找到这个问题"
AdminStaff = Annotated[Staff, Depends(require_role(ADMIN))]


def request_json(session: Session, request: ServiceRequest, now: datetime) -> dict[str, Any]:
    grid = session.get(Grid, request.grid_id) if request.grid_id else None
    return {
        "id": request.id,
        "code": request.code,
        "status": request.status,
        "status_label": STATUS_LABELS[request.status],
        "category": request.category,
        "location": request.location,
        "description": request.description,
        "urgent": request.urgent,
        "source": request.source,
        "grid_id": request.grid_id,
        "grid_name": grid.name if grid else "社区",
        "owner_staff_id": request.owner_staff_id,
        "owner": owner_label(session, request)
        if request.owner_staff_id or request.owner_name
        else None,
        "due_at": request.due_at.isoformat(),
        "due_label": local_time(request.due_at),
        "respond_by": request.respond_by.isoformat(),
        "resolve_by": request.resolve_by.isoformat(),
        "overdue": request.is_open and request.due_at < now,
        "escalation_level": request.escalation_level,
        "same_count": request.same_count,
        "reopen_count": request.reopen_count,
        "status_note": request.status_note,
        "public_summary": request.public_summary,
        "council_status": request.council_status,
        "council_decision": request.council_decision,
        "rating": request.rating,
        "rating_state": request.rating_state,
        "followup_state": request.followup_state,
        "created_at": request.created_at.isoformat(),
        "updated_at": request.updated_at.isoformat(),
        "resolved_at": request.resolved_at.isoformat() if request.resolved_at else None,
    }


def detail_json(session: Session, request: ServiceRequest) -> dict[str, Any]:
    data = request_json(session, request, utcnow())
    reporter = session.get(Resident, request.resident_id) if request.resident_id else None
    data["reporter"] = (
        {"name": reporter.name or "居民", "openid": reporter.openid} if reporter else None
    )
    data["subscribers"] = int(
        session.scalar(select(func.count()).where(RequestSubscriber.request_id == request.id)) or 0
    )
    photos = session.scalars(
        select(RequestPhoto).where(RequestPhoto.request_id == request.id).order_by(RequestPhoto.id)
    )
    data["photos"] = [
        {"id": p.id, "status": p.status, "content_type": p.content_type, "size": p.size}
        for p in photos
    ]
    names = ActorNames(session)
    data["history"] = [
        {
            "at": e.at.isoformat(),
            "at_label": local_time(e.at),
            "actor": e.actor,
            "actor_label": names(e.actor),
            "from_state": e.from_state,
            "to_state": e.to_state,
            "label": STATUS_LABELS.get(e.to_state) or ACTION_LABELS.get(e.to_state, e.to_state),
            "note": e.note,
        }
        for e in history(session, ENTITY, request.id)
    ]
    return data


def _load(session: Session, staff: Staff, request_id: int) -> ServiceRequest:
    request = session.get(ServiceRequest, request_id)
    if request is None:
        raise HTTPException(status_code=404, detail=NOT_FOUND)
    ensure_grid(staff, request.grid_id)
    return request


def _conflict(exc: TransitionError) -> HTTPException:
    return HTTPException(status_code=exc.status, detail=exc.message)


def build_requests_router() -> APIRouter:
    router = APIRouter(prefix="/admin/api/requests", route_class=ConsoleRoute, tags=["requests"])

    @router.get("", response_model=RequestList)
    def list_requests(
        staff: WorkerStaff,
        session: SessionDep,
        grid_id: int | None = None,
        status: str = "open",
        category: str | None = None,
        overdue: bool = False,
        urgent: bool | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> dict[str, Any]:
        now = utcnow()
        grid_ids = staff.visible_grid_ids()
        if grid_id is not None:
            ensure_grid(staff, grid_id)
            grid_ids = (grid_id,)
        try:
            query = filtered_requests(
                grid_ids,
                status=status,
                now=now,
                category=category,
                overdue=overdue,
                urgent=urgent,
            )
        except ValueError as exc:
            raise HTTPException(status_code=400, detail="未知的状态筛选") from exc
        total = session.scalar(select(func.count()).select_from(query.subquery()))
        rows = session.scalars(query.limit(max(1, min(limit, 500))).offset(max(0, offset)))
        return {"total": int(total or 0), "items": [request_json(session, r, now) for r in rows]}

    @router.get("/overdue", response_model=OverduePublic)
    def overdue(staff: WorkerStaff, session: SessionDep) -> dict[str, Any]:
        counts = overdue_counts(session, utcnow())
        visible = staff.visible_grid_ids()
        if visible is not None:
            counts["by_grid"] = [row for row in counts["by_grid"] if row["grid_id"] in visible]
            counts["by_owner"] = [
                row for row in counts["by_owner"] if row["owner_staff_id"] == staff.id
            ]
        return counts

    @router.get("/sla", response_model=list[SlaRulePublic])
    def sla_rules(staff: WorkerStaff, session: SessionDep) -> list[dict[str, Any]]:
        rules = {(r["category"], r["urgent"]): r for r in default_rules()}
        for row in session.scalars(select(SlaRule)):
            rules[(row.category, row.urgent)] = {
                "category": row.category,
                "urgent": row.urgent,
                "respond_hours": row.respond_hours,
                "resolve_hours": row.resolve_hours,
            }
        return list(rules.values())

    @router.post("/sla", response_model=SlaRulePublic)
    def set_sla(
        request: Request, body: SlaIn, staff: AdminStaff, session: SessionDep
    ) -> dict[str, Any]:
        if body.category not in (*CATEGORIES, "*"):
            raise HTTPException(status_code=400, detail="未知的问题类别")
        set_sla_rule(
            session,
            body.category,
            urgent=body.urgent,
            respond_hours=body.respond_hours,
            resolve_hours=body.resolve_hours,
            by=staff.actor,
        )
        detail = f"{body.category} 紧急={body.urgent} 响应{body.respond_hours}h 办结{body.resolve_hours}h"
        audit_staff(session, staff, "sla", client_ip(request), "sla_rule", body.category, detail)
        commit(session)
        return body.model_dump()

    @router.get("/{request_id}", response_model=RequestDetail)
    def detail(request_id: int, staff: WorkerStaff, session: SessionDep) -> dict[str, Any]:
        return detail_json(session, _load(session, staff, request_id))

    @router.get(
        "/{request_id}/photos/{photo_id}",
        response_class=FileResponse,
        responses={200: {"content": {"image/*": {}}, "description": "照片"}},
    )
    def photo(
        request_id: int, photo_id: int, staff: WorkerStaff, session: SessionDep
    ) -> FileResponse:
        _load(session, staff, request_id)
        row = session.get(RequestPhoto, photo_id)
        if row is None or row.request_id != request_id or row.status != "stored" or not row.path:
            raise HTTPException(status_code=404, detail="照片还没有下载或不存在")
        return FileResponse(Path(row.path), media_type=row.content_type or None)

    def act(
        request: Request, session: Session, staff: Staff, request_id: int, action: str, **kw: Any
    ) -> dict[str, Any]:
        target = _load(session, staff, request_id)
        apply_action(request, session, staff, target, action, **kw)
        return detail_json(session, target)

    @router.post("/{request_id}/claim", response_model=RequestDetail)
    def claim_request(
        request: Request, request_id: int, staff: WorkerStaff, session: SessionDep
    ) -> dict[str, Any]:
        return act(request, session, staff, request_id, "claim")

    @router.post("/{request_id}/assign", response_model=RequestDetail)
    def assign(
        request: Request, request_id: int, body: AssignIn, staff: WorkerStaff, session: SessionDep
    ) -> dict[str, Any]:
        name = (body.owner_name or "").strip() or None
        if body.owner_staff_id is None and name is None:
            raise HTTPException(status_code=400, detail="请指定负责人")
        if body.owner_staff_id is not None:
            owner = session.get(StaffAccount, body.owner_staff_id)
            if owner is None or not owner.active:
                raise HTTPException(status_code=400, detail="负责人账号不存在或已停用")
        due = body.due_at
        if due is not None:
            if due.tzinfo is None:
                raise HTTPException(
                    status_code=400, detail="期限须带时区，如 2026-11-25T18:00+08:00"
                )
            if due <= utcnow():
                raise HTTPException(status_code=400, detail="期限必须晚于现在")
        return act(
            request,
            session,
            staff,
            request_id,
            DISPATCHED,
            note=body.note,
            owner_staff_id=body.owner_staff_id,
            owner_name=name,
            due_at=due,
        )

    @router.post("/{request_id}/start", response_model=RequestDetail)
    def start(
        request: Request, request_id: int, staff: WorkerStaff, session: SessionDep
    ) -> dict[str, Any]:
        return act(request, session, staff, request_id, IN_PROGRESS)

    @router.post("/{request_id}/resolve", response_model=RequestDetail)
    def resolve(
        request: Request, request_id: int, body: ResolveIn, staff: WorkerStaff, session: SessionDep
    ) -> dict[str, Any]:
        return act(request, session, staff, request_id, RESOLVED, note=body.note.strip())

    def with_reason(path: str, name: str, to_state: str) -> None:
        """POST /{request_id}/<path>: the transition to `to_state`, noting the reason given."""

        @router.post(f"/{{request_id}}/{path}", name=name, response_model=RequestDetail)
        def route(
            request: Request,
            request_id: int,
            body: ReasonIn,
            staff: WorkerStaff,
            session: SessionDep,
        ) -> dict[str, Any]:
            return act(request, session, staff, request_id, to_state, note=body.reason.strip())

    with_reason("return", "return_request", RETURNED)
    with_reason("cancel", "cancel", CANCELLED)
    with_reason("reopen", "reopen", "accepted")

    @router.post("/{request_id}/public-summary", response_model=RequestDetail)
    def public_summary(
        request: Request, request_id: int, body: SummaryIn, staff: WorkerStaff, session: SessionDep
    ) -> dict[str, Any]:
        """What the public board shows (scrubbed); an empty summary withdraws it."""
        target = _load(session, staff, request_id)
        set_public_summary(request, session, staff, target, body.summary)
        return detail_json(session, target)

    @router.post("/{request_id}/council", response_model=RequestDetail)
    def council(
        request: Request, request_id: int, body: CouncilIn, staff: WorkerStaff, session: SessionDep
    ) -> dict[str, Any]:
        target = _load(session, staff, request_id)
        try:
            if body.action == "agenda":
                council_agenda.put_on_agenda(session, target, actor=staff.actor)
            else:
                council_agenda.record_decision(
                    session, target, body.decision or "", actor=staff.actor
                )
        except TransitionError as exc:
            raise HTTPException(status_code=exc.status, detail=exc.message) from exc
        audit_staff(
            session,
            staff,
            f"council_{body.action}",
            client_ip(request),
            "request",
            target.code,
            target.council_decision if body.action == "decision" else "列入居民议事会议题",
        )
        commit(session)
        return detail_json(session, target)

    return router
