"""Who a poll asks, and how each household can be reached: by chat (the customer-service
window or a template message, as `storage.outbound.platform_rules` allows) or only by a
phone call from the grid worker (nobody in the household uses the official account, they
unsubscribed or replied 退订, or the window is closed and no template can be sent).

A population is households: care tags live on the household, and the practice phones a
household, not a person."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import (
    Building,
    Household,
    MealOrder,
    Pair,
    PairMember,
    Resident,
    Unit,
    VolunteerTask,
)
from storage.outbound.platform_rules import planned_channel
from storage.polls.models import PollOptOut

KINDS = {
    "care": "关怀对象家庭（按标签）",
    "service": "服务对象（近90天有助餐订单或送餐服务，或在结对帮扶中）",
    "everyone": "全部住户",
}
# Cadence from practice (T社区): care-tagged households and service recipients at least
# monthly, everyone else at least every two months.
DEFAULT_CADENCE = {"care": 30, "service": 30, "everyone": 60}
SERVICE_LOOKBACK = timedelta(days=90)

CHANNEL_LABELS = {
    "customer_service": "客服消息（48小时内互动过）",
    "template": "模板消息",
    "phone": "电话回访",
}
NO_WECHAT = "无微信"
UNSUBSCRIBED = "未关注公众号"
OPTED_OUT = "已退订微信民调"
WINDOW_CLOSED = "超过48小时未互动且不能发模板消息"
NO_ANSWER = "微信未回复"
NOT_FINISHED = "微信未答完"


@dataclass(frozen=True)
class Member:
    household_id: int
    grid_id: int
    building_id: int
    building: str
    address: str
    tags: tuple[str, ...]
    resident_id: int | None  # who is asked by chat (None: phone only)
    channel: str  # customer_service | template | phone
    phone_reason: str | None


def _households(
    session: Session, community_id: int, population: dict[str, Any], grid_ids: list[int] | None
):
    query = (
        select(Household, Unit.number, Building)
        .join(Unit, Household.unit_id == Unit.id)
        .join(Building, Unit.building_id == Building.id)
        .where(Building.community_id == community_id)
        .order_by(Building.id, Unit.number, Household.room)
    )
    if grid_ids is not None:
        query = query.where(Building.grid_id.in_(grid_ids))
    building_ids = [int(b) for b in population.get("building_ids") or []]
    if building_ids:
        query = query.where(Building.id.in_(building_ids))
    return session.execute(query).all()


def _service_households(session: Session, now: datetime) -> set[int]:
    since = now - SERVICE_LOOKBACK
    orders = select(MealOrder.household_id).where(MealOrder.created_at >= since)
    tasks = select(VolunteerTask.household_id).where(VolunteerTask.pickup_at >= since)
    paired = (
        select(Resident.household_id)
        .join(PairMember, PairMember.resident_id == Resident.id)
        .join(Pair, Pair.id == PairMember.pair_id)
        .where(Pair.status != "ended")
    )
    found = session.scalars(orders.union(tasks, paired))
    return {int(h) for h in found if h is not None}


def _chat_residents(session: Session, household_ids: list[int]) -> dict[int, list[Resident]]:
    found: dict[int, list[Resident]] = {}
    for start in range(0, len(household_ids), 900):
        chunk = household_ids[start : start + 900]
        query = select(Resident).where(Resident.household_id.in_(chunk)).order_by(Resident.id)
        for resident in session.scalars(query):
            found.setdefault(int(resident.household_id or 0), []).append(resident)
    return found


def _opted_out(session: Session, resident_ids: list[int]) -> set[int]:
    found: set[int] = set()
    for start in range(0, len(resident_ids), 900):
        chunk = resident_ids[start : start + 900]
        query = select(PollOptOut.resident_id).where(PollOptOut.resident_id.in_(chunk))
        found.update(session.scalars(query))
    return found


def members(
    session: Session,
    community_id: int,
    population: dict[str, Any],
    grid_ids: list[int] | None,
    *,
    now: datetime,
    template_ok: bool,
) -> list[Member]:
    """Every household of the community's population (within `grid_ids`, None = all) and
    its channel."""
    kind = population.get("kind", "care")
    wanted_tags = set(population.get("tags") or [])
    chosen_grids = [int(g) for g in population.get("grid_ids") or []]
    scope = chosen_grids or grid_ids
    if grid_ids is not None and chosen_grids:
        scope = [g for g in chosen_grids if g in grid_ids]
    rows = _households(session, community_id, population, scope)
    service = _service_households(session, now) if kind == "service" else set()
    picked = []
    for household, unit_number, building in rows:
        tags = tuple(household.tags or ())
        if kind == "care" and not (wanted_tags & set(tags) if wanted_tags else tags):
            continue
        if kind == "service" and household.id not in service:
            continue
        picked.append((household, unit_number, building, tags))
    people = _chat_residents(session, [h.id for h, *_ in picked])
    opted_out = _opted_out(session, [r.id for group in people.values() for r in group])
    result = []
    for household, unit_number, building, tags in picked:
        channel, reason, resident_id = _reach(
            people.get(household.id, []), opted_out, now, template_ok
        )
        result.append(
            Member(
                household_id=household.id,
                grid_id=building.grid_id,
                building_id=building.id,
                building=building.number,
                address=f"{building.number}号楼{unit_number}单元{household.room}",
                tags=tags,
                resident_id=resident_id,
                channel=channel,
                phone_reason=reason,
            )
        )
    return result


def _reach(
    residents: list[Resident], opted_out: set[int], now: datetime, template_ok: bool
) -> tuple[str, str | None, int | None]:
    """(channel, why only a phone call reaches them, the resident asked by chat)."""
    if not residents:
        return "phone", NO_WECHAT, None
    subscribed = [r for r in residents if r.subscribed]
    if not subscribed:
        return "phone", UNSUBSCRIBED, residents[0].id
    willing = [r for r in subscribed if r.id not in opted_out]
    if not willing:
        return "phone", OPTED_OUT, subscribed[0].id
    # The one who wrote to the account most recently: the likeliest to see it and answer.
    willing.sort(key=lambda r: r.last_message_at or datetime.min.replace(tzinfo=now.tzinfo))
    best = willing[-1]
    channel = planned_channel(
        best.last_message_at, best.cs_quota_used, now, template_allowed=template_ok, reserved=1
    )
    if channel is None:
        return "phone", WINDOW_CLOSED, best.id
    return channel, None, best.id


def channel_counts(found: list[Member]) -> dict[str, Any]:
    """The preview: households per channel and, for the phone list, per reason."""
    by_channel = Counter(m.channel for m in found)
    reasons = Counter(m.phone_reason for m in found if m.phone_reason)
    return {
        "total": len(found),
        "channels": [
            {"channel": c, "label": CHANNEL_LABELS[c], "count": by_channel.get(c, 0)}
            for c in CHANNEL_LABELS
        ],
        "phone_reasons": [{"reason": r, "count": n} for r, n in reasons.most_common()],
    }
