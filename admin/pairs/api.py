"""Console JSON API of 结对帮扶 under /admin/api/pairs: pairs by grid (overdue first),
creating one, assigning its volunteer, its visits, and registering a member's family."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from admin.deps import WorkerStaff, client_ip
from admin.pairs.actions import (
    assign_and_audit,
    create_and_audit,
    end_and_audit,
    family_and_audit,
)
from admin.pairs.schemas import (
    AssignIn,
    EndIn,
    FamilyIn,
    PairDetail,
    PairIn,
    PairSummary,
    VisitOut,
    VolunteerChoice,
)
from admin.pairs.view import load_pair, pair_detail, pair_rows, volunteer_choices
from admin.render import ConsoleRoute
from bot.deps import SessionDep
from storage.clock import now as clock_now


def build_pairs_api_router() -> APIRouter:
    router = APIRouter(prefix="/admin/api/pairs", route_class=ConsoleRoute, tags=["pairs"])

    @router.get("", response_model=list[PairSummary])
    def pairs(
        staff: WorkerStaff, session: SessionDep, grid_id: int | None = None
    ) -> list[dict[str, Any]]:
        return pair_rows(session, staff, clock_now(), grid_id)

    @router.get("/volunteers", response_model=list[VolunteerChoice])
    def volunteers(staff: WorkerStaff, session: SessionDep) -> list[dict[str, Any]]:
        return volunteer_choices(session, None)

    @router.post("", status_code=201, response_model=PairDetail)
    def create(
        request: Request, body: PairIn, staff: WorkerStaff, session: SessionDep
    ) -> dict[str, Any]:
        pair = create_and_audit(
            session,
            staff,
            client_ip(request),
            kind=body.kind,
            members_at=[(m.address, m.name) for m in body.members],
            volunteer_id=body.volunteer_id,
            cadence_days=body.cadence_days,
            note=body.note,
        )
        return pair_detail(session, pair, clock_now())

    @router.get("/{pair_id}", response_model=PairDetail)
    def detail(pair_id: int, staff: WorkerStaff, session: SessionDep) -> dict[str, Any]:
        return pair_detail(session, load_pair(session, staff, pair_id), clock_now())

    @router.get("/{pair_id}/visits", response_model=list[VisitOut])
    def visits(pair_id: int, staff: WorkerStaff, session: SessionDep) -> list[dict[str, Any]]:
        pair = load_pair(session, staff, pair_id)
        return list(pair_detail(session, pair, clock_now())["visits"])

    @router.post("/{pair_id}/assign", response_model=PairDetail)
    def assign(
        request: Request, pair_id: int, body: AssignIn, staff: WorkerStaff, session: SessionDep
    ) -> dict[str, Any]:
        pair = load_pair(session, staff, pair_id)
        assign_and_audit(session, staff, client_ip(request), pair, body.volunteer_id)
        return pair_detail(session, pair, clock_now())

    @router.post("/{pair_id}/end", response_model=PairDetail)
    def end(
        request: Request, pair_id: int, body: EndIn, staff: WorkerStaff, session: SessionDep
    ) -> dict[str, Any]:
        pair = load_pair(session, staff, pair_id)
        end_and_audit(session, staff, client_ip(request), pair, body.reason)
        return pair_detail(session, pair, clock_now())

    @router.post("/{pair_id}/family", response_model=PairDetail)
    def family(
        request: Request, pair_id: int, body: FamilyIn, staff: WorkerStaff, session: SessionDep
    ) -> dict[str, Any]:
        pair = load_pair(session, staff, pair_id)
        family_and_audit(
            session,
            staff,
            client_ip(request),
            pair,
            member_id=body.member_id,
            address=body.address,
            name=body.name,
            relation=body.relation,
        )
        return pair_detail(session, pair, clock_now())

    return router
