"""register_address: bind a resident to a household (户), asking until it is right."""

from __future__ import annotations

from handlers import confirm, texts
from handlers.base import Context, IntentHandler, Reply
from handlers.dialogue import DialogueState
from handlers.pairs import newcomer
from storage.events import record_event
from storage.residents.queries import building_exists, community_for_account, find_household

FLOW = "register_address"
MAX_TRIES = 3
ADDRESS_KEYS = ("building", "unit", "room")
PART_NAMES = {"building": "楼号", "unit": "单元号", "room": "房号"}


def has_address(ctx: Context) -> bool:
    return any(key in ctx.understood.entities for key in ADDRESS_KEYS)


class RegisterAddressHandler(IntentHandler):
    name = "register_address"
    intents = frozenset({"register_address"})
    flows = frozenset({FLOW})

    def matches(self, ctx: Context) -> bool:
        if ctx.message.msg_type == "event" and (ctx.message.event or "").lower() != "click":
            return False
        if ctx.dialogue is not None and ctx.dialogue.flow == FLOW:
            # A clear request for something else leaves the flow; an address or noise stays.
            return has_address(ctx) or ctx.understood.intent in ("register_address", "unknown")
        return ctx.understood.intent in self.intents

    def handle(self, ctx: Context) -> Reply:
        tries = ctx.dialogue.data.get("tries", 0) if ctx.dialogue else 0
        if not has_address(ctx):
            return self._ask_again(ctx, tries, texts.ASK_ADDRESS)
        # Parts given in earlier answers ("8号楼", then "1单元402") are kept, not asked again.
        dialogue = ctx.dialogue if ctx.dialogue and ctx.dialogue.flow == FLOW else None
        entities = dict(dialogue.data.get("parts") or {}) if dialogue else {}
        new = ctx.understood.entities
        entities.update({key: new[key] for key in ADDRESS_KEYS if new.get(key)})
        missing = [PART_NAMES[key] for key in ADDRESS_KEYS if not entities.get(key)]
        if missing:
            return self._ask_again(
                ctx,
                tries + 1,
                texts.ADDRESS_INCOMPLETE.format(missing="、".join(missing)),
                parts=entities,
            )
        community = community_for_account(ctx.session, ctx.message.account)
        if community is None:
            return Reply(texts.COMING_SOON)
        building, unit, room = (entities[key] for key in ADDRESS_KEYS)
        given = f"{building}号楼{unit}单元{room}"
        household = find_household(ctx.session, community.id, building, unit, room)
        if household is None:
            if not building_exists(ctx.session, community.id, building):
                why = f"本社区没有{building}号楼。"
            else:
                why = f"{building}号楼没有{unit}单元{room}室。"
            return self._ask_again(
                ctx, tries + 1, texts.ADDRESS_UNKNOWN.format(given=given, why=why), parts={}
            )
        previous = ctx.resident.household_id
        ctx.resident.household_id = household.id
        ctx.session.flush()
        record_event(
            ctx.session,
            "resident",
            ctx.resident.id,
            actor=f"resident:{ctx.resident.openid}",
            from_state=f"household:{previous}" if previous else None,
            to_state=f"household:{household.id}",
            note=f"绑定住址 {household.address}",
        )
        ctx.resident.household = household
        ctx.next_dialogue = None
        grid = household.unit.building.grid
        bound = texts.ADDRESS_BOUND.format(address=household.address, grid=grid.name)
        first = newcomer.welcome(ctx, household) if previous is None else None
        resume = ctx.dialogue.data.get("resume") if ctx.dialogue else None
        if resume and ctx.redispatch is not None:
            follow = ctx.redispatch(ctx, resume["text"])
            if follow.text:
                return Reply(f"{bound}\n\n{follow.text}{self._offer(ctx, first)}")
        return Reply(f"{bound}{self._offer(ctx, first)}")

    def _offer(self, ctx: Context, first: tuple[str, int] | None) -> str:
        """新邻居: the welcome and the neighbour offer, asked only when no other question
        is open (nothing is arranged before a yes)."""
        if first is None or ctx.next_dialogue is not None:
            return ""
        welcome, newcomer_id = first
        question = confirm.ask(ctx, newcomer.ACTION, newcomer_id)
        return f"\n\n{welcome}{question.text}"

    def _ask_again(
        self, ctx: Context, tries: int, prompt: str, parts: dict[str, object] | None = None
    ) -> Reply:
        if tries >= MAX_TRIES:
            ctx.next_dialogue = None
            return Reply(texts.ADDRESS_GAVE_UP)
        data = dict(ctx.dialogue.data) if ctx.dialogue and ctx.dialogue.flow == FLOW else {}
        data["tries"] = tries
        if parts is not None:  # None keeps the parts given so far; {} forgets a wrong address
            data["parts"] = parts
        ctx.next_dialogue = DialogueState(flow=FLOW, step="awaiting_address", data=data)
        return Reply(prompt)
