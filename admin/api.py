"""JSON API of the console under /admin/api: the same session cookie as the pages, and the
CSRF token (from GET /admin/api/me) in the X-CSRF-Token header of every POST."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from admin import records
from admin.deps import CurrentStaff, WorkerStaff, client_ip
from admin.handovers import actions as handovers
from admin.render import ConsoleRoute
from admin.schemas import (
    CloseIn,
    DashboardPublic,
    DeliveryPublic,
    HandoverPublic,
    MePublic,
    MessagePublic,
)
from bot.deps import RuntimeDep, SessionDep, commit


def build_api_router() -> APIRouter:
    router = APIRouter(prefix="/admin/api", route_class=ConsoleRoute, tags=["console"])

    @router.get("/me", response_model=MePublic)
    def me(staff: CurrentStaff) -> dict[str, Any]:
        """The signed-in staff member, and the CSRF token for the POSTs."""
        return {
            "username": staff.username,
            "display_name": staff.display_name,
            "role": staff.role,
            "role_label": staff.role_label,
            "grid_ids": list(staff.grid_ids),
            "csrf_token": staff.csrf_token,
        }

    @router.get("/dashboard", response_model=DashboardPublic)
    def dashboard(staff: CurrentStaff, session: SessionDep) -> dict[str, Any]:
        """Messages today, open and claimed hand-overs per grid, deliveries per status."""
        data = records.dashboard(session, staff)
        data["handovers"] = [vars(g) for g in data["handovers"]]
        return data

    @router.get("/handovers", response_model=list[HandoverPublic])
    def handover_list(
        staff: WorkerStaff, session: SessionDep, status: str = "active"
    ) -> list[dict[str, Any]]:
        return [row.to_json() for row in handovers.list_handovers(session, staff, status)]

    @router.get("/handovers/{handover_id}", response_model=HandoverPublic)
    def handover_detail(
        handover_id: int, staff: WorkerStaff, session: SessionDep
    ) -> dict[str, Any]:
        return handovers.handover_detail(session, staff, handover_id).to_json()

    @router.post("/handovers/{handover_id}/claim", response_model=HandoverPublic)
    def handover_claim(
        request: Request, handover_id: int, staff: WorkerStaff, session: SessionDep
    ) -> dict[str, Any]:
        handovers.claim(session, staff, handover_id, client_ip(request))
        commit(session)
        return handovers.handover_detail(session, staff, handover_id).to_json()

    @router.post("/handovers/{handover_id}/close", response_model=HandoverPublic)
    def handover_close(
        request: Request, handover_id: int, body: CloseIn, staff: WorkerStaff, session: SessionDep
    ) -> dict[str, Any]:
        handovers.close(session, staff, handover_id, body.note, client_ip(request))
        commit(session)
        return handovers.handover_detail(session, staff, handover_id).to_json()

    @router.get("/messages", response_model=list[MessagePublic])
    def messages(staff: WorkerStaff, session: SessionDep, openid: str = "") -> list[dict[str, Any]]:
        return records.list_messages(session, staff, openid.strip()[:64] or None)

    @router.get("/deliveries", response_model=list[DeliveryPublic])
    def deliveries(
        staff: WorkerStaff, session: SessionDep, status: str = ""
    ) -> list[dict[str, Any]]:
        return records.list_deliveries(session, staff, status or None)

    @router.post("/deliveries/{delivery_id}/retry", response_model=DeliveryPublic)
    def delivery_retry(
        request: Request,
        delivery_id: int,
        staff: WorkerStaff,
        session: SessionDep,
        runtime: RuntimeDep,
    ) -> dict[str, Any]:
        records.retry_delivery(session, staff, delivery_id, client_ip(request))
        commit(session)
        return records.delivery_json(records.get_delivery(session, delivery_id))

    return router
