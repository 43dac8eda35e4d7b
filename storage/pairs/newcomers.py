"""Newcomers (新邻居) and their neighbour pair, and the family link that lets a resident's
relatives ask about visits. Nothing here commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.events import record_event
from storage.models import FamilyLink, Household, Newcomer, Pair, Resident
from storage.pairs.service import PairError, create_pair
from storage.writes import update_if


def welcome_newcomer(
    session: Session, resident: Resident, household: Household, *, community_id: int, now: datetime
) -> Newcomer | None:
    """A newcomer record the first time a resident binds an address (None otherwise)."""
    if session.scalar(select(Newcomer.id).where(Newcomer.resident_id == resident.id)):
        return None
    newcomer = Newcomer(
        resident_id=resident.id,
        community_id=community_id,
        household_id=household.id,
        grid_id=household.grid_id,
        status="offered",
        arrived_at=now,
    )
    session.add(newcomer)
    session.flush()
    record_event(
        session, "newcomer", newcomer.id, actor=f"resident:{resident.openid}", to_state="offered"
    )
    return newcomer


def answer_newcomer(
    session: Session, newcomer: Newcomer, accept: bool, *, actor: str, now: datetime
) -> Pair | None:
    """The newcomer's yes or no to a neighbour pair; yes makes a pending 新邻居 pair for
    the grid worker to give a volunteer. Answering twice changes nothing."""
    status = "accepted" if accept else "declined"
    if not update_if(
        session,
        Newcomer,
        Newcomer.id == newcomer.id,
        Newcomer.status == "offered",
        status=status,
        answered_at=now,
    ):
        session.refresh(newcomer)
        return session.get(Pair, newcomer.pair_id) if newcomer.pair_id else None
    record_event(
        session, "newcomer", newcomer.id, actor=actor, from_state="offered", to_state=status
    )
    pair = None
    if accept:
        resident = session.get(Resident, newcomer.resident_id)
        assert resident is not None
        pair = create_pair(
            session,
            community_id=newcomer.community_id,
            kind="新邻居",
            residents=[resident],
            volunteer=None,
            cadence_days=None,
            actor=actor,
            now=now,
            note="新邻居在聊天中同意结对",
        )
        update_if(session, Newcomer, Newcomer.id == newcomer.id, pair_id=pair.id)
    session.refresh(newcomer)
    return pair


# -- family --------------------------------------------------------------------------------


def link_family(
    session: Session, family: Resident, resident: Resident, relation: str, *, actor: str
) -> FamilyLink:
    if family.id == resident.id:
        raise PairError("家属不能是本人")
    found = session.scalar(
        select(FamilyLink).where(
            FamilyLink.family_resident_id == family.id, FamilyLink.resident_id == resident.id
        )
    )
    if found is not None:
        return found
    link = FamilyLink(
        family_resident_id=family.id,
        resident_id=resident.id,
        relation=(relation or "家属")[:16],
        created_by=actor,
    )
    session.add(link)
    session.flush()
    record_event(
        session,
        "resident",
        resident.id,
        actor=actor,
        to_state=f"family:{family.id}",
        note=f"登记家属（{link.relation}）",
    )
    return link
