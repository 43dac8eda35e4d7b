"""The canteen board (/admin/canteen): meal orders and delivery tasks with their states.

Read-only rendering here; confirm/reject buttons post JSON to the existing canteen API
(/admin/api/canteen/orders/{id}/confirm|reject) with the page's CSRF token, so the
order rules, events, notifications and audit rows stay those of the API.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from admin.deps import ADMIN, CANTEEN, Staff, require_role
from admin.render import ConsoleRoute, render
from admin.volunteers.canteen_records import ORDER_STATUS, order_json, task_json
from bot.deps import SessionDep
from storage.models import MealOrder, VolunteerTask

CanteenStaff = Annotated[Staff, Depends(require_role(CANTEEN, ADMIN))]
ORDER_FILTERS = {"": "全部订餐", **ORDER_STATUS}
# Tasks still under way first, then the most recent finished ones.
TASK_ORDER = ("open", "assigned", "done", "cancelled")


def build_canteen_pages_router() -> APIRouter:
    router = APIRouter(prefix="/admin", route_class=ConsoleRoute, include_in_schema=False)

    @router.get("/canteen", response_class=HTMLResponse)
    def board(
        request: Request, staff: CanteenStaff, session: SessionDep, status: str = ""
    ) -> HTMLResponse:
        status = status if status in ORDER_FILTERS else ""
        query = select(MealOrder).order_by(MealOrder.meal_date.desc(), MealOrder.id.desc())
        if status:
            query = query.where(MealOrder.status == status)
        orders = [order_json(session, o) for o in session.scalars(query.limit(200))]
        tasks = [
            task_json(session, t)
            for t in session.scalars(
                select(VolunteerTask).order_by(VolunteerTask.pickup_at.desc()).limit(200)
            )
        ]
        tasks.sort(key=lambda t: TASK_ORDER.index(t["status"]) if t["status"] in TASK_ORDER else 9)
        context = {
            "orders": orders,
            "tasks": tasks,
            "status": status,
            "order_filters": ORDER_FILTERS,
        }
        return render(request, "canteen_board.html", context, staff)

    return router
