"""The household register (住户台账): browse compound → building → unit → household, each
household's residents linking to their pages. Community admins see every building, grid
workers the buildings of their grids; canteen and employment staff have no directory.
Care tags follow the residents pages' rule (admins, and workers of the household's grid)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from admin.deps import ADMIN, GRID_WORKER, ROLE_FORBIDDEN, Staff, WorkerStaff, ensure_grid
from admin.render import ConsoleRoute, render
from bot.deps import SessionDep
from storage.models import Building, Household, Unit
from storage.residents.register import (
    building_view,
    compounds,
    household_residents,
    unit_households,
)

NOT_FOUND = "没有找到这个楼栋、单元或住户"


def _directory(staff: Staff) -> None:
    if not staff.may_use(ADMIN, GRID_WORKER):
        raise HTTPException(status_code=403, detail=ROLE_FORBIDDEN)


def _building(session: Session, staff: Staff, building_id: int) -> Building:
    _directory(staff)
    building = session.get(Building, building_id)
    if building is None:
        raise HTTPException(status_code=404, detail=NOT_FOUND)
    ensure_grid(staff, building.grid_id)
    return building


def _unit(session: Session, staff: Staff, unit_id: int) -> Unit:
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise HTTPException(status_code=404, detail=NOT_FOUND)
    _building(session, staff, unit.building_id)
    return unit


def _trail(building: Building, unit: Unit | None = None) -> list[dict[str, str]]:
    trail = [
        {"href": "/admin/register", "label": "住户台账"},
        {
            "href": f"/admin/register#compound-{building.compound_id}",
            "label": building.compound.name,
        },
        {"href": f"/admin/register/buildings/{building.id}", "label": building.label},
    ]
    if unit is not None:
        trail.append({"href": f"/admin/register/units/{unit.id}", "label": f"{unit.number}单元"})
    return trail


def build_register_router() -> APIRouter:
    router = APIRouter(prefix="/admin/register", route_class=ConsoleRoute, include_in_schema=False)

    @router.get("", response_class=HTMLResponse)
    def index(request: Request, staff: WorkerStaff, session: SessionDep) -> HTMLResponse:
        _directory(staff)
        context: dict[str, Any] = {"compounds": compounds(session, staff.visible_grid_ids())}
        return render(request, "register_index.html", context, staff)

    @router.get("/buildings/{building_id}", response_class=HTMLResponse)
    def building(
        request: Request, building_id: int, staff: WorkerStaff, session: SessionDep
    ) -> HTMLResponse:
        found = _building(session, staff, building_id)
        context = {"b": building_view(session, found), "trail": _trail(found)}
        return render(request, "register_building.html", context, staff)

    @router.get("/units/{unit_id}", response_class=HTMLResponse)
    def unit(
        request: Request, unit_id: int, staff: WorkerStaff, session: SessionDep
    ) -> HTMLResponse:
        found = _unit(session, staff, unit_id)
        context = {
            "title": f"{found.building.compound.name}{found.building.label}{found.number}单元",
            "households": unit_households(session, found),
            "trail": _trail(found.building, found),
        }
        return render(request, "register_unit.html", context, staff)

    @router.get("/households/{household_id}", response_class=HTMLResponse)
    def household(
        request: Request, household_id: int, staff: WorkerStaff, session: SessionDep
    ) -> HTMLResponse:
        found = session.get(Household, household_id)
        if found is None:
            raise HTTPException(status_code=404, detail=NOT_FOUND)
        _unit(session, staff, found.unit_id)
        building = found.unit.building
        context = {
            "title": f"{building.compound.name}{found.address}",
            "household": found,
            "residents": household_residents(session, found.id),
            "trail": _trail(building, found.unit),
        }
        return render(request, "register_household.html", context, staff)

    return router
