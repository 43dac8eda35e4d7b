"""What the volunteer who won a task is told (pickup, address, contact, hand-back window),
read in two statements built once instead of loading canteen, household, unit, building,
order, residents and policy as objects (the accept reply is on the webhook's hot path)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Integer, bindparam, literal_column, select, union_all
from sqlalchemy.orm import Session

from storage.models import (
    Building,
    Canteen,
    Household,
    MealOrder,
    Resident,
    Unit,
    VolunteerPolicy,
    VolunteerTask,
)
from storage.volunteers.profiles import policy_for


@dataclass(frozen=True)
class TaskCard:
    pickup: str
    address: str  # as Household.address: 1号楼2单元301
    people: tuple[tuple[str | None, str | None], ...]  # (name, phone): orderer, then household
    handback_minutes: int


@lru_cache(maxsize=1)
def _place() -> Any:
    return (
        select(
            Canteen.pickup, Building.number, Unit.number, Household.room,
            VolunteerPolicy.handback_minutes,
        )
        .select_from(Household)
        .join(Unit, Unit.id == Household.unit_id)
        .join(Building, Building.id == Unit.building_id)
        .join(Canteen, Canteen.id == bindparam("canteen", type_=Integer))
        .outerjoin(
            VolunteerPolicy,
            VolunteerPolicy.community_id == bindparam("community", type_=Integer),
        )
        .where(Household.id == bindparam("household", type_=Integer))
    )  # fmt: skip


@lru_cache(maxsize=1)
def _people() -> Any:
    orderer: Any = (
        select(literal_column("0").label("k"), Resident.id, Resident.name, Resident.phone)
        .join(MealOrder, MealOrder.resident_id == Resident.id)
        .where(MealOrder.id == bindparam("order", type_=Integer))
    )
    household: Any = select(literal_column("1"), Resident.id, Resident.name, Resident.phone).where(
        Resident.household_id == bindparam("household", type_=Integer)
    )
    return union_all(orderer, household)


def task_card(session: Session, task: VolunteerTask) -> TaskCard:
    params = {"canteen": task.canteen_id, "community": task.community_id}
    row = session.execute(_place(), {**params, "household": task.household_id}).one()
    pickup, building, unit, room, minutes = row
    people = sorted(
        session.execute(_people(), {"order": task.order_id, "household": task.household_id}),
        key=lambda r: (r[0], r[1]),
    )
    if minutes is None:  # no policy row yet: policy_for creates it with the defaults
        minutes = policy_for(session, task.community_id).handback_minutes
    return TaskCard(
        pickup=pickup,
        address=f"{building}号楼{unit}单元{room}",
        people=tuple((r[2], r[3]) for r in people),
        handback_minutes=int(minutes),
    )
