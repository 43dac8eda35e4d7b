"""Meal delivery tasks: dispatch bookkeeping, accept (atomic), hand-back, completion,
receipt (orders are in storage/volunteers/orders.py). Every state change is an event
row; callers commit."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, inspect, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from storage.clock import CHINA, china_today
from storage.events import insert_event, record_event
from storage.models import (
    Canteen,
    Household,
    MealOrder,
    VolunteerProfile,
    VolunteerTask,
)
from storage.outbound.jobs import Job
from storage.outbound.queues import enqueue_job, grid_queue_name
from storage.volunteers.meal_states import move_order
from storage.volunteers.profiles import SLOT_LABELS, credit_hours, policy_for

# The one who ordered hears when the canteen confirms and when a volunteer takes the task.
# 已送达 this long before the pickup time is questioned, not credited.
EARLY_DONE = timedelta(minutes=30)
TASK_CODE = re.compile(r"[Tt]\s*(\d{1,9})")
ACTIVE = "assigned"


def canteen_for(session: Session, community_id: int) -> Canteen | None:
    return session.scalar(
        select(Canteen).where(Canteen.community_id == community_id).order_by(Canteen.id).limit(1)
    )


def pickup_time(canteen: Canteen, meal_date: date, slot: str) -> datetime:
    hh, mm = (int(p) for p in str(canteen.slot_times.get(slot, "11:30")).split(":"))
    return datetime.combine(meal_date, time(hh, mm), tzinfo=CHINA).astimezone(UTC)


def order_cutoff(canteen: Canteen, meal_date: date, slot: str) -> datetime:
    return pickup_time(canteen, meal_date, slot) - timedelta(minutes=canteen.cutoff_minutes)


def when_label(
    meal_date: date, slot: str, now: datetime | None = None, *, relative: bool = False
) -> str:
    """ "12月5日午餐"; with `relative`, China's 今天/明天/后天 as of `now` follows:
    "12月5日午餐（明天）"."""
    label = f"{meal_date.month}月{meal_date.day}日{SLOT_LABELS.get(slot, slot)}"
    if not relative:
        return label
    today = china_today(now)
    names = {today: "今天", today + timedelta(days=1): "明天", today + timedelta(days=2): "后天"}
    day = names.get(meal_date)
    return f"{label}（{day}）" if day else label


def local_hm(moment: datetime) -> str:
    return moment.astimezone(CHINA).strftime("%H:%M")


def too_early_to_deliver(task: VolunteerTask, now: datetime) -> bool:
    """A delivery reported long before the meal can even be picked up."""
    return now < task.pickup_at - EARLY_DONE


# -- orders --------------------------------------------------------------------------------


def create_task(
    session: Session,
    *,
    canteen: Canteen,
    household: Household,
    meal_date: date,
    slot: str,
    count: int,
    note: str | None,
    actor: str,
    order: MealOrder | None = None,
) -> VolunteerTask:
    pickup = pickup_time(canteen, meal_date, slot)
    grid_id = household.unit.building.grid_id
    task = VolunteerTask(
        community_id=canteen.community_id,
        canteen_id=canteen.id,
        order_id=order.id if order else None,
        household_id=household.id,
        grid_id=grid_id,
        count=count,
        note=note,
        pickup_at=pickup,
        deadline_at=pickup + timedelta(minutes=canteen.deliver_minutes),
        status="open",
        created_by=actor,
    )
    session.add(task)
    session.flush()
    record_event(
        session,
        "task",
        task.id,
        actor=actor,
        to_state="open",
        note=f"送餐到{household.address}，{meal_date} {SLOT_LABELS.get(slot, slot)} {count}份",
    )
    enqueue_job(session, grid_queue_name(grid_id), Job.DISPATCH_TASK, task.id)
    return task


def task_by_code(session: Session, code: str | None) -> VolunteerTask | None:
    match = TASK_CODE.search(code or "")
    return session.get(VolunteerTask, int(match.group(1))) if match else None


def active_tasks(session: Session, volunteer_id: int) -> list[VolunteerTask]:
    query = (
        select(VolunteerTask)
        .where(VolunteerTask.volunteer_id == volunteer_id, VolunteerTask.status == ACTIVE)
        .order_by(VolunteerTask.pickup_at)
    )
    return list(session.scalars(query))


def active_count(session: Session, volunteer_id: int) -> int:
    query = (
        select(func.count())
        .select_from(VolunteerTask)
        .where(VolunteerTask.volunteer_id == volunteer_id, VolunteerTask.status == ACTIVE)
    )
    return int(session.scalar(query) or 0)


_TASKS = cast(Table, VolunteerTask.__table__)
# The acceptance: one conditional UPDATE, built once, returning the row it changed.
_WIN = (
    update(_TASKS)
    .where(_TASKS.c.id == bindparam("tid"), _TASKS.c.status == "open")
    .values(status=ACTIVE, volunteer_id=bindparam("vid"), assigned_at=bindparam("at"))
    .returning(*_TASKS.c)
)
_TASK_ATTRS = tuple((p.key, p.columns[0]) for p in inspect(VolunteerTask).column_attrs)


def accept_task(
    session: Session, task: VolunteerTask, profile: VolunteerProfile, actor: str, now: datetime
) -> str:
    """ "won" | "taken" | "mine" | "closed" | "full" | "inactive". The first valid
    acceptance wins: one conditional UPDATE (status open → assigned) decides."""
    if profile.status != "active":
        return "inactive"
    if task.status == ACTIVE and task.volunteer_id == profile.id:
        return "mine"
    if task.status in ("done", "cancelled"):
        return "closed"
    policy = policy_for(session, profile.community_id)
    if active_count(session, profile.id) >= policy.max_active_tasks:
        return "full"
    won = session.connection().execute(_WIN, {"tid": task.id, "vid": profile.id, "at": now})
    row = won.first()
    if row is None:
        session.refresh(task)
        return "mine" if task.volunteer_id == profile.id else "taken"
    for key, column in _TASK_ATTRS:  # the task as the UPDATE left it (no refresh query)
        set_committed_value(task, key, row._mapping[column])
    insert_event(session, "task", task.id, actor=actor, from_state="open", to_state=ACTIVE)
    if task.order_id is not None:
        queue = grid_queue_name(task.grid_id)
        enqueue_job(session, queue, Job.TELL_TASK_ACCEPTED, task.id, task.attempt)
    return "won"


def _update_if_theirs(
    session: Session, task: VolunteerTask, profile: VolunteerProfile, **values: Any
) -> bool:
    """One conditional UPDATE of a task still assigned to this volunteer, then refreshed
    (so a caller that lost sees what happened instead); False when it no longer is."""
    done = session.execute(
        update(VolunteerTask)
        .where(
            VolunteerTask.id == task.id,
            VolunteerTask.status == ACTIVE,
            VolunteerTask.volunteer_id == profile.id,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    session.refresh(task)
    return bool(done.rowcount)  # type: ignore[attr-defined]


def handback_task(
    session: Session, task: VolunteerTask, profile: VolunteerProfile, actor: str, now: datetime
) -> str:
    """ "ok" | "not_yours" | "too_late"; a handed-back task is offered again (not to them)."""
    if task.status != ACTIVE or task.volunteer_id != profile.id:
        return "not_yours"
    policy = policy_for(session, profile.community_id)
    window = timedelta(minutes=policy.handback_minutes)
    if task.assigned_at is None or now - task.assigned_at > window or now >= task.pickup_at:
        return "too_late"
    handed_back = _update_if_theirs(
        session,
        task,
        profile,
        status="open",
        volunteer_id=None,
        assigned_at=None,
        attempt=VolunteerTask.attempt + 1,
        offer_round=0,
        offered_at=None,
        reminded_at=None,
    )
    if not handed_back:
        return "not_yours"
    task.declined_by = [*(task.declined_by or []), profile.id]
    record_event(
        session, "task", task.id, actor=actor, from_state=ACTIVE, to_state="open", note="志愿者退回"
    )
    enqueue_job(session, grid_queue_name(task.grid_id), Job.DISPATCH_TASK, task.id)
    return "ok"


def complete_task(
    session: Session, task: VolunteerTask, profile: VolunteerProfile, actor: str, now: datetime
) -> bool:
    if not _update_if_theirs(session, task, profile, status="done", done_at=now):
        return False
    record_event(session, "task", task.id, actor=actor, from_state=ACTIVE, to_state="done")
    policy = policy_for(session, profile.community_id)
    credit_hours(
        session,
        profile,
        policy.minutes_per_task,
        f"送餐 {task.code}",
        actor="system",
        task_id=task.id,
        now=now,
    )
    if task.order_id is not None:
        order = session.get(MealOrder, task.order_id)
        if order is not None and move_order(session, order, "confirmed", "delivered"):
            record_event(
                session,
                "meal_order",
                order.id,
                actor=actor,
                from_state="confirmed",
                to_state="delivered",
            )
        enqueue_job(session, grid_queue_name(task.grid_id), Job.ASK_RECEIPT, task.id)
    return True


def confirm_receipt(session: Session, task: VolunteerTask, actor: str, now: datetime) -> bool:
    marked = session.execute(
        update(VolunteerTask)
        .where(
            VolunteerTask.id == task.id,
            VolunteerTask.status == "done",
            VolunteerTask.confirmed_at.is_(None),
        )
        .values(confirmed_at=now)
        .execution_options(synchronize_session=False)
    )
    session.refresh(task)
    if not marked.rowcount:  # type: ignore[attr-defined]
        return False
    record_event(session, "task", task.id, actor=actor, from_state="done", to_state="received")
    return True


def cancel_task(session: Session, task: VolunteerTask, actor: str, note: str | None = None) -> bool:
    """False when the task is over, also when it was completed (or cancelled) just now by
    someone else: one conditional UPDATE decides; `task_changed(task)` says what won."""
    if task.status in ("done", "cancelled"):
        return False
    won = session.execute(
        update(VolunteerTask)
        .where(VolunteerTask.id == task.id, VolunteerTask.status.in_(("open", ACTIVE)))
        .values(status="cancelled")
        .returning(VolunteerTask.volunteer_id)
        .execution_options(synchronize_session=False)
    ).first()
    session.refresh(task)
    if won is None:
        return False
    # Whoever held the task at the moment of the update is told; an open task has none.
    volunteer_id = won.volunteer_id
    previous = ACTIVE if volunteer_id is not None else "open"
    record_event(
        session, "task", task.id, actor=actor, from_state=previous, to_state="cancelled", note=note
    )
    if volunteer_id is not None:
        enqueue_job(
            session, grid_queue_name(task.grid_id), Job.TELL_TASK_CANCELLED, task.id, volunteer_id
        )
    return True
