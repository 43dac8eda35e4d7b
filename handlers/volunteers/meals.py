"""meal_request: order from the canteen by chat (when, how many, for which household,
dietary note), confirmed before it is placed; "取消订餐" before the cut-off."""

from __future__ import annotations

import re
from datetime import date

from handlers.address import ADDRESS_KEYS
from handlers.address import FLOW as ADDRESS_FLOW
from handlers.base import Context, Reply
from handlers.context import is_affirmative
from handlers.dialogue import DialogueState
from handlers.volunteers import texts
from handlers.volunteers.common import MEAL_FLOW, FeatureHandler, community_id, text_of
from storage.models import Household
from storage.residents import find_household
from storage.volunteer_tasks import (
    canteen_for,
    local_hm,
    order_cutoff,
    place_order,
    when_label,
)

NUMERALS = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "俩": 2}
COUNT = re.compile(r"(\d{1,2}|[一两二三四五俩])\s*(?:份|盒|人份|个人)")
CONFIRM = re.compile(r"^(确认|确定|下单|对的?|没问题|好的?|可以|行)[。！!]?$")
MAX_COUNT = 5


def parse_count(text: str) -> int | None:
    match = COUNT.search(text)
    if not match:
        return None
    raw = match.group(1)
    return int(raw) if raw.isdigit() else NUMERALS[raw]


class MealOrderHandler(FeatureHandler):
    name = "meal_order"
    intents = frozenset({"meal_request"})
    flows = frozenset({MEAL_FLOW})

    def handle(self, ctx: Context) -> Reply:
        if ctx.dialogue is not None and ctx.dialogue.flow == MEAL_FLOW:
            return self._continue(ctx, dict(ctx.dialogue.data))
        household = self._household(ctx)
        if household is None:
            ctx.next_dialogue = DialogueState(
                flow=ADDRESS_FLOW,
                step="awaiting_address",
                data={"tries": 0, "resume": {"intent": "meal_request", "text": text_of(ctx)}},
            )
            return Reply(texts.MEAL_ASK_ADDRESS)
        text = text_of(ctx)
        data = {
            "household_id": household.id,
            "count": min(parse_count(text) or 1, MAX_COUNT),
            "note": "",
        }
        data.update(self._when(ctx))
        return self._next(ctx, data)

    def _household(self, ctx: Context) -> Household | None:
        entities = ctx.understood.entities
        if all(entities.get(k) for k in ADDRESS_KEYS):
            found = find_household(
                ctx.session, community_id(ctx), *(str(entities[k]) for k in ADDRESS_KEYS)
            )
            if found is not None:
                return found  # a family member ordering for another household
        return ctx.resident.household

    @staticmethod
    def _when(ctx: Context) -> dict[str, str]:
        entities = ctx.understood.entities
        out = {}
        if entities.get("when_date"):
            out["date"] = str(entities["when_date"])
        if entities.get("when_slot"):
            out["slot"] = str(entities["when_slot"])
        return out

    def _continue(self, ctx: Context, data: dict[str, object]) -> Reply:
        text = text_of(ctx)
        if data.get("date") and data.get("slot") and (CONFIRM.match(text) or is_affirmative(text)):
            return self._place(ctx, data)
        data.update(self._when(ctx))
        count = parse_count(text)
        if count:
            data["count"] = min(count, MAX_COUNT)
        note = COUNT.sub("", text).strip(" ，,。.")
        if note and not self._when(ctx) and not CONFIRM.match(note):
            data["note"] = note[:100]
        return self._next(ctx, data)

    def _next(self, ctx: Context, data: dict[str, object]) -> Reply:
        canteen = canteen_for(ctx.session, community_id(ctx))
        if canteen is None:
            ctx.next_dialogue = None
            return Reply(texts.NO_CANTEEN)
        if not data.get("date") or not data.get("slot"):
            ctx.next_dialogue = DialogueState(flow=MEAL_FLOW, step="when", data=data)
            return Reply(texts.ASK_WHEN)
        meal_date, slot = date.fromisoformat(str(data["date"])), str(data["slot"])
        cutoff = order_cutoff(canteen, meal_date, slot)
        when = when_label(meal_date, slot, ctx.now)
        if ctx.now > cutoff:
            data.pop("date", None)
            data.pop("slot", None)
            ctx.next_dialogue = DialogueState(flow=MEAL_FLOW, step="when", data=data)
            return Reply(texts.PAST_CUTOFF.format(when=when, cutoff=local_hm(cutoff)))
        household = ctx.session.get(Household, int(str(data["household_id"])))
        assert household is not None
        ctx.next_dialogue = DialogueState(flow=MEAL_FLOW, step="confirm", data=data)
        return Reply(
            texts.CONFIRM_ORDER.format(
                when=when,
                count=data["count"],
                address=household.address,
                note=f"\n备注：{data['note']}" if data.get("note") else "",
            )
        )

    def _place(self, ctx: Context, data: dict[str, object]) -> Reply:
        canteen = canteen_for(ctx.session, community_id(ctx))
        household = ctx.session.get(Household, int(str(data["household_id"])))
        assert canteen is not None and household is not None
        meal_date, slot = date.fromisoformat(str(data["date"])), str(data["slot"])
        cutoff = order_cutoff(canteen, meal_date, slot)
        if ctx.now > cutoff:
            return self._next(ctx, data)
        order = place_order(
            ctx.session,
            resident=ctx.resident,
            household=household,
            canteen=canteen,
            meal_date=meal_date,
            slot=slot,
            count=int(str(data["count"])),
            note=str(data.get("note") or "") or None,
            now=ctx.now,
        )
        ctx.next_dialogue = None
        return Reply(
            texts.ORDER_PLACED.format(
                code=order.code,
                when=when_label(meal_date, slot, ctx.now),
                count=order.count,
                address=household.address,
                cutoff=local_hm(cutoff),
            )
        )
