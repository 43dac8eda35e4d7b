"""Two people change one meal order or task at once: one change wins, the other is told
plainly what happened, and nothing is overwritten."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from bot.runtime import Runtime
from storage.events import history
from storage.models import HoursEntry, MealOrder, Resident, VolunteerProfile, VolunteerTask, utcnow
from storage.volunteers.meal_states import StateChanged
from storage.volunteers.orders import cancel_order, confirm_order, place_order, task_of_order
from storage.volunteers.tasks import accept_task, cancel_task, canteen_for, complete_task
from tests.admin.conftest import Console
from tests.volunteers.conftest import add_volunteer, tomorrow

RESIDENT = "demo-lidaye"


def new_order(runtime: Runtime) -> int:
    with runtime.session_factory() as session:
        resident = session.scalar(select(Resident).where(Resident.openid == RESIDENT))
        assert resident is not None and resident.household is not None
        canteen = canteen_for(session, 1)
        assert canteen is not None
        order = place_order(
            session,
            resident=resident,
            household=resident.household,
            canteen=canteen,
            meal_date=tomorrow(),
            slot="lunch",
            count=1,
            note=None,
            now=utcnow(),
        )
        session.commit()
        return order.id


def linear_history(runtime: Runtime, kind: str, entity_id: int) -> list[str]:
    """The states an entity went through; each change starts where the last one ended
    (a blind overwrite would start a second change from the same old state)."""
    with runtime.session_factory() as session:
        events = [e for e in history(session, kind, entity_id) if e.to_state != "hours"]
    states = [events[0].to_state]
    for event in events[1:]:
        assert event.from_state == states[-1], [(e.from_state, e.to_state) for e in events]
        states.append(event.to_state)
    return states


def resident_cancels(runtime: Runtime, order_id: int, loaded: Callable[[], None] = lambda: None):
    with runtime.session_factory() as session:
        order = session.get(MealOrder, order_id)
        assert order is not None
        loaded()
        why = cancel_order(session, order, f"resident:{RESIDENT}", utcnow())
        session.commit()
        return why


def test_resident_cancel_read_before_staff_confirmed_is_refused_not_overwriting(
    runtime: Runtime,
) -> None:
    order_id = new_order(runtime)
    with runtime.session_factory() as resident_side, runtime.session_factory() as staff_side:
        seen_by_resident = resident_side.get(MealOrder, order_id)
        seen_by_staff = staff_side.get(MealOrder, order_id)
        assert seen_by_resident is not None and seen_by_staff is not None
        assert seen_by_resident.status == seen_by_staff.status == "pending"

        confirm_order(staff_side, seen_by_staff, "staff:canteen")
        staff_side.commit()
        why = cancel_order(resident_side, seen_by_resident, f"resident:{RESIDENT}", utcnow())
        resident_side.commit()

    assert why == "这份订单已被食堂确认，没有取消。如仍要取消，请再说一次。"
    assert linear_history(runtime, "meal_order", order_id) == ["pending", "confirmed"]
    with runtime.session_factory() as session:
        task = task_of_order(session, order_id)
        assert task is not None and task.status == "open"


def test_staff_confirm_read_before_resident_cancelled_is_refused(runtime: Runtime) -> None:
    order_id = new_order(runtime)
    with runtime.session_factory() as staff_side:
        seen_by_staff = staff_side.get(MealOrder, order_id)
        assert seen_by_staff is not None and seen_by_staff.status == "pending"
        assert resident_cancels(runtime, order_id) is None
        with pytest.raises(StateChanged) as refused:
            confirm_order(staff_side, seen_by_staff, "staff:canteen")
        staff_side.rollback()
    assert refused.value.reason == "这份订单已取消，不能再确认。"
    assert linear_history(runtime, "meal_order", order_id) == ["pending", "cancelled"]
    with runtime.session_factory() as session:
        assert task_of_order(session, order_id) is None


def test_console_confirm_after_resident_cancel_is_409_in_chinese(
    runtime: Runtime, canteen: Console
) -> None:
    order_id = new_order(runtime)
    assert resident_cancels(runtime, order_id) is None
    response = canteen.api_post(f"/admin/api/canteen/orders/{order_id}/confirm")
    assert response.status_code == 409
    assert response.json()["detail"] == "这份订单已取消，不能再确认。"


def race_once(runtime: Runtime, canteen: Console, order_id: int) -> tuple[Any, str | None]:
    """The canteen confirms over HTTP while the resident cancels, released together."""
    gate = threading.Barrier(2)
    results: dict[str, Any] = {}

    def confirm() -> None:
        gate.wait()
        results["confirm"] = canteen.api_post(f"/admin/api/canteen/orders/{order_id}/confirm")

    def cancel() -> None:
        results["cancel"] = resident_cancels(runtime, order_id, loaded=gate.wait)

    threads = [threading.Thread(target=confirm), threading.Thread(target=cancel)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results["confirm"], results["cancel"]


def test_console_confirm_and_resident_cancel_at_once_leave_one_consistent_outcome(
    runtime: Runtime, canteen: Console
) -> None:
    for _round in range(6):
        order_id = new_order(runtime)
        confirmed, why = race_once(runtime, canteen, order_id)
        states = linear_history(runtime, "meal_order", order_id)
        with runtime.session_factory() as session:
            task = task_of_order(session, order_id)
            task_status = task.status if task is not None else None
        if confirmed.status_code == 409:
            # The resident's cancel came first; the canteen is told so and made nothing.
            assert confirmed.json()["detail"] == "这份订单已取消，不能再确认。"
            assert why is None and states == ["pending", "cancelled"] and task is None
        elif why is not None:
            # The canteen's confirm came first; the resident hears it was not cancelled.
            assert confirmed.status_code == 200 and "已被食堂确认" in why
            assert states == ["pending", "confirmed"] and task_status == "open"
        else:
            # One after the other: confirmed, then cancelled with its task.
            assert confirmed.status_code == 200
            assert states == ["pending", "confirmed", "cancelled"] and task_status == "cancelled"


def assigned_task(runtime: Runtime, canteen: Console) -> tuple[int, int]:
    volunteer = add_volunteer(runtime, f"race-done-{utcnow().timestamp():.0f}", grid_id=2)
    order_id = new_order(runtime)
    assert canteen.api_post(f"/admin/api/canteen/orders/{order_id}/confirm").status_code == 200
    with runtime.session_factory() as session:
        task = task_of_order(session, order_id)
        profile = session.get(VolunteerProfile, volunteer)
        assert task is not None and profile is not None
        assert accept_task(session, task, profile, "resident:v", utcnow()) == "won"
        session.commit()
        return task.id, volunteer


def hours_of(runtime: Runtime, volunteer_id: int) -> int:
    with runtime.session_factory() as session:
        entries = session.scalars(
            select(HoursEntry).where(HoursEntry.volunteer_id == volunteer_id)
        ).all()
        return len(entries)


def test_staff_cancel_read_before_the_volunteer_delivered_is_refused(
    runtime: Runtime, canteen: Console
) -> None:
    task_id, volunteer_id = assigned_task(runtime, canteen)
    with runtime.session_factory() as staff_side, runtime.session_factory() as volunteer_side:
        seen_by_staff = staff_side.get(VolunteerTask, task_id)
        task = volunteer_side.get(VolunteerTask, task_id)
        profile = volunteer_side.get(VolunteerProfile, volunteer_id)
        assert seen_by_staff is not None and task is not None and profile is not None
        assert complete_task(volunteer_side, task, profile, "resident:v", utcnow())
        volunteer_side.commit()
        assert not cancel_task(staff_side, seen_by_staff, "staff:canteen")
        staff_side.rollback()
    assert linear_history(runtime, "task", task_id) == ["open", "assigned", "done"]
    response = canteen.api_post(f"/admin/api/canteen/tasks/{task_id}/cancel", json={})
    assert response.status_code == 409
    assert response.json()["detail"] == f"任务 T{task_id} 已送达，不能取消。"
    assert hours_of(runtime, volunteer_id) == 1


def test_volunteer_done_read_before_staff_cancelled_is_refused(
    runtime: Runtime, canteen: Console
) -> None:
    task_id, volunteer_id = assigned_task(runtime, canteen)
    with runtime.session_factory() as volunteer_side:
        task = volunteer_side.get(VolunteerTask, task_id)
        profile = volunteer_side.get(VolunteerProfile, volunteer_id)
        assert task is not None and profile is not None and task.status == "assigned"
        response = canteen.api_post(f"/admin/api/canteen/tasks/{task_id}/cancel", json={})
        assert response.status_code == 200
        assert not complete_task(volunteer_side, task, profile, "resident:v", utcnow())
        volunteer_side.commit()
        assert task.status == "cancelled"  # what the chat layer phrases for the volunteer
    assert hours_of(runtime, volunteer_id) == 0
    with runtime.session_factory() as session:
        order = session.scalar(
            select(MealOrder).join(VolunteerTask).where(VolunteerTask.id == task_id)
        )
        assert order is not None and order.status == "confirmed"
