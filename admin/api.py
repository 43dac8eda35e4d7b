"""JSON API of the console under /admin/api: the same session cookie as the pages, and the
CSRF token (from GET /admin/api/me) in the X-CSRF-Token header of every POST."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from admin import records
from admin.deps import CurrentStaff, WorkerStaff, client_ip
from admin.handovers import actions as handovers
from admin.render import ConsoleRoute
from bot.deps import RuntimeDep, SessionDep, commit


class CloseIn(BaseModel):
    note: str = Field(min_length=1, max_length=handovers.MAX_NOTE)


def build_api_router() -> APIRouter:
    router = APIRouter(prefix="/admin/api", route_class=ConsoleRoute, tags=["console"])

    @router.get("/me")
    def me(staff: CurrentStaff) -> dict[str, Any]:
        return {
            "username": staff.username,
            "display_name": staff.display_name,
            "role": staff.role,
            "role_label": staff.role_label,
            "grid_ids": list(staff.grid_ids),
            "csrf_token": staff.csrf_token,
        }

    @router.get("/dashboard")
    def dashboard(staff: CurrentStaff, session: SessionDep) -> dict[str, Any]:
        data = records.dashboard(session, staff)
        data["handovers"] = [vars(g) for g in data["handovers"]]
        return data

    @router.get("/handovers")
    def handover_list(
        staff: WorkerStaff, session: SessionDep, status: str = "active"
    ) -> list[dict[str, Any]]:
        return [row.to_json() for row in handovers.list_handovers(session, staff, status)]

    @router.get("/handovers/{handover_id}")
    def handover_detail(
        handover_id: int, staff: WorkerStaff, session: SessionDep
    ) -> dict[str, Any]:
        return handovers.handover_detail(session, staff, handover_id).to_json()

    @router.post("/handovers/{handover_id}/claim")
    def handover_claim(
        request: Request, handover_id: int, staff: WorkerStaff, session: SessionDep
    ) -> dict[str, Any]:
        handovers.claim(session, staff, handover_id, client_ip(request))
        commit(session)
        return handovers.handover_detail(session, staff, handover_id).to_json()

    @router.post("/handovers/{handover_id}/close")
    def handover_close(
        request: Request, handover_id: int, body: CloseIn, staff: WorkerStaff, session: SessionDep
    ) -> dict[str, Any]:
        handovers.close(session, staff, handover_id, body.note, client_ip(request))
        commit(session)
        return handovers.handover_detail(session, staff, handover_id).to_json()

    @router.get("/messages")
    def messages(staff: WorkerStaff, session: SessionDep, openid: str = "") -> list[dict[str, Any]]:
        return records.list_messages(session, staff, openid.strip()[:64] or None)

    @router.get("/deliveries")
    def deliveries(
        staff: WorkerStaff, session: SessionDep, status: str = ""
    ) -> list[dict[str, Any]]:
        return records.list_deliveries(session, staff, status or None)

    @router.post("/deliveries/{delivery_id}/retry")
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
