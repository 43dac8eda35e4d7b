"""Working a request from its page: correct it (category, building, urgency, with a
reason), transfer it to another grid or to an outside unit (物业, 供电 … from the
configured list, as its owner), and reply to the reporter or a follower through the
outbound policy. Forms post with CSRF; each change is a storage service, an audit row
and one commit."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from admin.audit import audit_staff
from admin.deps import Staff, WorkerStaff, client_ip, ensure_grid
from admin.render import ConsoleRoute
from admin.requests.actions import apply_action
from admin.requests.pages import load
from admin.requests.view import people
from bot.deps import SessionDep, SettingsDep, commit
from storage.models import Resident, ServiceRequest, utcnow
from storage.requests.routing import (
    correct,
    parse_outside_units,
    reply_to_resident,
    transfer_to_grid,
)
from storage.requests.rules import DISPATCHED
from storage.requests.service import TransitionError

MAX_REPLY = 500
Reason = Annotated[str, Form(max_length=500)]
NOT_SENT = "该居民超过48小时没有互动且无法发送模板消息，暂时不能通过公众号回复，请电话联系"


def _refused(exc: TransitionError) -> HTTPException:
    return HTTPException(status_code=exc.status, detail=exc.message)


def _done(request_id: int, code: str) -> Response:
    return RedirectResponse(f"/admin/requests/{request_id}?msg={code}", status_code=303)


def _audit(
    request: Request, session: Session, staff: Staff, action: str, target: ServiceRequest, note: str
) -> None:
    audit_staff(session, staff, action, client_ip(request), "request", target.code, note)
    commit(session)


def build_request_work_router() -> APIRouter:
    router = APIRouter(prefix="/admin/requests", route_class=ConsoleRoute, include_in_schema=False)

    @router.post("/{request_id}/correct")
    def correct_page(
        request: Request,
        request_id: int,
        staff: WorkerStaff,
        session: SessionDep,
        reason: Reason = "",
        category: Annotated[str, Form(max_length=16)] = "",
        building_id: Annotated[str, Form(max_length=12)] = "",
        urgent: Annotated[str, Form(max_length=1)] = "",
    ) -> Response:
        target = load(session, staff, request_id)
        try:
            changes = correct(
                session,
                target,
                actor=staff.actor,
                now=utcnow(),
                reason=reason,
                category=category or None,
                building_id=int(building_id) if building_id.isdigit() else None,
                urgent={"1": True, "0": False}.get(urgent),
            )
        except TransitionError as exc:
            raise _refused(exc) from None
        if not changes:
            raise HTTPException(status_code=400, detail="没有修改任何内容")
        _audit(request, session, staff, "corrected", target, "；".join(changes))
        if not staff.may_act_on(target.grid_id):  # moved to a grid this worker does not see
            return RedirectResponse("/admin/requests?msg=transferred", status_code=303)
        return _done(request_id, "corrected")

    @router.post("/{request_id}/transfer")
    def transfer_page(
        request: Request,
        request_id: int,
        staff: WorkerStaff,
        session: SessionDep,
        settings: SettingsDep,
        target_grid: Annotated[str, Form(max_length=12)] = "",
        unit: Annotated[str, Form(max_length=64)] = "",
        reason: Reason = "",
    ) -> Response:
        target = load(session, staff, request_id)
        if not reason.strip():
            raise HTTPException(status_code=400, detail="请填写转派原因")
        if unit:
            units = {u.name: u for u in parse_outside_units(settings.outside_units)}
            if unit not in units:
                raise HTTPException(status_code=400, detail="没有这个单位")
            contact = units[unit].contact
            note = f"转交{unit}（联系电话：{contact}）；{reason.strip()}"
            apply_action(request, session, staff, target, DISPATCHED, note=note, owner_name=unit)
            return _done(request_id, "transferred")
        if not target_grid.isdigit():
            raise HTTPException(status_code=400, detail="请选择转派的网格或单位")
        try:
            transfer_to_grid(
                session, target, int(target_grid), actor=staff.actor, now=utcnow(), reason=reason
            )
        except TransitionError as exc:
            raise _refused(exc) from None
        _audit(request, session, staff, "transferred", target, reason.strip())
        if not staff.may_act_on(target.grid_id):
            return RedirectResponse("/admin/requests?msg=transferred", status_code=303)
        return _done(request_id, "transferred")

    @router.post("/{request_id}/reply")
    def reply_page(
        request: Request,
        request_id: int,
        staff: WorkerStaff,
        session: SessionDep,
        resident_id: Annotated[str, Form(max_length=12)] = "",
        text: Annotated[str, Form(max_length=MAX_REPLY)] = "",
    ) -> Response:
        target = load(session, staff, request_id)
        ensure_grid(staff, target.grid_id)
        if not text.strip():
            raise HTTPException(status_code=400, detail="请填写回复内容")
        allowed = {p["id"] for p in people(session, staff, target, utcnow())}
        if not resident_id.isdigit() or int(resident_id) not in allowed:
            raise HTTPException(status_code=400, detail="只能回复反映此问题的居民")
        resident = session.get(Resident, int(resident_id))
        assert resident is not None
        delivery = reply_to_resident(
            session,
            target,
            resident,
            text.strip(),
            actor=staff.actor,
            staff_name=staff.display_name,
            now=utcnow(),
        )
        if delivery is None:
            raise HTTPException(status_code=409, detail=NOT_SENT)
        _audit(request, session, staff, "reply", target, text.strip()[:200])
        return _done(request_id, "replied")

    return router
