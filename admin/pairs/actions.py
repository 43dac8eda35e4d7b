"""What the console's 结对帮扶 actions do once the request is parsed (shared by the pages
and the JSON API): check the grid, run the storage service, audit, commit."""

from __future__ import annotations

from fastapi import HTTPException
from sqlalchemy.orm import Session

from admin.audit import audit_staff
from admin.deps import Staff, ensure_grid
from admin.pairs.view import community_id, to_http
from bot.deps import commit
from storage.clock import now as clock_now
from storage.models import Pair, Resident, VolunteerProfile
from storage.pairs.newcomers import link_family
from storage.pairs.queries import resident_at
from storage.pairs.service import PairError, assign_volunteer, create_pair, end_pair, members


def _volunteer(session: Session, volunteer_id: int | None) -> VolunteerProfile | None:
    if volunteer_id is None:
        return None
    profile = session.get(VolunteerProfile, volunteer_id)
    if profile is None:
        raise HTTPException(status_code=400, detail="没有找到这位志愿者")
    return profile


def create_and_audit(
    session: Session,
    staff: Staff,
    ip: str,
    *,
    kind: str,
    members_at: list[tuple[str, str]],
    volunteer_id: int | None,
    cadence_days: int | None,
    note: str | None,
) -> Pair:
    community = community_id(session)
    try:
        residents = [resident_at(session, community, address, name) for address, name in members_at]
        for resident in residents:
            household = resident.household
            ensure_grid(staff, household.grid_id if household is not None else None)
        pair = create_pair(
            session,
            community_id=community,
            kind=kind,
            residents=residents,
            volunteer=_volunteer(session, volunteer_id),
            cadence_days=cadence_days,
            actor=staff.actor,
            now=clock_now(),
            note=note,
        )
    except PairError as exc:
        raise to_http(exc) from exc
    names = "、".join(r.name or "居民" for r in residents)
    audit_staff(session, staff, "pair_create", ip, "pair", pair.id, f"{kind}：{names}")
    commit(session)
    return pair


def assign_and_audit(
    session: Session, staff: Staff, ip: str, pair: Pair, volunteer_id: int
) -> None:
    profile = _volunteer(session, volunteer_id)
    assert profile is not None
    try:
        assign_volunteer(session, pair, profile, actor=staff.actor, now=clock_now())
    except PairError as exc:
        raise to_http(exc) from exc
    audit_staff(session, staff, "pair_assign", ip, "pair", pair.id, f"志愿者 {profile.id}")
    commit(session)


def family_and_audit(
    session: Session,
    staff: Staff,
    ip: str,
    pair: Pair,
    *,
    member_id: int,
    address: str,
    name: str,
    relation: str,
) -> None:
    helped = {r.id: r for r in members(session, pair)}
    member: Resident | None = helped.get(member_id)
    if member is None:
        raise HTTPException(status_code=400, detail="请选择这个结对里的帮扶对象")
    try:
        relative = resident_at(session, community_id(session), address, name)
        link_family(session, relative, member, relation, actor=staff.actor)
    except PairError as exc:
        raise to_http(exc) from exc
    detail = f"{member.name or '居民'}的{relation}"
    audit_staff(session, staff, "pair_family", ip, "pair", pair.id, detail)
    commit(session)


def end_and_audit(session: Session, staff: Staff, ip: str, pair: Pair, reason: str) -> None:
    try:
        end_pair(session, pair, actor=staff.actor, reason=reason)
    except PairError as exc:
        raise to_http(exc) from exc
    audit_staff(session, staff, "pair_end", ip, "pair", pair.id, reason[:200])
    commit(session)
