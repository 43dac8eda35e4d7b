from __future__ import annotations

from handlers import texts
from handlers.base import Context, IntentHandler, Reply


class CancelHandler(IntentHandler):
    """"取消" leaves whatever multi-step flow the resident is in."""

    name = "cancel"
    intents = frozenset({"cancel"})

    def matches(self, ctx: Context) -> bool:
        return ctx.dialogue is not None and super().matches(ctx)

    def handle(self, ctx: Context) -> Reply:
        ctx.next_dialogue = None
        return Reply(texts.CANCELLED)


class NothingToCancelHandler(IntentHandler):
    """A cancel that no feature claimed (no open request, order or task to withdraw)."""

    name = "nothing_to_cancel"
    intents = frozenset({"cancel"})

    def handle(self, ctx: Context) -> Reply:
        return Reply(texts.NOTHING_TO_CANCEL)
