"""JSON shapes of meal orders, delivery tasks and volunteers for the canteen console.

Phones: an order shows its recipient's and a task its delivering volunteer's (the
canteen calls them about that meal); the volunteer roster shows them masked."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from admin.timefmt import local_time
from storage.events import history
from storage.labels import MEAL_ORDER_LABELS, TASK_LABELS
from storage.models import (
    HoursEntry,
    Household,
    MealOrder,
    Resident,
    VolunteerProfile,
    VolunteerTask,
)
from storage.privacy import mask_phone
from storage.volunteers.profiles import SLOT_LABELS, STATUS_LABELS

TASK_STATUS = TASK_LABELS
ORDER_STATUS = MEAL_ORDER_LABELS


def _address(session: Session, household_id: int) -> str:
    household = session.get(Household, household_id)
    return household.address if household else ""


def order_json(session: Session, order: MealOrder) -> dict[str, Any]:
    resident = session.get(Resident, order.resident_id)
    task = session.scalar(select(VolunteerTask.id).where(VolunteerTask.order_id == order.id))
    return {
        "id": order.id,
        "code": order.code,
        "address": _address(session, order.household_id),
        "ordered_by": (resident.name or resident.openid) if resident else "",
        "phone": (resident.phone or "") if resident else "",
        "meal_date": order.meal_date.isoformat(),
        "slot": order.slot,
        "slot_label": SLOT_LABELS.get(order.slot, order.slot),
        "count": order.count,
        "note": order.note or "",
        "status": order.status,
        "status_label": ORDER_STATUS.get(order.status, order.status),
        "task_code": f"T{task}" if task else None,
        "created_at": local_time(order.created_at),
    }


def task_json(session: Session, task: VolunteerTask, events: bool = False) -> dict[str, Any]:
    volunteer = None
    if task.volunteer_id is not None:
        profile = session.get(VolunteerProfile, task.volunteer_id)
        resident = session.get(Resident, profile.resident_id) if profile else None
        volunteer = {
            "id": task.volunteer_id,
            "name": resident.name if resident else None,
            "phone": resident.phone if resident else None,
        }
    data: dict[str, Any] = {
        "id": task.id,
        "code": task.code,
        "address": _address(session, task.household_id),
        "grid_id": task.grid_id,
        "count": task.count,
        "note": task.note or "",
        "status": task.status,
        "status_label": TASK_STATUS.get(task.status, task.status),
        "pickup_at": local_time(task.pickup_at),
        "deadline_at": local_time(task.deadline_at),
        "offer_round": task.offer_round,
        "escalated": task.offer_round > 2 or task.overdue_alerted_at is not None,
        "volunteer": volunteer,
        "assigned_at": local_time(task.assigned_at),
        "done_at": local_time(task.done_at),
        "confirmed_by_recipient": task.confirmed_at is not None,
    }
    if events:
        data["events"] = [
            {
                "at": local_time(e.at),
                "actor": e.actor,
                "from": e.from_state,
                "to": e.to_state,
                "note": e.note or "",
            }
            for e in history(session, "task", task.id)
        ]
    return data


def volunteer_json(session: Session, profile: VolunteerProfile) -> dict[str, Any]:
    resident = session.get(Resident, profile.resident_id)
    total = session.scalar(
        select(func.coalesce(func.sum(HoursEntry.minutes), 0)).where(
            HoursEntry.volunteer_id == profile.id
        )
    )
    return {
        "id": profile.id,
        "name": resident.name if resident else None,
        "openid": resident.openid if resident else None,
        "phone": mask_phone(resident.phone) if resident else "",
        "grid_id": profile.grid_id,
        "skills": list(profile.skills or []),
        "days": list(profile.days or []),
        "slots": list(profile.slots or []),
        "status": profile.status,
        "status_label": STATUS_LABELS.get(profile.status, profile.status),
        "total_minutes": int(total or 0),
    }
