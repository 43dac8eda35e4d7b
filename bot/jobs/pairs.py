"""RQ jobs of 结对帮扶: remind the volunteer by chat when a visit is due (within the
channels' limits, through storage/outbound/notify.py), and tell the grid worker's group
once when a visit is missed (past the cadence plus the grace days). Each takes `now=` so
tests run it under a controlled clock; each pair's work commits on its own."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot.runtime import get_runtime
from storage.clock import in_china
from storage.clock import now as clock_now
from storage.events import record_event
from storage.models import Pair, Resident, VolunteerProfile
from storage.outbound.deliveries import plan_delivery
from storage.outbound.notify import Template, notify
from storage.outbound.queues import grid_queue_name
from storage.pairs.queries import active_pairs
from storage.pairs.service import TEMPLATE_ID, due_at, members
from storage.requests.rules import local_label
from storage.residents.queries import group_channel
from storage.writes import update_if

# The reminder goes out this long before the visit is due, and only in the daytime
# (China time): volunteers, often elderly themselves, are not woken at night.
REMIND_BEFORE = timedelta(days=1)
DAYTIME = range(8, 20)


def _day(moment: datetime) -> str:
    return local_label(moment).split(" ")[0]


def _who(session: Session, pair: Pair) -> str:
    return "、".join(r.name or "居民" for r in members(session, pair)) or "结对对象"


def remind(session: Session, pair: Pair, due: datetime, moment: datetime) -> bool:
    """The volunteer's reminder for the visit due at `due`, once."""
    if not update_if(
        session,
        Pair,
        Pair.id == pair.id,
        Pair.status == "active",
        (Pair.reminded_for.is_(None)) | (Pair.reminded_for != due),
        reminded_for=due,
    ):
        return False
    profile = session.get(VolunteerProfile, pair.volunteer_id) if pair.volunteer_id else None
    person = session.get(Resident, profile.resident_id) if profile else None
    if person is None or profile is None or profile.status != "active" or not person.subscribed:
        return False  # nobody to remind: the missed-visit alert will tell the grid worker
    text = (
        f"结对提醒：{_who(session, pair)}（{pair.code}，{pair.kind}）该探访了，"
        f"请在{_day(due)}前上门或打个电话。之后回复“探访 {pair.code} 一切都好”，"
        f"有困难回复“探访 {pair.code} 需要帮忙：…”。"
    )
    notify(
        session,
        person,
        text,
        purpose="pair_reminder",
        key=f"pair:{pair.id}:remind:{due.isoformat()}",
        queue=grid_queue_name(pair.grid_id),
        now=moment,
        template=Template(TEMPLATE_ID, {"first": text, "keyword1": pair.code}),
    )
    return True


def alert_missed(session: Session, pair: Pair, due: datetime, moment: datetime) -> bool:
    """The grid's work group (the community's when the grid has none) hears once that
    the visit due at `due` was missed."""
    if not update_if(
        session,
        Pair,
        Pair.id == pair.id,
        Pair.status == "active",
        (Pair.alerted_for.is_(None)) | (Pair.alerted_for != due),
        alerted_for=due,
    ):
        return False
    record_event(
        session,
        "pair",
        pair.id,
        actor="scheduler",
        to_state="missed",
        note=f"应在{_day(due)}前探访",
    )
    channel = group_channel(session, "grid", pair.grid_id, "wecom_robot") if pair.grid_id else None
    if channel is None:
        channel = group_channel(session, "community", pair.community_id, "wecom_robot")
    if channel is None:
        return True
    profile = session.get(VolunteerProfile, pair.volunteer_id) if pair.volunteer_id else None
    person = session.get(Resident, profile.resident_id) if profile else None
    volunteer = person.name if person is not None and person.name else "志愿者"
    last = _day(pair.last_visit_at) if pair.last_visit_at else "还没有探访过"
    text = (
        f"【结对探访逾期】{pair.code}（{pair.kind}·{_who(session, pair)}）应在{_day(due)}前探访，"
        f"志愿者{volunteer}还没有记录。上次探访：{last}。请联系志愿者或安排上门看看。"
    )
    plan_delivery(
        session,
        channel="wecom_robot",
        recipient=channel.target,
        purpose="pair_missed",
        payload={"text": text},
        idempotency_key=f"pair:{pair.id}:missed:{due.isoformat()}",
        queue=grid_queue_name(pair.grid_id),
    )
    return True


def tick(now: datetime | None = None) -> dict[str, Any]:
    """The periodic entry point: reminders and missed-visit alerts of active pairs."""
    moment = now or clock_now()
    runtime = get_runtime()
    counts = {"reminded": 0, "missed": 0}
    with runtime.session_factory() as session:
        ids = [pair.id for pair in active_pairs(session)]
    for pair_id in ids:
        with runtime.session_factory() as session:
            pair = session.get(Pair, pair_id)
            due = due_at(pair) if pair is not None else None
            if pair is None or due is None:
                continue
            daytime = in_china(moment).hour in DAYTIME
            if moment > due + timedelta(days=pair.grace_days):
                counts["missed"] += alert_missed(session, pair, due, moment)
            elif daytime and moment >= due - REMIND_BEFORE and remind(session, pair, due, moment):
                counts["reminded"] += 1
            runtime.commit(session)
    return counts
