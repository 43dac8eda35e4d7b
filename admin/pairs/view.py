"""What the 结对帮扶 pages and API show: a pair as a dict (the API's schemas), its visits
and family, the volunteers to choose from, and the grid check for every pair."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import HTTPException
from sqlalchemy import select
from sqlalchemy.orm import Session

from admin.deps import Staff, ensure_grid
from storage.models import (
    FamilyLink,
    Grid,
    Pair,
    Resident,
    ServiceRequest,
    VolunteerProfile,
)
from storage.pairs.queries import list_pairs, visits_of
from storage.pairs.service import MODE_LABELS, STATUS_LABELS, PairError, due_at, is_overdue, members
from storage.requests.rules import local_label
from storage.residents.queries import community_for_account

NOT_FOUND = "没有找到这个结对"


def community_id(session: Session) -> int:
    community = community_for_account(session, None)
    if community is None:
        raise HTTPException(status_code=503, detail="社区尚未初始化")
    return community.id


def to_http(exc: PairError) -> HTTPException:
    return HTTPException(status_code=400, detail=str(exc))


def load_pair(session: Session, staff: Staff, pair_id: int) -> Pair:
    pair = session.get(Pair, pair_id)
    if pair is None:
        raise HTTPException(status_code=404, detail=NOT_FOUND)
    ensure_grid(staff, pair.grid_id)
    return pair


def _day(value: datetime | None) -> str:
    return local_label(value).split(" ")[0] if value else ""


def _grid_name(session: Session, grid_id: int | None) -> str:
    grid = session.get(Grid, grid_id) if grid_id else None
    return grid.name if grid is not None else "未分网格"


def volunteer_name(session: Session, volunteer_id: int | None) -> str:
    profile = session.get(VolunteerProfile, volunteer_id) if volunteer_id else None
    person = session.get(Resident, profile.resident_id) if profile else None
    if person is None:
        return ""
    return person.name or f"志愿者{profile.id if profile else ''}"


def pair_summary(session: Session, pair: Pair, now: datetime) -> dict[str, Any]:
    helped = members(session, pair)
    due = due_at(pair)
    return {
        "id": pair.id,
        "code": pair.code,
        "kind": pair.kind,
        "status": pair.status,
        "status_label": STATUS_LABELS.get(pair.status, pair.status),
        "grid": _grid_name(session, pair.grid_id),
        "members": [
            {
                "resident_id": r.id,
                "name": r.name or "居民",
                "address": r.household.address if r.household else "未登记住址",
            }
            for r in helped
        ],
        "form": "一帮一" if len(helped) <= 1 else f"一帮{len(helped)}",
        "volunteer_id": pair.volunteer_id,
        "volunteer": volunteer_name(session, pair.volunteer_id) or "待安排",
        "cadence_days": pair.cadence_days,
        "last_visit_label": _day(pair.last_visit_at) or "还没有探访",
        "due_at": due.isoformat() if due else None,
        "due_label": _day(due),
        "overdue": is_overdue(pair, now),
    }


def pair_detail(session: Session, pair: Pair, now: datetime) -> dict[str, Any]:
    visits = []
    for visit in visits_of(session, pair.id):
        request = session.get(ServiceRequest, visit.request_id) if visit.request_id else None
        visits.append(
            {
                "id": visit.id,
                "mode": visit.mode,
                "mode_label": MODE_LABELS.get(visit.mode, visit.mode),
                "text": visit.text,
                "note": visit.note,
                "need": visit.need,
                "request_code": request.code if request else None,
                "volunteer": volunteer_name(session, visit.volunteer_id),
                "visited_at": visit.visited_at.isoformat(),
                "visited_label": local_label(visit.visited_at),
            }
        )
    helped = {r.id: r for r in members(session, pair)}
    links = session.scalars(
        select(FamilyLink).where(FamilyLink.resident_id.in_(helped)).order_by(FamilyLink.id)
    )
    family = []
    for link in links:
        relative = session.get(Resident, link.family_resident_id)
        family.append(
            {
                "member": helped[link.resident_id].name or "居民",
                "family": (relative.name if relative and relative.name else "家属"),
                "relation": link.relation,
            }
        )
    return {
        **pair_summary(session, pair, now),
        "note": pair.note,
        "visits": visits,
        "family": family,
    }


def pair_rows(
    session: Session, staff: Staff, now: datetime, grid_id: int | None = None
) -> list[dict[str, Any]]:
    if grid_id is not None:
        ensure_grid(staff, grid_id)
    pairs = list_pairs(session, staff.visible_grid_ids(), now, grid_id)
    return [pair_summary(session, pair, now) for pair in pairs]


def volunteer_choices(session: Session, grid_id: int | None) -> list[dict[str, Any]]:
    """Active volunteers, those of `grid_id` (the pair's grid) first."""
    rows = session.execute(
        select(VolunteerProfile, Resident)
        .join(Resident, Resident.id == VolunteerProfile.resident_id)
        .where(VolunteerProfile.status == "active")
        .order_by(VolunteerProfile.grid_id, VolunteerProfile.id)
    )
    ordered = sorted(rows, key=lambda row: row[0].grid_id != grid_id)
    return [
        {
            "id": profile.id,
            "name": resident.name or f"志愿者{profile.id}",
            "grid": _grid_name(session, profile.grid_id),
        }
        for profile, resident in ordered
    ]


def grid_choices(session: Session, staff: Staff) -> list[dict[str, Any]]:
    grids = session.scalars(select(Grid).order_by(Grid.id))
    visible = staff.visible_grid_ids()
    return [{"id": g.id, "name": g.name} for g in grids if visible is None or g.id in visible]
