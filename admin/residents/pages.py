"""Residents and households (居民与住户): search by name, openid, phone or address; view;
edit (audited; a household's change is also an event row). Household care tags (独居老人,
低保, 特困, 残疾, 留守儿童) are shown only to community admins and to grid workers of the
household's grid; canteen and employment staff see a masked field.

Phones are masked (138****5678) unless the role needs them for this resident: community
admins always, grid workers for their grids' residents, canteen staff for recipients of
meal orders or deliveries, the employment officer for job seekers. Canteen and
employment staff have no directory: they find a resident only by exact name, phone,
OpenID or address, never by a fragment."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session, joinedload

from admin.audit import audit_staff
from admin.deps import (
    ADMIN,
    CANTEEN,
    EMPLOYMENT,
    GRID_WORKER,
    ROLE_FORBIDDEN,
    CurrentStaff,
    Staff,
    client_ip,
    ensure_grid,
)
from admin.paging import paginate
from admin.render import ConsoleRoute, render
from bot.deps import SessionDep, commit
from storage.events import record_event
from storage.models import (
    Building,
    Household,
    JobSeeker,
    MealOrder,
    Resident,
    Unit,
    VolunteerTask,
)
from storage.privacy import mask_phone

CARE_TAGS = ("独居老人", "低保", "特困", "残疾", "留守儿童")
MASKED = "＊＊＊（无权查看）"
LOOKUP_ROLES = (ADMIN, GRID_WORKER, CANTEEN, EMPLOYMENT)
ADDRESS = re.compile(r"^\s*(\d+)\D+(\d+)\D+(\d+)\s*$")
PHONE = re.compile(r"^1\d{10}$")
FLASH = {"saved": "居民信息已保存。", "tags": "住户关怀标签已保存。"}


def may_see_tags(staff: Staff, grid_id: int | None) -> bool:
    return staff.role == ADMIN or (staff.role == GRID_WORKER and grid_id in staff.grid_ids)


def may_see_phone(session: Session, staff: Staff, resident: Resident) -> bool:
    """Whether this role needs this resident's full phone number."""
    if staff.role == ADMIN:
        return True
    if staff.role == GRID_WORKER:
        household = resident.household
        return household is not None and household.grid_id in staff.grid_ids
    if staff.role == CANTEEN:
        ordered = exists().where(MealOrder.resident_id == resident.id)
        delivered = exists().where(VolunteerTask.household_id == resident.household_id)
        found = ordered if resident.household_id is None else or_(ordered, delivered)
        return bool(session.scalar(select(found)))
    if staff.role == EMPLOYMENT:
        return bool(session.scalar(select(exists().where(JobSeeker.resident_id == resident.id))))
    return False


def _lookup(staff: Staff) -> None:
    if not staff.may_use(*LOOKUP_ROLES):
        raise HTTPException(status_code=403, detail=ROLE_FORBIDDEN)


def _base_query() -> Any:
    return (
        select(Resident)
        .outerjoin(Household, Resident.household_id == Household.id)
        .outerjoin(Unit, Household.unit_id == Unit.id)
        .outerjoin(Building, Unit.building_id == Building.id)
        .options(
            joinedload(Resident.household).joinedload(Household.unit).joinedload(Unit.building)
        )
    )


def search(session: Session, staff: Staff, q: str, limit: int = 50) -> list[dict[str, Any]]:
    return page_of(session, staff, search_query(staff, q).limit(limit))


def page_of(session: Session, staff: Staff, query: Any) -> list[dict[str, Any]]:
    return [view(session, staff, r) for r in session.scalars(query).unique()]


def search_query(staff: Staff, q: str) -> Any:
    """Residents matching `q` that `staff` may look up, by id."""
    query = _base_query()
    if staff.role == GRID_WORKER:
        query = query.where(Building.grid_id.in_(staff.grid_ids))
    q = q.strip()
    if q:
        address = ADDRESS.match(q)
        if address:
            building, unit, room = address.groups()
            query = query.where(
                Building.number == building.lstrip("0"),
                Unit.number == unit.lstrip("0"),
                Household.room == room,
            )
        elif staff.role in (ADMIN, GRID_WORKER):
            # autoescape: "_" and "%" are searched for, not wildcards that match everyone.
            query = query.where(
                or_(
                    Resident.name.contains(q, autoescape=True),
                    Resident.phone.contains(q, autoescape=True),
                    Resident.openid == q,
                )
            )
        else:
            query = query.where(or_(Resident.name == q, Resident.phone == q, Resident.openid == q))
    return query.order_by(Resident.id)


def view(session: Session, staff: Staff, resident: Resident) -> dict[str, Any]:
    household = resident.household
    grid_id = household.grid_id if household else None
    tags: list[str] | str = list(household.tags or []) if household else []
    visible = may_see_tags(staff, grid_id)
    if household is not None and not visible:
        tags = MASKED
    return {
        "id": resident.id,
        "openid": resident.openid,
        "name": resident.name or "",
        "phone": (
            (resident.phone or "")
            if may_see_phone(session, staff, resident)
            else mask_phone(resident.phone)
        ),
        "roles": list(resident.roles or []),
        "household_id": household.id if household else None,
        "address": household.address if household else "未登记住址",
        "grid_id": grid_id,
        "tags": tags,
        "tags_visible": visible,
        "may_edit": staff.role == ADMIN or (grid_id is not None and staff.may_act_on(grid_id)),
    }


def _load(session: Session, staff: Staff, resident_id: int) -> Resident:
    resident = session.scalar(_base_query().where(Resident.id == resident_id))
    if resident is None:
        raise HTTPException(status_code=404, detail="没有找到这位居民")
    if staff.role == GRID_WORKER:
        ensure_grid(staff, resident.household.grid_id if resident.household else None)
    return resident


def build_residents_router() -> APIRouter:
    router = APIRouter(prefix="/admin/residents", route_class=ConsoleRoute, include_in_schema=False)

    @router.get("", response_class=HTMLResponse)
    def residents(
        request: Request, staff: CurrentStaff, session: SessionDep, q: str = "", page: int = 1
    ) -> HTMLResponse:
        _lookup(staff)
        q = q[:64]
        context: dict[str, Any] = {"rows": [], "q": q, "pager": None}
        if q.strip():
            pager, query = paginate(session, search_query(staff, q), page, 50, {"q": q})
            context.update(rows=page_of(session, staff, query), pager=pager)
        return render(request, "residents.html", context, staff)

    @router.get("/{resident_id}", response_class=HTMLResponse)
    def resident_page(
        request: Request,
        resident_id: int,
        staff: CurrentStaff,
        session: SessionDep,
        flash: str = "",
    ) -> HTMLResponse:
        _lookup(staff)
        data = view(session, staff, _load(session, staff, resident_id))
        context = {"r": data, "care_tags": CARE_TAGS, "flash": FLASH.get(flash)}
        return render(request, "residents_detail.html", context, staff)

    @router.post("/{resident_id}")
    def edit_resident(
        request: Request,
        resident_id: int,
        staff: CurrentStaff,
        session: SessionDep,
        name: Annotated[str, Form(max_length=64)] = "",
        phone: Annotated[str, Form(max_length=20)] = "",
    ) -> Response:
        _lookup(staff)
        resident = _load(session, staff, resident_id)
        if not view(session, staff, resident)["may_edit"]:
            raise HTTPException(status_code=403, detail=ROLE_FORBIDDEN)
        phone = phone.strip()
        if phone and not PHONE.match(phone):
            raise HTTPException(status_code=400, detail="手机号应为11位数字")
        before = f"{resident.name or ''}/{resident.phone or ''}"
        resident.name = name.strip() or None
        resident.phone = phone or None
        detail = f"{before} → {resident.name or ''}/{resident.phone or ''}"
        audit_staff(
            session, staff, "resident_edit", client_ip(request), "resident", resident.id, detail
        )
        commit(session)
        return RedirectResponse(f"/admin/residents/{resident_id}?flash=saved", status_code=303)

    @router.post("/{resident_id}/tags")
    async def edit_tags(
        request: Request, resident_id: int, staff: CurrentStaff, session: SessionDep
    ) -> Response:
        _lookup(staff)
        resident = _load(session, staff, resident_id)
        household = resident.household
        if household is None:
            raise HTTPException(status_code=400, detail="该居民尚未登记住址")
        if not may_see_tags(staff, household.grid_id):
            raise HTTPException(status_code=403, detail=ROLE_FORBIDDEN)
        form = await request.form()
        chosen = [str(t) for t in form.getlist("tag")]
        if any(t not in CARE_TAGS for t in chosen):
            raise HTTPException(status_code=400, detail="未知的关怀标签")
        before = list(household.tags or [])
        after = [t for t in CARE_TAGS if t in chosen]
        if before != after:
            household.tags = after
            note = f"关怀标签：{'、'.join(before) or '无'} → {'、'.join(after) or '无'}"
            record_event(
                session,
                "household",
                household.id,
                actor=staff.actor,
                from_state="tags",
                to_state="tags",
                note=note,
            )
            audit_staff(
                session,
                staff,
                "household_tags",
                client_ip(request),
                "household",
                household.id,
                note,
            )
            commit(session)
        return RedirectResponse(f"/admin/residents/{resident_id}?flash=tags", status_code=303)

    return router
