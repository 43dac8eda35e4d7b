"""RQ jobs that keep the one who ordered a meal informed: the canteen confirmed the order,
a volunteer took the delivery. Sent like every other meal message (customer-service
message inside the 48 h window, else a template), once per idempotency key, so a retried
job never sends twice. Each takes `now=` so tests run it under a controlled clock."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

import bot.jobs.deliveries
from bot.jobs.meal_offers import send_text
from bot.runtime import get_runtime
from storage.models import Canteen, Household, MealOrder, Resident, VolunteerProfile, VolunteerTask
from storage.outbound.queues import grid_queue_name
from storage.volunteers.orders import task_of_order
from storage.volunteers.profiles import policy_for
from storage.volunteers.tasks import local_hm, order_cutoff, when_label

CONFIRMED = (
    "食堂已确认您的订餐 {code}（{when}），{count}份，送到{address}。"
    "正在安排志愿者送餐，有人接单会再告诉您。{cutoff}前仍可回复“取消订餐”。"
)
ACCEPTED = (
    "{who}已接单，会在{start}到{end}之间把您订的餐 {code}（{when}）送到{address}，请留意敲门。"
)


def _now(now: datetime | None) -> datetime:
    return now or datetime.fromtimestamp(bot.jobs.deliveries.clock(), UTC)


def _orderer(session: Session, order: MealOrder) -> Resident | None:
    return session.get(Resident, order.resident_id)


def tell_order_confirmed(order_id: int, now: datetime | None = None) -> bool:
    """「食堂已确认您的订餐 D3（12月5日午餐）…」 to the one who ordered it."""
    moment = _now(now)
    with get_runtime().session_factory() as session:
        order = session.get(MealOrder, order_id)
        if order is None or order.status != "confirmed":
            return False  # cancelled (or delivered) meanwhile: nothing to announce
        resident = _orderer(session, order)
        canteen = session.get(Canteen, order.canteen_id)
        household = session.get(Household, order.household_id)
        task = task_of_order(session, order.id)
        if resident is None or canteen is None or household is None or task is None:
            return False
        text = CONFIRMED.format(
            code=order.code,
            when=when_label(order.meal_date, order.slot),
            count=order.count,
            address=household.address,
            cutoff=local_hm(order_cutoff(canteen, order.meal_date, order.slot)),
        )
        send_text(
            session,
            resident,
            text,
            purpose="meal_confirmed",
            key=f"order:{order.id}:confirmed",
            queue=grid_queue_name(task.grid_id),
            now=moment,
            template_id=policy_for(session, task.community_id).offer_template_id,
        )
        get_runtime().commit(session)
    return True


def volunteer_called(session: Session, task: VolunteerTask) -> str:
    """How the orderer hears of the volunteer: a surname, never the phone or full name."""
    profile = session.get(VolunteerProfile, task.volunteer_id) if task.volunteer_id else None
    person = session.get(Resident, profile.resident_id) if profile else None
    name = (person.name or "").strip() if person else ""
    return f"{name[0]}志愿者" if name else "志愿者"


def tell_task_accepted(task_id: int, attempt: int, now: datetime | None = None) -> bool:
    """「赵志愿者已接单，会在11:30到12:10之间…送到…」 to the one who ordered the meal.
    `attempt` is the task's attempt at acceptance: a task handed back and taken again
    is announced again, a retried job is not."""
    moment = _now(now)
    with get_runtime().session_factory() as session:
        task = session.get(VolunteerTask, task_id)
        order = session.get(MealOrder, task.order_id) if task and task.order_id else None
        if task is None or order is None or task.status != "assigned" or task.attempt != attempt:
            return False  # handed back, cancelled or delivered meanwhile
        resident = _orderer(session, order)
        household = session.get(Household, task.household_id)
        if resident is None or household is None:
            return False
        text = ACCEPTED.format(
            who=volunteer_called(session, task),
            start=local_hm(task.pickup_at),
            end=local_hm(task.deadline_at),
            code=order.code,
            when=when_label(order.meal_date, order.slot),
            address=household.address,
        )
        send_text(
            session,
            resident,
            text,
            purpose="meal_accepted",
            key=f"task:{task.id}:a{attempt}:accepted",
            queue=grid_queue_name(task.grid_id),
            now=moment,
            template_id=policy_for(session, task.community_id).offer_template_id,
        )
        get_runtime().commit(session)
    return True
