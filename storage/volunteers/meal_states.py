"""What a meal order or task is now, said to whoever lost a race to change it, and the
conditional UPDATE that decides such races (see storage.volunteers.tasks)."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from storage.models import MealOrder, VolunteerTask

# How a record's current state is said when a change lost a race.
ORDER_SAID = {
    "pending": "还在等食堂确认",
    "confirmed": "已被食堂确认",
    "delivered": "已送达",
    "rejected": "已被食堂拒绝",
    "cancelled": "已取消",
}
TASK_SAID = {
    "open": "还在等志愿者接单",
    "assigned": "已有志愿者接单",
    "done": "已送达",
    "cancelled": "已取消",
}


class StateChanged(Exception):
    """Someone else changed the record first; `reason` tells the loser so (Chinese)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def move_order(session: Session, order: MealOrder, expected: str, to_state: str) -> bool:
    """One conditional UPDATE of the order's status (expected → to_state), then refreshed:
    False when it was no longer `expected` (a concurrent change won)."""
    done = session.execute(
        update(MealOrder)
        .where(MealOrder.id == order.id, MealOrder.status == expected)
        .values(status=to_state)
        .execution_options(synchronize_session=False)
    )
    session.refresh(order)
    return bool(done.rowcount)  # type: ignore[attr-defined]


def order_changed(order: MealOrder) -> str:
    """ "这份订单已被食堂确认": the caller says what it therefore did not do."""
    return f"这份订单{ORDER_SAID.get(order.status, order.status)}"


def task_changed(task: VolunteerTask) -> str:
    """ "任务 T5 已送达": the caller says what it therefore did not do."""
    return f"任务 {task.code} {TASK_SAID.get(task.status, task.status)}"
