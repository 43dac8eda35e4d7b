"""meal_request: order from the canteen by chat (when, how many, for which household,
dietary note), confirmed before it is placed; "取消订餐" before the cut-off.

The meal flow (declared in handlers/registry.py) has three steps: "when" (哪天哪一顿),
"address" (only the part of the named address that is missing) and "confirm". The address
named in the order is used; the orderer's home only when no address is named, and then it
is shown in the confirmation so it can be corrected."""

from __future__ import annotations

import re
from datetime import date, timedelta

from handlers.address import FLOW as ADDRESS_FLOW
from handlers.base import Context, Reply
from handlers.context import is_affirmative
from handlers.dialogue import DialogueState
from handlers.flows import in_flow, start
from handlers.volunteers import texts
from handlers.volunteers.common import MEAL_FLOW, FeatureHandler, community_id, text_of
from handlers.volunteers.meal_address import (
    answer_parts,
    means_home,
    named_parts,
    resolve,
    spoken,
)
from nlp import normalize
from nlp.timeexpr import extract_when
from storage.clock import china_today
from storage.models import Household
from storage.requests.rules import deadline_label
from storage.volunteers.orders import place_order
from storage.volunteers.tasks import canteen_for, local_hm, order_cutoff, when_label

NUMERALS = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "俩": 2}
COUNT = re.compile(r"(\d{1,2}|[一两二三四五俩])\s*(?:份|盒|人份|个人)")
CONFIRM = re.compile(r"^(确认|确定|下单|对的?|没问题|好的?|可以|行)[。！!]?$")
MAX_COUNT = 5
MAX_ADDRESS_TRIES = 3
# Clearly a new request, not an answer to the meal questions: the flow lets it go.
OTHER_REQUESTS = frozenset(
    {
        "report_problem",
        "status_query",
        "human",
        "consult",
        "job_seek",
        "job_apply",
        "volunteer_signup",
        "greeting_help",
    }
)
LET_GO_CONFIDENCE = 0.6
# A message naming a day (今天, 明天, 周三, 12月9日); 「中午」 alone does not.
DAY_WORDS = re.compile(r"[今明后]|周|星期|礼拜|月|日|号|天")
EXAMPLES = {"building": "8号楼", "unit": "1单元", "room": "402"}
# A dietary wish said with the order itself (「明天中午送两份饭 少放盐」) becomes its note.
DIET = re.compile(
    r"(?:少|不要|不放|别放|免|无|不加)(?:放|加)?(?:盐|油|辣椒?|糖|葱|香菜|蒜|味精)"
    r"|不吃(?:辣|葱|蒜|香菜|海鲜|牛肉|羊肉|猪肉|肉|鱼)"
    r"|清淡(?:一?点|些)?|(?:软|烂)(?:一?点|些)|素食"
)


def parse_count(text: str) -> int | None:
    match = COUNT.search(text)
    if not match:
        return None
    raw = match.group(1)
    return int(raw) if raw.isdigit() else NUMERALS[raw]


def when_of(ctx: Context) -> dict[str, str]:
    """The meal date and slot the message names, in China time. nlp only keeps them for
    meal-like intents, so a bare 「明天中午」 (read as unknown) is parsed here again."""
    entities = dict(ctx.understood.entities)
    if not entities.get("when_date") or not entities.get("when_slot"):
        found = extract_when(normalize(text_of(ctx)), china_today(ctx.now))
        entities = {**found, **{k: v for k, v in entities.items() if v}}
    out = {}
    if entities.get("when_date"):
        out["date"] = str(entities["when_date"])
    if entities.get("when_slot"):
        out["slot"] = str(entities["when_slot"])
    return out


def day_label(day: date, ctx: Context) -> str:
    """ "12月8日（明天）"."""
    today = china_today(ctx.now)
    names = {today: "今天", today + timedelta(days=1): "明天", today + timedelta(days=2): "后天"}
    name = names.get(day)
    return f"{day.month}月{day.day}日" + (f"（{name}）" if name else "")


def _parts(data: dict[str, object]) -> dict[str, str]:
    """The address parts known so far (stored in the dialogue state)."""
    raw = data.get("place")
    return {str(k): str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}


class MealOrderHandler(FeatureHandler):
    name = "meal_order"
    intents = frozenset({"meal_request"})
    flows = frozenset({MEAL_FLOW})

    def matches(self, ctx: Context) -> bool:
        if not super().matches(ctx):
            return False
        if in_flow(ctx, MEAL_FLOW):
            return not self._clearly_other(ctx)
        return True

    @staticmethod
    def _clearly_other(ctx: Context) -> bool:
        """「3号楼楼道灯坏了」 while confirming an order is a report, not a dietary note."""
        understood = ctx.understood
        return (
            understood.intent in OTHER_REQUESTS
            and understood.confidence >= LET_GO_CONFIDENCE
            and not when_of(ctx)
            and parse_count(text_of(ctx)) is None
        )

    def handle(self, ctx: Context) -> Reply:
        if ctx.dialogue is not None and ctx.dialogue.flow == MEAL_FLOW:
            return self._continue(ctx, dict(ctx.dialogue.data))
        text = text_of(ctx)
        note = "，".join(m.group(0) for m in DIET.finditer(text))[:100]
        data: dict[str, object] = {"count": min(parse_count(text) or 1, MAX_COUNT), "note": note}
        data.update(when_of(ctx))
        named = named_parts(ctx)
        if named:
            data["place"] = named
            return self._place_or_ask(ctx, data)
        household = ctx.resident.household
        if household is None:
            ctx.next_dialogue = DialogueState(
                flow=ADDRESS_FLOW,
                step="awaiting_address",
                data={"tries": 0, "resume": {"intent": "meal_request", "text": text}},
            )
            return Reply(texts.MEAL_ASK_ADDRESS)
        data["household_id"] = household.id
        return self._next(ctx, data)

    def _continue(self, ctx: Context, data: dict[str, object]) -> Reply:
        text = text_of(ctx)
        step = ctx.dialogue.step if ctx.dialogue else ""
        if step == "address":
            return self._address_answer(ctx, data)
        when = when_of(ctx)
        if data.get("date") and not data.get("slot") and not DAY_WORDS.search(text):
            when.pop("date", None)  # 「中午」 after 「明天」: the day already said stands
        named = named_parts(ctx)
        ready = data.get("date") and data.get("slot") and data.get("household_id")
        if ready and not when and not named and (CONFIRM.match(text) or is_affirmative(text)):
            return self._place(ctx, data)
        data.update(when)
        count = parse_count(text)
        if count:
            data["count"] = min(count, MAX_COUNT)
        if named:  # 「送到8号楼2单元402」: a new address for this order
            data["place"] = named
            return self._place_or_ask(ctx, data)
        if means_home(text) and ctx.resident.household is not None:
            data["household_id"] = ctx.resident.household.id
            return self._next(ctx, data)
        note = COUNT.sub("", text).strip(" ，,。.")
        if note and not when and not CONFIRM.match(note):
            data["note"] = note[:100]
        return self._next(ctx, data)

    def _address_answer(self, ctx: Context, data: dict[str, object]) -> Reply:
        """The answer to 「送到8号楼几单元402？」: the missing part (or a whole address)."""
        known = _parts(data)
        data.update(when_of(ctx))
        count = parse_count(text_of(ctx))
        if count:
            data["count"] = min(count, MAX_COUNT)
        given = answer_parts(ctx, known)
        if not given and means_home(text_of(ctx)) and ctx.resident.household is not None:
            data.pop("place", None)
            data["household_id"] = ctx.resident.household.id
            return self._next(ctx, data)
        if not given:
            return self._ask_place(ctx, data, known, "")
        data["place"] = {**known, **given}
        return self._place_or_ask(ctx, data)

    def _place_or_ask(self, ctx: Context, data: dict[str, object]) -> Reply:
        place = resolve(ctx.session, community_id(ctx), _parts(data), ctx.resident.household)
        if place.household is not None:
            data.pop("place", None)
            data.pop("address_tries", None)
            data["household_id"] = place.household.id
            return self._next(ctx, data)
        return self._ask_place(ctx, data, place.parts, place.question)

    def _ask_place(
        self, ctx: Context, data: dict[str, object], known: dict[str, str], question: str
    ) -> Reply:
        tries = int(str(data.get("address_tries") or 0)) + 1
        if tries > MAX_ADDRESS_TRIES:
            ctx.next_dialogue = None
            return Reply(texts.MEAL_ADDRESS_GAVE_UP)
        data["address_tries"] = tries
        data["place"] = known
        # The home is no default while another address is being completed.
        data.pop("household_id", None)
        start(ctx, MEAL_FLOW, "address", **data)
        missing = next((k for k in ("building", "unit", "room") if k not in known), "room")
        hint = texts.MEAL_ADDRESS_HINT.format(example=EXAMPLES[missing])
        if ctx.resident.household is not None:
            hint += texts.MEAL_ADDRESS_HOME
        return Reply(f"{question or f'送到{spoken(known)}？'}\n{hint}")

    def _next(self, ctx: Context, data: dict[str, object]) -> Reply:
        canteen = canteen_for(ctx.session, community_id(ctx))
        if canteen is None:
            ctx.next_dialogue = None
            return Reply(texts.NO_CANTEEN)
        if not data.get("date") or not data.get("slot"):
            ctx.next_dialogue = DialogueState(flow=MEAL_FLOW, step="when", data=data)
            if data.get("date"):  # 「明天」: only which meal is missing
                day = date.fromisoformat(str(data["date"]))
                return Reply(texts.ASK_SLOT.format(day=day_label(day, ctx)))
            return Reply(texts.ASK_WHEN)
        meal_date, slot = date.fromisoformat(str(data["date"])), str(data["slot"])
        cutoff = order_cutoff(canteen, meal_date, slot)
        when = when_label(meal_date, slot, ctx.now, relative=True)
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
                when=when_label(meal_date, slot, ctx.now, relative=True),
                count=order.count,
                address=household.address,
                # With the day: 「09:30前」 alone reads as today's when the meal is tomorrow.
                cutoff=deadline_label(cutoff, ctx.now),
            )
        )
