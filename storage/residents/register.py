"""The household register (住户台账) read side: compounds → buildings → units →
households → residents, addresses as staff type them (8号楼, 8-1, 8号楼1单元, 8-1-402),
and one resident's record (requests, meal orders, job applications, volunteering).
`grid_ids` None means every grid; otherwise only buildings of those grids."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.labels import (
    APPLICATION_LABELS,
    MEAL_ORDER_LABELS,
    REQUEST_LABELS,
    SLOT_LABELS,
    VOLUNTEER_LABELS,
    label,
)
from storage.models import (
    Building,
    Compound,
    Grid,
    HoursEntry,
    Household,
    JobApplication,
    JobSeeker,
    MealOrder,
    Resident,
    Unit,
    VolunteerProfile,
    VolunteerTask,
)
from storage.requests.queries import resident_requests

# 8号楼 / 8栋 / 8# / 8-1 / 8号楼1单元 / 8-1-402 / 8号楼1单元402室 (a compound name may lead).
ADDRESS_QUERY = re.compile(
    r"^(?P<compound>[\u4e00-\u9fff]+?(?:小区|家园|苑|花园|社区))?\s*"
    r"(?P<building>\d{1,3})\s*(?P<mark>号楼|号|栋|幢|#|-)\s*"
    r"(?:(?P<unit>\d{1,2})\s*(?:单元|-)?\s*(?:(?P<room>\d{2,5})\s*(?:室|号)?)?)?$"
)
RECORD_LIMIT = 20


@dataclass(frozen=True)
class AddressQuery:
    building: str
    unit: str | None = None
    room: str | None = None
    compound: str | None = None

    @property
    def label(self) -> str:
        text = f"{self.building}号楼"
        if self.unit:
            text += f"{self.unit}单元"
        return text + (self.room or "")


def parse_address(text: str) -> AddressQuery | None:
    """An address typed into the search box, or None when the text is not one."""
    found = ADDRESS_QUERY.match(text.strip().replace("－", "-").replace("—", "-"))
    if found is None:
        return None
    if found["mark"] == "-" and not found["unit"]:
        return None  # "8-" alone is not an address
    strip = lambda v: v.lstrip("0") or v  # noqa: E731
    return AddressQuery(
        building=strip(found["building"]),
        unit=strip(found["unit"]) if found["unit"] else None,
        room=found["room"],
        compound=found["compound"],
    )


def _in_grids(query: Any, grid_ids: Sequence[int] | None) -> Any:
    return query if grid_ids is None else query.where(Building.grid_id.in_(list(grid_ids)))


def compounds(session: Session, grid_ids: Sequence[int] | None) -> list[dict[str, Any]]:
    """Every compound with its buildings and their household and resident counts."""
    households = dict(
        session.execute(
            select(Unit.building_id, func.count(Household.id))
            .join(Household, Household.unit_id == Unit.id)
            .group_by(Unit.building_id)
        ).all()
    )
    residents = dict(
        session.execute(
            select(Unit.building_id, func.count(Resident.id))
            .join(Household, Household.unit_id == Unit.id)
            .join(Resident, Resident.household_id == Household.id)
            .group_by(Unit.building_id)
        ).all()
    )
    units = dict(
        session.execute(
            select(Unit.building_id, func.count(Unit.id)).group_by(Unit.building_id)
        ).all()
    )
    query = _in_grids(
        select(Building, Compound.id, Compound.name, Grid.name)
        .join(Compound, Compound.id == Building.compound_id)
        .join(Grid, Grid.id == Building.grid_id),
        grid_ids,
    )
    out: dict[tuple[int, str], list[dict[str, Any]]] = {}
    for building, compound_id, compound, grid in session.execute(query.order_by(Compound.id)):
        out.setdefault((compound_id, compound), []).append(
            {
                "id": building.id,
                "label": building.label,
                "number": building.number,
                "grid": grid,
                "units": int(units.get(building.id, 0)),
                "households": int(households.get(building.id, 0)),
                "residents": int(residents.get(building.id, 0)),
            }
        )
    for buildings in out.values():
        buildings.sort(key=lambda b: (len(b["number"]), b["number"]))
    return [{"id": cid, "name": name, "buildings": rows} for (cid, name), rows in out.items()]


def building_view(session: Session, building: Building) -> dict[str, Any]:
    counts = dict(
        session.execute(
            select(Household.unit_id, func.count(Resident.id))
            .join(Resident, Resident.household_id == Household.id)
            .group_by(Household.unit_id)
        ).all()
    )
    households = dict(
        session.execute(
            select(Household.unit_id, func.count(Household.id)).group_by(Household.unit_id)
        ).all()
    )
    units = session.scalars(select(Unit).where(Unit.building_id == building.id))
    return {
        "id": building.id,
        "label": f"{building.compound.name}{building.label}",
        "grid": building.grid.name,
        "grid_id": building.grid_id,
        "units": sorted(
            (
                {
                    "id": u.id,
                    "label": f"{u.number}单元",
                    "number": u.number,
                    "households": int(households.get(u.id, 0)),
                    "residents": int(counts.get(u.id, 0)),
                }
                for u in units
            ),
            key=lambda u: (len(u["number"]), u["number"]),
        ),
    }


def unit_households(session: Session, unit: Unit) -> list[dict[str, Any]]:
    rows = session.scalars(select(Household).where(Household.unit_id == unit.id))
    people: dict[int, list[Resident]] = {}
    query = (
        select(Resident)
        .join(Household, Household.id == Resident.household_id)
        .where(Household.unit_id == unit.id)
        .order_by(Resident.id)
    )
    for resident in session.scalars(query):
        people.setdefault(resident.household_id or 0, []).append(resident)
    return sorted(
        (
            {
                "id": h.id,
                "room": h.room,
                "tags": list(h.tags or []),
                "residents": [
                    {"id": r.id, "name": r.name or "（未填写姓名）"} for r in people.get(h.id, [])
                ],
            }
            for h in rows
        ),
        key=lambda h: (len(h["room"]), h["room"]),
    )


def household_residents(session: Session, household_id: int) -> list[Resident]:
    query = select(Resident).where(Resident.household_id == household_id)
    return list(session.scalars(query.order_by(Resident.id)))


def requests_of(session: Session, resident_id: int, grid_ids: Sequence[int] | None) -> list[Any]:
    found = resident_requests(session, resident_id, open_only=False, limit=RECORD_LIMIT)
    return [
        {
            "id": r.id,
            "code": r.code,
            "category": r.category,
            "description": r.description,
            "status": label(REQUEST_LABELS, r.status),
            "created_at": r.created_at,
            "mine": r.resident_id == resident_id,
        }
        for r in found
        if grid_ids is None or r.grid_id in grid_ids
    ]


def orders_of(session: Session, resident_id: int) -> list[dict[str, Any]]:
    query = (
        select(MealOrder)
        .where(MealOrder.resident_id == resident_id)
        .order_by(MealOrder.meal_date.desc(), MealOrder.id.desc())
        .limit(RECORD_LIMIT)
    )
    return [
        {
            "code": o.code,
            "meal_date": o.meal_date,
            "slot": label(SLOT_LABELS, o.slot),
            "count": o.count,
            "status": label(MEAL_ORDER_LABELS, o.status),
        }
        for o in session.scalars(query)
    ]


def applications_of(session: Session, resident_id: int) -> list[dict[str, Any]]:
    query = (
        select(JobApplication)
        .join(JobSeeker, JobSeeker.id == JobApplication.seeker_id)
        .where(JobSeeker.resident_id == resident_id)
        .order_by(JobApplication.created_at.desc())
        .limit(RECORD_LIMIT)
    )
    return [
        {
            "posting": f"J{a.posting_id} {a.posting.title}",
            "employer": a.posting.employer,
            "status": label(APPLICATION_LABELS, a.status),
            "created_at": a.created_at,
        }
        for a in session.scalars(query)
    ]


def volunteering_of(session: Session, resident_id: int) -> dict[str, Any] | None:
    profile = session.scalar(
        select(VolunteerProfile).where(VolunteerProfile.resident_id == resident_id)
    )
    if profile is None:
        return None
    done = session.scalar(
        select(func.count())
        .select_from(VolunteerTask)
        .where(VolunteerTask.volunteer_id == profile.id, VolunteerTask.status == "done")
    )
    minutes = session.scalar(
        select(func.coalesce(func.sum(HoursEntry.minutes), 0)).where(
            HoursEntry.volunteer_id == profile.id
        )
    )
    return {
        "status": label(VOLUNTEER_LABELS, profile.status),
        "skills": "、".join(str(s) for s in profile.skills or []) or "未填写",
        "since": profile.created_at,
        "tasks_done": int(done or 0),
        "hours": round(int(minutes or 0) / 60, 1),
    }
