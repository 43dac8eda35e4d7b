"""结对帮扶 pages: the pairs of one's grids (overdue first), a new pair, and one pair with
its volunteer, visits and family. Forms post back with the CSRF token; each action is
audited and the route commits (admin/pairs/actions.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from admin.deps import WorkerStaff, client_ip
from admin.pairs.actions import (
    assign_and_audit,
    create_and_audit,
    end_and_audit,
    family_and_audit,
)
from admin.pairs.view import (
    grid_choices,
    load_pair,
    pair_detail,
    pair_rows,
    volunteer_choices,
)
from admin.render import ConsoleRoute, render
from bot.deps import SessionDep
from storage.clock import now as clock_now
from storage.pairs.models import DEFAULT_CADENCE, KINDS

FLASH = {
    "created": "结对已创建。",
    "assigned": "已安排志愿者，志愿者会收到结对通知。",
    "family": "家属已登记，家属可以在公众号里问探访情况。",
    "ended": "结对已结束，不再提醒探访。",
}
MEMBER_ROWS = 3


def _int(value: str) -> int | None:
    return int(value) if value.strip().isdigit() else None


def build_pairs_pages_router() -> APIRouter:
    router = APIRouter(prefix="/admin/pairs", route_class=ConsoleRoute, include_in_schema=False)

    @router.get("", response_class=HTMLResponse)
    def pairs(
        request: Request, staff: WorkerStaff, session: SessionDep, grid_id: str = ""
    ) -> HTMLResponse:
        chosen = _int(grid_id)
        context = {
            "rows": pair_rows(session, staff, clock_now(), chosen),
            "grids": grid_choices(session, staff),
            "grid_id": chosen,
        }
        return render(request, "pairs.html", context, staff)

    @router.get("/new", response_class=HTMLResponse)
    def new_pair(request: Request, staff: WorkerStaff, session: SessionDep) -> HTMLResponse:
        context = {
            "kinds": KINDS,
            "cadence": DEFAULT_CADENCE,
            "volunteers": volunteer_choices(session, None),
            "member_rows": range(MEMBER_ROWS),
        }
        return render(request, "pairs_new.html", context, staff)

    @router.post("")
    async def create(
        request: Request,
        staff: WorkerStaff,
        session: SessionDep,
        kind: Annotated[str, Form(max_length=16)],
        volunteer_id: Annotated[str, Form(max_length=12)] = "",
        cadence_days: Annotated[str, Form(max_length=3)] = "",
        note: Annotated[str, Form(max_length=500)] = "",
    ) -> Response:
        form = await request.form()
        addresses = [str(v).strip() for v in form.getlist("address")][:MEMBER_ROWS]
        names = [str(v).strip() for v in form.getlist("name")][:MEMBER_ROWS]
        names += [""] * (len(addresses) - len(names))
        members_at = [(a, n) for a, n in zip(addresses, names, strict=False) if a]
        pair = create_and_audit(
            session,
            staff,
            client_ip(request),
            kind=kind,
            members_at=members_at,
            volunteer_id=_int(volunteer_id),
            cadence_days=_int(cadence_days),
            note=note.strip() or None,
        )
        return RedirectResponse(f"/admin/pairs/{pair.id}?flash=created", status_code=303)

    @router.get("/{pair_id}", response_class=HTMLResponse)
    def pair_page(
        request: Request, pair_id: int, staff: WorkerStaff, session: SessionDep, flash: str = ""
    ) -> HTMLResponse:
        pair = load_pair(session, staff, pair_id)
        context = {
            "p": pair_detail(session, pair, clock_now()),
            "volunteers": volunteer_choices(session, pair.grid_id),
            "flash": FLASH.get(flash),
        }
        return render(request, "pairs_detail.html", context, staff)

    @router.post("/{pair_id}/assign")
    def assign(
        request: Request,
        pair_id: int,
        staff: WorkerStaff,
        session: SessionDep,
        volunteer_id: Annotated[int, Form()],
    ) -> Response:
        pair = load_pair(session, staff, pair_id)
        assign_and_audit(session, staff, client_ip(request), pair, volunteer_id)
        return RedirectResponse(f"/admin/pairs/{pair_id}?flash=assigned", status_code=303)

    @router.post("/{pair_id}/end")
    def end(
        request: Request,
        pair_id: int,
        staff: WorkerStaff,
        session: SessionDep,
        reason: Annotated[str, Form(min_length=1, max_length=200)],
    ) -> Response:
        pair = load_pair(session, staff, pair_id)
        end_and_audit(session, staff, client_ip(request), pair, reason.strip())
        return RedirectResponse(f"/admin/pairs/{pair_id}?flash=ended", status_code=303)

    @router.post("/{pair_id}/family")
    def family(
        request: Request,
        pair_id: int,
        staff: WorkerStaff,
        session: SessionDep,
        member_id: Annotated[int, Form()],
        address: Annotated[str, Form(min_length=3, max_length=20)],
        name: Annotated[str, Form(max_length=64)] = "",
        relation: Annotated[str, Form(max_length=16)] = "家属",
    ) -> Response:
        pair = load_pair(session, staff, pair_id)
        family_and_audit(
            session,
            staff,
            client_ip(request),
            pair,
            member_id=member_id,
            address=address,
            name=name,
            relation=relation.strip() or "家属",
        )
        return RedirectResponse(f"/admin/pairs/{pair_id}?flash=family", status_code=303)

    return router
