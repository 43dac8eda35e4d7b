"""Reading 结对帮扶: pairs by code, by volunteer and by grid (overdue first), a pair's
visits, what a resident's family may see, and finding a resident by address."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import FamilyLink, Pair, PairMember, Resident, Visit
from storage.pairs.service import PairError, due_at, is_overdue
from storage.residents.queries import find_household

CODE = re.compile(r"^P(\d{1,9})$")
ADDRESS = re.compile(r"^\s*(\d{1,3})\s*[-－号楼栋]+\s*(\d{1,2})\s*[-－单元]+\s*(\d{3,4})\s*室?\s*$")


def pair_by_code(session: Session, code: str) -> Pair | None:
    match = CODE.match(code.strip().upper())
    return session.get(Pair, int(match.group(1))) if match else None


def pairs_of_volunteer(session: Session, volunteer_id: int) -> list[Pair]:
    query = (
        select(Pair)
        .where(Pair.volunteer_id == volunteer_id, Pair.status == "active")
        .order_by(Pair.id)
    )
    return list(session.scalars(query))


def active_pairs(session: Session) -> list[Pair]:
    return list(session.scalars(select(Pair).where(Pair.status == "active").order_by(Pair.id)))


def list_pairs(
    session: Session, grid_ids: tuple[int, ...] | None, now: datetime, grid_id: int | None = None
) -> list[Pair]:
    """Pairs of the given grids (None: all), overdue first, then waiting for a volunteer,
    then by the date the next visit is due."""
    query = select(Pair).where(Pair.status != "ended")
    if grid_ids is not None:
        query = query.where(Pair.grid_id.in_(grid_ids))
    if grid_id is not None:
        query = query.where(Pair.grid_id == grid_id)
    pairs = list(session.scalars(query))

    def order(pair: Pair) -> tuple[int, datetime, int]:
        due = due_at(pair) or now
        rank = 0 if is_overdue(pair, now) else 1 if pair.status == "pending" else 2
        return rank, due, pair.id

    return sorted(pairs, key=order)


def member_count(session: Session, pair_id: int) -> int:
    query = select(func.count()).select_from(PairMember).where(PairMember.pair_id == pair_id)
    return int(session.scalar(query) or 0)


def visits_of(session: Session, pair_id: int, limit: int = 100) -> list[Visit]:
    query = (
        select(Visit)
        .where(Visit.pair_id == pair_id)
        .order_by(Visit.visited_at.desc(), Visit.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


@dataclass(frozen=True)
class FamilyView:
    link: FamilyLink
    resident: Resident
    pairs: list[Pair]
    visits: list[Visit]


def family_views(
    session: Session, family_resident_id: int, now: datetime, days: int = 30
) -> list[FamilyView]:
    """For each resident this one is family of: their pairs and the visits of the last
    `days` days (newest first)."""
    links = session.scalars(
        select(FamilyLink)
        .where(FamilyLink.family_resident_id == family_resident_id)
        .order_by(FamilyLink.id)
    )
    views = []
    for link in links:
        resident = session.get(Resident, link.resident_id)
        if resident is None:
            continue
        pairs = list(
            session.scalars(
                select(Pair)
                .join(PairMember, PairMember.pair_id == Pair.id)
                .where(PairMember.resident_id == resident.id, Pair.status != "ended")
                .order_by(Pair.id)
            )
        )
        since = now - timedelta(days=days)
        visits = list(
            session.scalars(
                select(Visit)
                .where(Visit.pair_id.in_([p.id for p in pairs]), Visit.visited_at >= since)
                .order_by(Visit.visited_at.desc())
            )
        )
        views.append(FamilyView(link, resident, pairs, visits))
    return views


def resident_at(session: Session, community_id: int, address: str, name: str = "") -> Resident:
    """The resident living at "8-1-402" (named `name` when several live there)."""
    match = ADDRESS.match(address)
    if match is None:
        raise PairError("住址请写成 楼号-单元-房号，如 8-1-402")
    household = find_household(session, community_id, *match.groups())
    if household is None:
        raise PairError(f"本社区没有 {address} 这一户")
    people = list(
        session.scalars(
            select(Resident).where(Resident.household_id == household.id).order_by(Resident.id)
        )
    )
    if name.strip():
        people = [p for p in people if p.name == name.strip()]
    if not people:
        raise PairError(f"{household.address} 没有找到登记的居民{name.strip()}")
    if len(people) > 1:
        raise PairError(f"{household.address} 住着几位居民，请写上姓名")
    return people[0]
