"""Composing offers: who is offered a task in which round, what they read, and through
which channel (customer-service message inside the 48 h window, else a template)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import (
    Canteen,
    Grid,
    Household,
    Resident,
    TaskOffer,
    VolunteerProfile,
    VolunteerTask,
)
from storage.outbound.notify import Template, notify
from storage.outbound.queues import grid_queue_name
from storage.volunteers.profiles import DELIVERY_SKILL, LOCAL_TZ, policy_for
from storage.volunteers.tasks import active_count, local_hm, when_label


def address_parts(session: Session, task: VolunteerTask) -> tuple[Household, str]:
    household = session.get(Household, task.household_id)
    assert household is not None
    unit = household.unit
    return household, f"{unit.building.number}号楼{unit.number}单元"


def offer_text(session: Session, task: VolunteerTask, now: datetime) -> str:
    """What every offered volunteer sees: building and unit only, never room or phone."""
    canteen = session.get(Canteen, task.canteen_id)
    assert canteen is not None
    _household, where = address_parts(session, task)
    when = when_label(task.pickup_at.astimezone(LOCAL_TZ).date(), _slot(task), now, relative=True)
    return (
        f"【送餐任务 {task.code}】{when} {task.count}份\n"
        f"取餐：{canteen.pickup}，{local_hm(task.pickup_at)}\n"
        f"送到：{where}\n"
        f"愿意送请回复“接 {task.code}”（也可直接回复“好的我去”），先回复者接单。"
    )


def _slot(task: VolunteerTask) -> str:
    hour = task.pickup_at.astimezone(LOCAL_TZ).hour
    return "breakfast" if hour < 10 else "lunch" if hour < 15 else "dinner"


def send_text(
    session: Session,
    resident: Resident,
    text: str,
    *,
    purpose: str,
    key: str,
    queue: str,
    now: datetime,
    template_id: str,
) -> None:
    """A customer-service message inside the 48 h window, else a template message."""
    notify(
        session,
        resident,
        text,
        purpose=purpose,
        key=key,
        queue=queue,
        now=now,
        template=Template(template_id, {"first": text}),
    )


def send_task_text(
    session: Session,
    task: VolunteerTask,
    resident: Resident,
    text: str,
    *,
    purpose: str,
    key: str,
    now: datetime,
    template_id: str,
) -> None:
    """`send_text` about a meal task: on the task's grid queue, under the idempotency key
    "task:<id>:" + key."""
    send_text(
        session,
        resident,
        text,
        purpose=purpose,
        key=f"task:{task.id}:{key}",
        queue=grid_queue_name(task.grid_id),
        now=now,
        template_id=template_id,
    )


def _neighbours(session: Session, grid_id: int, community_id: int) -> set[int]:
    ids = list(
        session.scalars(select(Grid.id).where(Grid.community_id == community_id).order_by(Grid.id))
    )
    if grid_id not in ids:
        return set()
    at = ids.index(grid_id)
    return {ids[i] for i in (at - 1, at + 1) if 0 <= i < len(ids)}


def candidates(
    session: Session, task: VolunteerTask, offer_round: int
) -> list[tuple[VolunteerProfile, Resident]]:
    policy = policy_for(session, task.community_id)
    offered = set(
        session.scalars(
            select(TaskOffer.volunteer_id).where(
                TaskOffer.task_id == task.id, TaskOffer.attempt == task.attempt
            )
        )
    )
    excluded = offered | set(task.declined_by or [])
    local = task.pickup_at.astimezone(LOCAL_TZ)
    if offer_round == 0:
        grids: set[int] | None = {task.grid_id}
    elif offer_round == 1:
        grids = _neighbours(session, task.grid_id, task.community_id)
    else:
        grids = None
    rows = session.execute(
        select(VolunteerProfile, Resident)
        .join(Resident, Resident.id == VolunteerProfile.resident_id)
        .where(
            VolunteerProfile.community_id == task.community_id,
            VolunteerProfile.status == "active",
            Resident.subscribed.is_(True),
        )
        .order_by(VolunteerProfile.id)
    ).all()
    out = []
    for profile, resident in rows:
        if profile.id in excluded or DELIVERY_SKILL not in (profile.skills or []):
            continue
        if grids is not None and profile.grid_id not in grids:
            continue
        if profile.days and local.weekday() not in profile.days:
            continue
        if profile.slots and _slot(task) not in profile.slots:
            continue
        if active_count(session, profile.id) >= policy.max_active_tasks:
            continue
        out.append((profile, resident))
    return out
