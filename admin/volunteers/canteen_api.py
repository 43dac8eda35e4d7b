"""Console JSON API for canteen staff under /admin/api/canteen: meal orders, delivery
tasks and their history, volunteers, their hours and the monthly leaderboard, settings."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from admin.audit import audit_staff
from admin.deps import ADMIN, CANTEEN, Staff, client_ip, require_role
from admin.render import ConsoleRoute
from admin.timefmt import local_time
from admin.volunteers.canteen_records import order_json, task_json, volunteer_json
from admin.volunteers.schemas import (
    HoursEntryPublic,
    HoursIn,
    Leaderboard,
    NoteIn,
    OrderConfirmed,
    OrderPublic,
    PolicyIn,
    PolicyPublic,
    TaskDetail,
    TaskIn,
    TaskPublic,
    VolunteerPublic,
)
from bot.deps import RuntimeDep, SessionDep, commit
from storage.models import (
    Community,
    HoursEntry,
    MealOrder,
    VolunteerProfile,
    VolunteerTask,
    utcnow,
)
from storage.residents.queries import find_household
from storage.volunteers.meal_states import StateChanged, task_changed
from storage.volunteers.orders import cancel_order, confirm_order, reject_order
from storage.volunteers.profiles import (
    credit_hours,
    leaderboard,
    month_bounds,
    policy_for,
    set_status,
    update_policy,
)
from storage.volunteers.tasks import cancel_task, canteen_for, create_task

CanteenStaff = Annotated[Staff, Depends(require_role(CANTEEN, ADMIN))]


def _community_id(session: Session) -> int:
    found = session.scalar(select(Community.id).order_by(Community.id).limit(1))
    if found is None:
        raise HTTPException(status_code=404, detail="尚未建立社区")
    return int(found)


def _get(session: Session, model: Any, item_id: int, what: str) -> Any:
    row = session.get(model, item_id)
    if row is None:
        raise HTTPException(status_code=404, detail=f"{what}不存在")
    return row


@contextmanager
def _conflict(session: Session) -> Iterator[None]:
    """A change refused because the record is no longer as expected, e.g. a resident
    cancelled the order a moment ago (one conditional UPDATE decides): 409 saying what
    happened, nothing written."""
    try:
        yield
    except StateChanged as exc:
        session.rollback()
        raise HTTPException(status_code=409, detail=exc.reason) from exc


def build_canteen_router() -> APIRouter:
    router = APIRouter(prefix="/admin/api/canteen", route_class=ConsoleRoute, tags=["canteen"])

    @router.get("/orders", response_model=list[OrderPublic])
    def orders(staff: CanteenStaff, session: SessionDep, status: str = "") -> list[dict[str, Any]]:
        query = select(MealOrder).order_by(MealOrder.meal_date, MealOrder.id).limit(500)
        if status:
            query = query.where(MealOrder.status == status)
        return [order_json(session, o) for o in session.scalars(query)]

    @router.post("/orders/{order_id}/confirm", response_model=OrderConfirmed)
    def order_confirm(
        request: Request,
        order_id: int,
        staff: CanteenStaff,
        session: SessionDep,
        runtime: RuntimeDep,
    ) -> dict[str, Any]:
        order: MealOrder = _get(session, MealOrder, order_id, "订单")
        with _conflict(session):
            task = confirm_order(session, order, staff.actor)
        audit_staff(
            session, staff, "meal_order.confirm", client_ip(request), "meal_order", order.id
        )
        commit(session)
        return {"order": order_json(session, order), "task": task_json(session, task)}

    @router.post("/orders/{order_id}/reject", response_model=OrderPublic)
    def order_reject(
        request: Request, order_id: int, body: NoteIn, staff: CanteenStaff, session: SessionDep
    ) -> dict[str, Any]:
        order: MealOrder = _get(session, MealOrder, order_id, "订单")
        with _conflict(session):
            reject_order(session, order, staff.actor, body.note or None)
        audit_staff(session, staff, "meal_order.reject", client_ip(request), "meal_order", order.id)
        commit(session)
        return order_json(session, order)

    @router.post("/orders/{order_id}/cancel", response_model=OrderPublic)
    def order_cancel(
        request: Request,
        order_id: int,
        staff: CanteenStaff,
        session: SessionDep,
        runtime: RuntimeDep,
    ) -> dict[str, Any]:
        order = _get(session, MealOrder, order_id, "订单")
        with _conflict(session):
            why = cancel_order(session, order, staff.actor, utcnow())
        if why:
            session.rollback()
            raise HTTPException(status_code=409, detail=why)
        audit_staff(session, staff, "meal_order.cancel", client_ip(request), "meal_order", order.id)
        commit(session)
        return order_json(session, order)

    @router.get("/tasks", response_model=list[TaskPublic])
    def tasks(staff: CanteenStaff, session: SessionDep, status: str = "") -> list[dict[str, Any]]:
        query = select(VolunteerTask).order_by(VolunteerTask.pickup_at, VolunteerTask.id)
        if status:
            query = query.where(VolunteerTask.status == status)
        return [task_json(session, t) for t in session.scalars(query.limit(500))]

    @router.get("/tasks/{task_id}", response_model=TaskDetail)
    def task_detail(task_id: int, staff: CanteenStaff, session: SessionDep) -> dict[str, Any]:
        return task_json(session, _get(session, VolunteerTask, task_id, "任务"), events=True)

    @router.post("/tasks", response_model=TaskPublic)
    def task_create(
        request: Request,
        body: TaskIn,
        staff: CanteenStaff,
        session: SessionDep,
        runtime: RuntimeDep,
    ) -> dict[str, Any]:
        community_id = _community_id(session)
        household = find_household(session, community_id, body.building, body.unit, body.room)
        if household is None:
            raise HTTPException(status_code=422, detail="找不到这个住址")
        canteen = canteen_for(session, community_id)
        if canteen is None:
            raise HTTPException(status_code=404, detail="尚未登记食堂")
        task = create_task(
            session,
            canteen=canteen,
            household=household,
            meal_date=body.meal_date,
            slot=body.slot,
            count=body.count,
            note=body.note,
            actor=staff.actor,
        )
        audit_staff(session, staff, "task.create", client_ip(request), "task", task.id)
        commit(session)
        return task_json(session, task)

    @router.post("/tasks/{task_id}/cancel", response_model=TaskPublic)
    def task_cancel(
        request: Request,
        task_id: int,
        body: NoteIn,
        staff: CanteenStaff,
        session: SessionDep,
        runtime: RuntimeDep,
    ) -> dict[str, Any]:
        task = _get(session, VolunteerTask, task_id, "任务")
        if not cancel_task(session, task, staff.actor, body.note or None):
            session.rollback()
            raise HTTPException(status_code=409, detail=task_changed(task) + "，不能取消。")
        audit_staff(session, staff, "task.cancel", client_ip(request), "task", task.id)
        commit(session)
        return task_json(session, task)

    @router.get("/volunteers", response_model=list[VolunteerPublic])
    def volunteers(staff: CanteenStaff, session: SessionDep) -> list[dict[str, Any]]:
        rows = session.scalars(select(VolunteerProfile).order_by(VolunteerProfile.id))
        return [volunteer_json(session, p) for p in rows]

    @router.post("/volunteers/{volunteer_id}/hours", response_model=VolunteerPublic)
    def hours_correction(
        request: Request, volunteer_id: int, body: HoursIn, staff: CanteenStaff, session: SessionDep
    ) -> dict[str, Any]:
        profile = _get(session, VolunteerProfile, volunteer_id, "志愿者")
        if body.corrects_id is not None:
            corrected = session.get(HoursEntry, body.corrects_id)
            if corrected is None or corrected.volunteer_id != profile.id:
                raise HTTPException(status_code=422, detail="要更正的记录不存在")
        entry = credit_hours(
            session, profile, body.minutes, body.reason, staff.actor, corrects_id=body.corrects_id
        )
        audit_staff(session, staff, "hours.entry", client_ip(request), "hours_entry", entry.id)
        commit(session)
        return volunteer_json(session, profile)

    @router.post("/volunteers/{volunteer_id}/{action}", response_model=VolunteerPublic)
    def volunteer_status(
        request: Request, volunteer_id: int, action: str, staff: CanteenStaff, session: SessionDep
    ) -> dict[str, Any]:
        target = {"approve": "active", "pause": "paused", "resume": "active"}.get(action)
        if target is None:
            raise HTTPException(status_code=404, detail="不支持的操作")
        profile = _get(session, VolunteerProfile, volunteer_id, "志愿者")
        set_status(session, profile, target, staff.actor)
        audit_staff(
            session, staff, f"volunteer.{action}", client_ip(request), "volunteer", profile.id
        )
        commit(session)
        return volunteer_json(session, profile)

    @router.get("/volunteers/{volunteer_id}/hours", response_model=list[HoursEntryPublic])
    def hours_ledger(volunteer_id: int, staff: CanteenStaff, session: SessionDep) -> list[Any]:
        _get(session, VolunteerProfile, volunteer_id, "志愿者")
        rows = session.scalars(
            select(HoursEntry)
            .where(HoursEntry.volunteer_id == volunteer_id)
            .order_by(HoursEntry.id)
        )
        return [
            {
                "id": e.id,
                "minutes": e.minutes,
                "reason": e.reason,
                "task_id": e.task_id,
                "corrects_id": e.corrects_id,
                "by": e.created_by,
                "at": local_time(e.created_at),
            }
            for e in rows
        ]

    @router.get("/leaderboard", response_model=Leaderboard)
    def board(
        staff: CanteenStaff, session: SessionDep, month: str = "", grid_id: int | None = None
    ) -> dict[str, Any]:
        try:
            start, end = month_bounds(utcnow(), month or None)
        except ValueError as exc:
            raise HTTPException(status_code=422, detail="月份格式应为 2026-11") from exc
        rows = leaderboard(session, _community_id(session), grid_id, start, end)
        return {"month": month or local_time(utcnow())[:7], "rows": [vars(r) for r in rows]}

    @router.get("/settings", response_model=PolicyPublic)
    def settings(staff: CanteenStaff, session: SessionDep) -> dict[str, Any]:
        policy = policy_for(session, _community_id(session))
        commit(session)
        return _policy_json(policy)

    @router.post("/settings", response_model=PolicyPublic)
    def settings_update(
        request: Request, body: PolicyIn, staff: CanteenStaff, session: SessionDep
    ) -> dict[str, Any]:
        changes = body.model_dump(exclude_none=True)
        policy = update_policy(session, _community_id(session), changes)
        audit_staff(session, staff, "volunteer.settings", client_ip(request), detail=str(changes))
        commit(session)
        return _policy_json(policy)

    return router


def _policy_json(policy: Any) -> dict[str, Any]:
    keys = PolicyIn.model_fields
    return {key: getattr(policy, key) for key in keys}
