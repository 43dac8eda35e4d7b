"""State changes of 结对帮扶: creating a pair, assigning its volunteer, recording a visit
(a need in it becomes a request), newcomers and their neighbour pair, family links.
Nothing here commits; the caller's unit of work does."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.clock import in_china
from storage.events import record_event
from storage.models import (
    Household,
    Pair,
    PairMember,
    Resident,
    ServiceRequest,
    Visit,
    VolunteerProfile,
)
from storage.outbound.notify import Template, notify
from storage.outbound.queues import grid_queue_name
from storage.pairs.models import DEFAULT_CADENCE, KINDS
from storage.requests.service import NewRequest, create_request
from storage.writes import update_if

MODE_LABELS = {"visit": "探访", "call": "电话"}
STATUS_LABELS = {"pending": "待安排志愿者", "active": "结对中", "ended": "已结束"}
TEMPLATE_ID = "pair_visit"


class PairError(ValueError):
    """A pair change refused, with the reason in plain Chinese."""


def _day(moment: datetime) -> str:
    local = in_china(moment)
    return f"{local.month}月{local.day}日"


def create_pair(
    session: Session,
    *,
    community_id: int,
    kind: str,
    residents: list[Resident],
    volunteer: VolunteerProfile | None,
    cadence_days: int | None,
    actor: str,
    now: datetime,
    note: str | None = None,
) -> Pair:
    if kind not in KINDS:
        raise PairError(f"结对类型只能是：{'、'.join(KINDS)}")
    if not residents:
        raise PairError("请至少选择一位帮扶对象")
    cadence = cadence_days or DEFAULT_CADENCE[kind]
    if not 1 <= cadence <= 90:
        raise PairError("探访周期应在1到90天之间")
    household = residents[0].household
    pair = Pair(
        community_id=community_id,
        grid_id=household.grid_id if household is not None else None,
        kind=kind,
        status="pending",
        cadence_days=cadence,
        note=note or None,
        created_by=actor,
        created_at=now,
    )
    session.add(pair)
    session.flush()
    for resident in residents:
        session.add(PairMember(pair_id=pair.id, resident_id=resident.id))
    names = "、".join(r.name or "居民" for r in residents)
    record_event(session, "pair", pair.id, actor=actor, to_state="pending", note=f"{kind}：{names}")
    session.flush()
    if volunteer is not None:
        assign_volunteer(session, pair, volunteer, actor=actor, now=now)
    return pair


def members(session: Session, pair: Pair) -> list[Resident]:
    query = (
        select(Resident)
        .join(PairMember, PairMember.resident_id == Resident.id)
        .where(PairMember.pair_id == pair.id)
        .order_by(PairMember.id)
    )
    return list(session.scalars(query))


def assign_volunteer(
    session: Session, pair: Pair, volunteer: VolunteerProfile, *, actor: str, now: datetime
) -> None:
    """Give a pending pair its volunteer (or hand an active one to another volunteer);
    the volunteer is told by chat, and a newcomer hears that a neighbour was found."""
    if volunteer.status != "active":
        raise PairError("这位志愿者现在不在岗，请选择其他志愿者")
    if pair.status == "ended":
        raise PairError(f"结对 {pair.code} 已结束")
    previous, seen = pair.volunteer_id, pair.status
    changed = update_if(
        session,
        Pair,
        Pair.id == pair.id,
        Pair.status == seen,
        volunteer_id=volunteer.id,
        status="active",
        started_at=pair.started_at or now,
    )
    if not changed:
        raise PairError(f"结对 {pair.code} 刚被其他人修改，请刷新后再试")
    session.refresh(pair)
    record_event(
        session,
        "pair",
        pair.id,
        actor=actor,
        from_state=f"volunteer:{previous}" if previous else seen,
        to_state=f"volunteer:{volunteer.id}",
        note="安排志愿者",
    )
    _tell_assigned(session, pair, volunteer, now)


def end_pair(session: Session, pair: Pair, *, actor: str, reason: str) -> None:
    """End a pair (moved away, found work, no longer needed): no more reminders."""
    seen = pair.status
    if seen == "ended" or not update_if(
        session, Pair, Pair.id == pair.id, Pair.status == seen, status="ended"
    ):
        raise PairError(f"结对 {pair.code} 已结束")
    session.refresh(pair)
    record_event(
        session, "pair", pair.id, actor=actor, from_state=seen, to_state="ended", note=reason[:200]
    )


def _tell_assigned(
    session: Session, pair: Pair, volunteer: VolunteerProfile, now: datetime
) -> None:
    helped = members(session, pair)
    person = session.get(Resident, volunteer.resident_id)
    if person is not None:
        who = "、".join(f"{r.name or '居民'}（{_address(r)}）" for r in helped)
        text = (
            f"您已与{who}结对（{pair.code}，{pair.kind}），请每{pair.cadence_days}天探访或电话一次。"
            f"探访后回复“探访 {pair.code} 一切都好”，有困难回复“探访 {pair.code} 需要帮忙：…”。"
        )
        _send(session, pair, person, text, "pair_assigned", f"assigned:{volunteer.id}", now)
    if pair.kind == "新邻居":
        name = person.name if person is not None and person.name else "一位邻居志愿者"
        for resident in helped:
            text = f"已为您安排邻居志愿者{name}，会尽快和您联系，帮您熟悉社区。"
            _send(session, pair, resident, text, "pair_newcomer", f"newcomer:{resident.id}", now)


def _address(resident: Resident) -> str:
    return resident.household.address if resident.household is not None else "未登记住址"


def _send(
    session: Session,
    pair: Pair,
    resident: Resident,
    text: str,
    purpose: str,
    key: str,
    now: datetime,
) -> None:
    if not resident.subscribed:
        return
    notify(
        session,
        resident,
        text,
        purpose=purpose,
        key=f"pair:{pair.id}:{key}",
        queue=grid_queue_name(pair.grid_id),
        now=now,
        template=Template(TEMPLATE_ID, {"first": text}),
    )


def due_at(pair: Pair) -> datetime | None:
    """When the next visit is due (None while no volunteer is assigned)."""
    start = pair.last_visit_at or pair.started_at
    return start + timedelta(days=pair.cadence_days) if start is not None else None


def is_overdue(pair: Pair, now: datetime) -> bool:
    due = due_at(pair)
    return (
        pair.status == "active" and due is not None and now > due + timedelta(days=pair.grace_days)
    )


@dataclass(frozen=True)
class NewVisit:
    mode: str  # visit | call
    text: str  # the reply as sent
    note: str | None
    need: str | None
    category: str = "其他"
    inbound_message_id: int | None = None


def record_visit(
    session: Session,
    pair: Pair,
    volunteer: VolunteerProfile,
    new: NewVisit,
    *,
    actor: str,
    now: datetime,
) -> Visit:
    """Store the visit; a need in it becomes a request for the grid, linked to the visit
    (the volunteer, who raised it, hears of its progress)."""
    visit = Visit(
        pair_id=pair.id,
        volunteer_id=volunteer.id,
        mode=new.mode,
        text=new.text,
        note=new.note,
        need=new.need,
        inbound_message_id=new.inbound_message_id,
        recorded_by=actor,
        visited_at=now,
    )
    session.add(visit)
    session.flush()
    if new.need:
        visit.request_id = _request_for_need(session, pair, volunteer, new, now, actor).id
    update_if(session, Pair, Pair.id == pair.id, last_visit_at=now)
    session.refresh(pair)
    label = MODE_LABELS.get(new.mode, new.mode)
    record_event(
        session, "pair", pair.id, actor=actor, to_state="visited", note=f"{label}：{new.text[:200]}"
    )
    return visit


def _request_for_need(
    session: Session,
    pair: Pair,
    volunteer: VolunteerProfile,
    new: NewVisit,
    now: datetime,
    actor: str,
) -> ServiceRequest:
    helped = members(session, pair)
    first = helped[0] if helped else None
    household: Household | None = first.household if first is not None else None
    names = "、".join(r.name or "居民" for r in helped)
    label = MODE_LABELS.get(new.mode, new.mode)
    return create_request(
        session,
        NewRequest(
            community_id=pair.community_id,
            grid_id=pair.grid_id,
            building_id=household.unit.building_id if household is not None else None,
            household_id=household.id if household is not None else None,
            location=household.address if household is not None else "结对帮扶对象",
            category=new.category,
            description=f"结对{label} {pair.code}（{pair.kind}·{names}）：{new.need}",
            urgent=False,
            resident_id=volunteer.resident_id,
            source="pair_visit",
            inbound_message_id=new.inbound_message_id,
        ),
        actor=actor,
        now=now,
    )
