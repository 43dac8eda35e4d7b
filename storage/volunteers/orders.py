"""Meal orders: placing, cancelling, rejecting and confirming an order (a confirmed
order becomes a delivery task). Every state change is an event row; callers commit."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.events import record_event
from storage.models import (
    Canteen,
    Household,
    MealOrder,
    Resident,
    VolunteerTask,
)
from storage.outbound.jobs import Job
from storage.outbound.queues import enqueue_job, grid_queue_name
from storage.volunteers.meal_states import StateChanged, move_order, order_changed, task_changed
from storage.volunteers.profiles import SLOT_LABELS
from storage.volunteers.tasks import cancel_task, create_task, order_cutoff


def place_order(
    session: Session,
    *,
    resident: Resident,
    household: Household,
    canteen: Canteen,
    meal_date: date,
    slot: str,
    count: int,
    note: str | None,
    now: datetime,
) -> MealOrder:
    order = MealOrder(
        canteen_id=canteen.id,
        resident_id=resident.id,
        household_id=household.id,
        meal_date=meal_date,
        slot=slot,
        count=count,
        note=note or None,
        status="pending",
        created_at=now,
    )
    session.add(order)
    session.flush()
    record_event(
        session,
        "meal_order",
        order.id,
        actor=f"resident:{resident.openid}",
        to_state="pending",
        note=f"{household.address} {meal_date} {SLOT_LABELS.get(slot, slot)} {count}份"
        + (f"（{note}）" if note else ""),
    )
    return order


def open_orders_of(session: Session, resident_id: int) -> list[MealOrder]:
    query = (
        select(MealOrder)
        .where(MealOrder.resident_id == resident_id, MealOrder.status.in_(("pending", "confirmed")))
        .order_by(MealOrder.meal_date, MealOrder.id)
    )
    return list(session.scalars(query))


def task_of_order(session: Session, order_id: int) -> VolunteerTask | None:
    return session.scalar(select(VolunteerTask).where(VolunteerTask.order_id == order_id))


def cancel_order(session: Session, order: MealOrder, actor: str, now: datetime) -> str | None:
    """Cancel before the cut-off; returns a reason (Chinese) when it cannot be cancelled,
    also when a concurrent change (the canteen confirming, the meal delivered) came first.
    The task is changed before the order, in the order `complete_task` takes them."""
    canteen = session.get(Canteen, order.canteen_id)
    assert canteen is not None
    if order.status not in ("pending", "confirmed"):
        return "这份订单已处理完毕，不能再取消。"
    if actor.startswith("resident:") and now > order_cutoff(canteen, order.meal_date, order.slot):
        return "已过取消截止时间，饭菜已在准备，如需取消请联系食堂。"
    previous = order.status
    task = task_of_order(session, order.id) if previous == "confirmed" else None
    if task is not None and not cancel_task(session, task, actor, note="订餐已取消"):
        return task_changed(task) + "，不能再取消。"
    if not move_order(session, order, previous, "cancelled"):
        if task is not None:  # the task is cancelled already: undo all of it
            raise StateChanged(order_changed(order) + "，没有取消。")
        again = "如仍要取消，请再说一次。" if order.status == "confirmed" else ""
        return order_changed(order) + "，没有取消。" + again
    record_event(
        session, "meal_order", order.id, actor=actor, from_state=previous, to_state="cancelled"
    )
    return None


def reject_order(session: Session, order: MealOrder, actor: str, note: str | None) -> None:
    """Raises StateChanged when the order is no longer pending (cancelled meanwhile)."""
    if not move_order(session, order, "pending", "rejected"):
        raise StateChanged(order_changed(order) + "，不能再拒绝。")
    record_event(
        session,
        "meal_order",
        order.id,
        actor=actor,
        from_state="pending",
        to_state="rejected",
        note=note,
    )


def confirm_order(session: Session, order: MealOrder, actor: str) -> VolunteerTask:
    """Raises StateChanged when the order is no longer pending (cancelled meanwhile)."""
    if not move_order(session, order, "pending", "confirmed"):
        raise StateChanged(order_changed(order) + "，不能再确认。")
    record_event(
        session, "meal_order", order.id, actor=actor, from_state="pending", to_state="confirmed"
    )
    canteen = session.get(Canteen, order.canteen_id)
    household = session.get(Household, order.household_id)
    assert canteen is not None and household is not None
    task = create_task(
        session,
        canteen=canteen,
        household=household,
        meal_date=order.meal_date,
        slot=order.slot,
        count=order.count,
        note=order.note,
        actor=actor,
        order=order,
    )
    enqueue_job(session, grid_queue_name(task.grid_id), Job.TELL_ORDER_CONFIRMED, order.id)
    return task


# -- tasks ---------------------------------------------------------------------------------
