"""RQ jobs of meal delivery: offering tasks (own grid → neighbouring grids → everyone),
widening and escalating unaccepted offers, pickup reminders, overdue alerts, and asking
the recipient to confirm. Each job takes `now=` so tests run it under a controlled clock;
each commits its own work."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.flow_starts import start_flow
from bot.jobs.meal_offers import address_parts, candidates, offer_text, send_task_text
from bot.runtime import get_runtime
from handlers.dialogue import DialogueState
from storage.clock import now as clock_now
from storage.events import record_event
from storage.models import (
    Canteen,
    MealOrder,
    Resident,
    TaskOffer,
    VolunteerProfile,
    VolunteerTask,
)
from storage.outbound.deliveries import plan_delivery
from storage.outbound.queues import grid_queue_name
from storage.residents.queries import group_channel
from storage.volunteers.profiles import policy_for
from storage.volunteers.tasks import local_hm

log = logging.getLogger(__name__)

OFFER_TTL_SECONDS = 4 * 3600
LAST_ROUND = 2  # 0 own grid, 1 neighbouring grids, 2 everyone; 3 = staff alerted
ROUND_LABELS = ("本网格", "相邻网格", "全社区")
OFFER_FLOW = "task_offer"
RECEIPT_FLOW = "meal_receipt"
# The recipient answered 「收到了吗」 with 「还没收到」.
NOT_RECEIVED = "志愿者已回复送达，但老人说还没收到"
# An open task not offered this long after it was created lost its dispatch job.
UNOFFERED_GRACE = timedelta(minutes=2)


def _now(now: datetime | None) -> datetime:
    return now or clock_now()


def _offer(session: Session, task: VolunteerTask, now: datetime) -> list[str]:
    """Offer the task in its current round, moving outwards while a round has nobody.
    Returns the openids offered (their dialogue state is written after the commit)."""
    policy = policy_for(session, task.community_id)
    found = candidates(session, task, task.offer_round)
    while not found and task.offer_round < LAST_ROUND:
        task.offer_round += 1
        found = candidates(session, task, task.offer_round)
    task.offered_at = now
    text = offer_text(session, task, now)
    for profile, resident in found:
        session.add(
            TaskOffer(
                task_id=task.id,
                volunteer_id=profile.id,
                attempt=task.attempt,
                offer_round=task.offer_round,
                offered_at=now,
            )
        )
        send_task_text(
            session,
            task,
            resident,
            text,
            purpose="task_offer",
            key=f"a{task.attempt}:offer:{profile.id}",
            now=now,
            template_id=policy.offer_template_id,
        )
    record_event(
        session,
        "task",
        task.id,
        actor="dispatcher",
        from_state="open",
        to_state="open",
        note=f"第{task.offer_round + 1}轮（{ROUND_LABELS[task.offer_round]}）推送给{len(found)}名志愿者",
    )
    any_offered = session.scalar(
        select(TaskOffer.id).where(TaskOffer.task_id == task.id, TaskOffer.attempt == task.attempt)
    )
    if not found and task.offer_round >= LAST_ROUND and any_offered is None:
        alert_staff(session, task, "无志愿者可接单", now)
    return [resident.openid for _profile, resident in found]


def alert_staff(session: Session, task: VolunteerTask, why: str, now: datetime) -> None:
    """Tell the canteen's work group (the community's when the canteen has none)."""
    if why not in ("逾期未送达", NOT_RECEIVED):
        task.offer_round = LAST_ROUND + 1
    household, _where = address_parts(session, task)
    channel = group_channel(session, "canteen", task.canteen_id, "wecom_robot")
    if channel is None:
        channel = group_channel(session, "community", task.community_id, "wecom_robot")
    record_event(
        session,
        "task",
        task.id,
        actor="dispatcher",
        from_state=task.status,
        to_state="alerted",
        note=why,
    )
    if channel is None:
        return
    text = (
        f"【送餐任务需人工处理】{task.code}：{why}。\n送到：{household.address}，"
        f"取餐时间 {local_hm(task.pickup_at)}，{task.count}份。请安排人员或电话联系志愿者。"
    )
    plan_delivery(
        session,
        channel="wecom_robot",
        recipient=channel.target,
        purpose="task_alert",
        payload={"text": text},
        idempotency_key=f"task:{task.id}:a{task.attempt}:alert:{why}",
        queue=grid_queue_name(task.grid_id),
    )


def _write_offer_states(openids: list[str], task_code: str) -> None:
    """Through the flow API, under each volunteer's lock; a volunteer in the middle of
    something else keeps it ("接 T15" and 好的 still work: offers are in their situation)."""
    for openid in openids:
        state = DialogueState(
            flow=OFFER_FLOW,
            step="offered",
            data={"expects": "task_accept", "carry": {"task_code": task_code}},
        )
        start_flow(openid, state)


# -- jobs ----------------------------------------------------------------------------------


def dispatch_task(task_id: int, now: datetime | None = None) -> int:
    """Offer an open task that has not been offered in its current attempt."""
    moment = _now(now)
    with get_runtime().session_factory() as session:
        task = session.get(VolunteerTask, task_id)
        if task is None or task.status != "open" or task.offered_at is not None:
            return 0
        claimed = session.execute(
            update(VolunteerTask)
            .where(VolunteerTask.id == task_id, VolunteerTask.offered_at.is_(None))
            .values(offered_at=moment)
            .execution_options(synchronize_session=False)
        )
        if not claimed.rowcount:  # type: ignore[attr-defined]
            session.rollback()
            return 0
        openids = _offer(session, task, moment)
        code = task.code
        get_runtime().commit(session)
    _write_offer_states(openids, code)
    return len(openids)


def offer_unoffered(now: datetime | None = None) -> int:
    """Open tasks whose dispatch job was lost (the outbox or RQ dropped it, a worker died
    before committing): offer them now, or alert staff when pickup time has come."""
    moment = _now(now)
    with get_runtime().session_factory() as session:
        ids = list(
            session.scalars(
                select(VolunteerTask.id)
                .where(
                    VolunteerTask.status == "open",
                    VolunteerTask.offered_at.is_(None),
                    VolunteerTask.created_at <= moment - UNOFFERED_GRACE,
                )
                .order_by(VolunteerTask.id)
            )
        )
    for task_id in ids:
        log.warning("task %s was never offered (dispatch job lost); offering now", task_id)
        if not _alert_if_too_late(task_id, moment):
            dispatch_task(task_id, moment)
    return len(ids)


def _alert_if_too_late(task_id: int, moment: datetime) -> bool:
    """A lost task found at or after its pickup time goes to staff, not to volunteers."""
    with get_runtime().session_factory() as session:
        task = session.get(VolunteerTask, task_id)
        if task is None or task.pickup_at > moment:
            return False
        claimed = session.execute(
            update(VolunteerTask)
            .where(
                VolunteerTask.id == task_id,
                VolunteerTask.status == "open",
                VolunteerTask.offered_at.is_(None),
            )
            .values(offered_at=moment)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount:  # type: ignore[attr-defined]
            alert_staff(session, task, "未能及时派单，已到取餐时间", moment)
        get_runtime().commit(session)
        return True


def widen_offers(now: datetime | None = None) -> int:
    """Unaccepted after the wait: offer to the next circle; after everyone, alert staff."""
    moment = _now(now)
    widened = 0
    with get_runtime().session_factory() as session:
        tasks = list(
            session.scalars(
                select(VolunteerTask).where(
                    VolunteerTask.status == "open",
                    VolunteerTask.offered_at.is_not(None),
                    VolunteerTask.offer_round <= LAST_ROUND,
                )
            )
        )
        for task in tasks:
            policy = policy_for(session, task.community_id)
            assert task.offered_at is not None
            if task.offered_at > moment - timedelta(minutes=policy.offer_wait_minutes):
                continue
            claimed = session.execute(
                update(VolunteerTask)
                .where(
                    VolunteerTask.id == task.id,
                    VolunteerTask.status == "open",
                    VolunteerTask.offer_round == task.offer_round,
                    VolunteerTask.offered_at == task.offered_at,
                )
                .values(offered_at=moment)
                .execution_options(synchronize_session=False)
            )
            if not claimed.rowcount:  # type: ignore[attr-defined]
                session.rollback()
                continue
            openids: list[str] = []
            if task.offer_round >= LAST_ROUND:
                alert_staff(session, task, f"{policy.offer_wait_minutes}分钟内无人接单", moment)
            else:
                task.offer_round += 1
                openids = _offer(session, task, moment)
            code = task.code
            get_runtime().commit(session)
            _write_offer_states(openids, code)
            widened += 1
    return widened


def remind_and_chase(now: datetime | None = None) -> int:
    """Pickup reminders to the assigned volunteer; overdue tasks alert staff."""
    moment = _now(now)
    count = 0
    with get_runtime().session_factory() as session:
        assigned = list(
            session.scalars(select(VolunteerTask).where(VolunteerTask.status == "assigned"))
        )
        for task in assigned:
            policy = policy_for(session, task.community_id)
            due = task.pickup_at - timedelta(minutes=policy.remind_minutes)
            remind = task.reminded_at is None and due <= moment < task.deadline_at
            if remind and _mark(session, task, "reminded_at", moment):
                _remind(session, task, moment, policy.offer_template_id)
                count += 1
            overdue = task.overdue_alerted_at is None and moment > task.deadline_at
            if overdue and _mark(session, task, "overdue_alerted_at", moment):
                alert_staff(session, task, "逾期未送达", moment)
                count += 1
            get_runtime().commit(session)
    return count


def _mark(session: Session, task: VolunteerTask, column: str, moment: datetime) -> bool:
    attr = getattr(VolunteerTask, column)
    done = session.execute(
        update(VolunteerTask)
        .where(VolunteerTask.id == task.id, attr.is_(None), VolunteerTask.status == "assigned")
        .values({column: moment})
        .execution_options(synchronize_session=False)
    )
    return bool(done.rowcount)  # type: ignore[attr-defined]


def _volunteer_resident(session: Session, volunteer_id: int | None) -> Resident | None:
    profile = session.get(VolunteerProfile, volunteer_id) if volunteer_id else None
    return session.get(Resident, profile.resident_id) if profile else None


def _remind(session: Session, task: VolunteerTask, moment: datetime, template_id: str) -> None:
    resident = _volunteer_resident(session, task.volunteer_id)
    canteen = session.get(Canteen, task.canteen_id)
    if resident is None or canteen is None:
        return
    household, _where = address_parts(session, task)
    text = (
        f"提醒：送餐任务 {task.code} 请于{local_hm(task.pickup_at)}到{canteen.pickup}取餐，"
        f"送到{household.address}。送达后回复“送达 {task.code}”。"
    )
    send_task_text(
        session,
        task,
        resident,
        text,
        purpose="task_reminder",
        key=f"remind:{task.volunteer_id}",
        now=moment,
        template_id=template_id,
    )


def ask_receipt(task_id: int, now: datetime | None = None) -> bool:
    """Tell the one who ordered that the meal arrived and let them confirm with "收到"."""
    moment = _now(now)
    with get_runtime().session_factory() as session:
        task = session.get(VolunteerTask, task_id)
        order = session.get(MealOrder, task.order_id) if task and task.order_id else None
        resident = session.get(Resident, order.resident_id) if order else None
        if task is None or resident is None:
            return False
        policy = policy_for(session, task.community_id)
        text = f"您订的餐（{task.code}）已由志愿者送达。收到了请回复“收到”，有问题请回复“转人工”。"
        send_task_text(
            session,
            task,
            resident,
            text,
            purpose="meal_delivered",
            key="receipt",
            now=moment,
            template_id=policy.offer_template_id,
        )
        openid, code = resident.openid, task.code
        get_runtime().commit(session)
    state = DialogueState(flow=RECEIPT_FLOW, step="delivered", data={"carry": {"task_code": code}})
    start_flow(openid, state)
    return True


def tell_cancelled(task_id: int, volunteer_id: int, now: datetime | None = None) -> bool:
    moment = _now(now)
    with get_runtime().session_factory() as session:
        task = session.get(VolunteerTask, task_id)
        resident = _volunteer_resident(session, volunteer_id)
        if task is None or resident is None:
            return False
        policy = policy_for(session, task.community_id)
        send_task_text(
            session,
            task,
            resident,
            f"送餐任务 {task.code} 已取消，不用再送了，谢谢您！",
            purpose="task_cancelled",
            key=f"cancelled:{volunteer_id}",
            now=moment,
            template_id=policy.offer_template_id,
        )
        get_runtime().commit(session)
    return True


def tell_not_received(task_id: int, now: datetime | None = None) -> bool:
    """The canteen's group hears that a meal reported delivered has not arrived."""
    moment = _now(now)
    with get_runtime().session_factory() as session:
        task = session.get(VolunteerTask, task_id)
        if task is None:
            return False
        alert_staff(session, task, NOT_RECEIVED, moment)
        get_runtime().commit(session)
    return True


def tick(now: datetime | None = None) -> dict[str, Any]:
    """The periodic entry point."""
    return {
        "unoffered": offer_unoffered(now),
        "widened": widen_offers(now),
        "reminded_or_chased": remind_and_chase(now),
    }
