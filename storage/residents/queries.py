"""Queries about communities, households, residents and the staff who serve them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from storage.models import (
    Building,
    Community,
    Compound,
    Grid,
    GroupChannel,
    Household,
    Resident,
    StaffAccount,
    Unit,
)


def community_for_account(session: Session, account: str | None) -> Community | None:
    if account:
        found = session.scalar(select(Community).where(Community.account == account))
        if found:
            return found
    return session.scalar(select(Community).order_by(Community.id).limit(1))


def compound_names(session: Session, community_id: int) -> tuple[str, ...]:
    query = select(Compound.name).where(Compound.community_id == community_id)
    return tuple(session.scalars(query))


# Built once: every message looks its sender up.
_RESIDENT_BY_OPENID = (
    select(Resident)
    .options(joinedload(Resident.household).joinedload(Household.unit).joinedload(Unit.building))
    .where(Resident.openid == bindparam("openid"))
)


def get_or_create_resident(session: Session, openid: str, now: datetime) -> Resident:
    resident = session.scalar(_RESIDENT_BY_OPENID, {"openid": openid})
    if resident is None:
        try:
            with session.begin_nested():
                resident = Resident(openid=openid, roles=["resident"], created_at=now)
                session.add(resident)
        except IntegrityError:
            # Another process created it between our read and write.
            resident = session.scalars(select(Resident).where(Resident.openid == openid)).one()
    return resident


def find_household(
    session: Session, community_id: int, building: str, unit: str, room: str
) -> Household | None:
    query = (
        select(Household)
        .join(Unit, Household.unit_id == Unit.id)
        .join(Building, Unit.building_id == Building.id)
        .where(
            Building.community_id == community_id,
            Building.number == building.lstrip("0"),
            Unit.number == unit.lstrip("0"),
            Household.room == room,
        )
    )
    return session.scalar(query)


def building_exists(session: Session, community_id: int, building: str) -> bool:
    query = select(Building.id).where(
        Building.community_id == community_id, Building.number == building.lstrip("0")
    )
    return session.scalar(query) is not None


def grid_of_household(session: Session, household: Household) -> Grid:
    building = household.unit.building
    grid = session.get(Grid, building.grid_id)
    assert grid is not None
    return grid


def grid_workers(session: Session, grid_id: int) -> list[StaffAccount]:
    staff = session.scalars(
        select(StaffAccount).where(StaffAccount.role == "grid_worker", StaffAccount.active)
    )
    return [member for member in staff if grid_id in (member.grid_ids or [])]


def group_channel(session: Session, scope: str, scope_id: int, channel: str) -> GroupChannel | None:
    return session.scalar(
        select(GroupChannel).where(
            GroupChannel.scope == scope,
            GroupChannel.scope_id == scope_id,
            GroupChannel.channel == channel,
        )
    )
