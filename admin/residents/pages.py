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

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import exists, false, or_, select
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
from admin.residents.record import resident_record
from bot.deps import SessionDep, commit
from storage.models import (
    Building,
    Compound,
    Household,
    JobSeeker,
    MealOrder,
    Resident,
    Unit,
    VolunteerTask,
)
from storage.privacy import mask_phone
from storage.residents.households_excel import CARE_TAGS
from storage.residents.records import RecordError, set_care_tags, update_contact
from storage.residents.register import parse_address

MASKED = "＊＊＊（无权查看）"
LOOKUP_ROLES = (ADMIN, GRID_WORKER, CANTEEN, EMPLOYMENT)
SEARCH_LIMIT = 50
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


def page_of(session: Session, staff: Staff, query: Any) -> list[dict[str, Any]]:
    return [view(session, staff, r) for r in session.scalars(query).unique()]


def search_query(staff: Staff, q: str) -> Any:
    """Residents matching `q`: an address as staff type it (8号楼, 8-1, 8号楼1单元,
    3-2-501), else a name, phone or OpenID (exact only for canteen and employment);
    in register order."""
    query = _base_query()
    if staff.role == GRID_WORKER:
        query = query.where(Building.grid_id.in_(staff.grid_ids))
    q = q.strip()
    if q:
        address = parse_address(q)
        if address:
            # Canteen and employment staff only find a whole address, never a building.
            if staff.role not in (ADMIN, GRID_WORKER) and not address.room:
                return query.where(false())
            query = query.where(Building.number == address.building)
            if address.compound:
                query = query.join(Compound, Compound.id == Building.compound_id).where(
                    Compound.name == address.compound
                )
            if address.unit:
                query = query.where(Unit.number == address.unit)
            if address.room:
                query = query.where(Household.room == address.room)
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
    return query.order_by(Building.id, Unit.id, Household.room, Resident.id)


def search(
    session: Session, staff: Staff, q: str, limit: int = SEARCH_LIMIT
) -> list[dict[str, Any]]:
    return page_of(session, staff, search_query(staff, q).limit(limit))


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
        address = parse_address(q) if q.strip() else None
        context: dict[str, Any] = {
            "rows": [],
            "q": q,
            "pager": None,
            "total": 0,
            "address": address.label if address else "",
            "register": staff.may_use(ADMIN, GRID_WORKER),
        }
        if q.strip():
            params = {"q": q}
            pager, query = paginate(session, search_query(staff, q), page, SEARCH_LIMIT, params)
            context.update(rows=page_of(session, staff, query), pager=pager, total=pager.total)
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
        resident = _load(session, staff, resident_id)
        data = view(session, staff, resident)
        context = {
            "r": data,
            "care_tags": CARE_TAGS,
            "flash": FLASH.get(flash),
            "record": resident_record(session, staff, resident),
        }
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
        try:
            detail = update_contact(session, resident, name=name, phone=phone)
        except RecordError as exc:
            raise HTTPException(status_code=400, detail=str(exc)) from exc
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
        try:
            note = set_care_tags(session, household, chosen, actor=staff.actor)
        except RecordError as exc:
            raise HTTPException(status_code=400, detail=str(exc)) from exc
        if note is not None:
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
