from __future__ import annotations

from handlers import texts
from handlers.base import Context, IntentHandler, Reply


class CancelHandler(IntentHandler):
    """ "取消" leaves whatever flow the resident is in."""

    name = "cancel"
    intents = frozenset({"cancel"})

    def handle(self, ctx: Context) -> Reply:
        if ctx.dialogue is None:
            return Reply(texts.NOTHING_TO_CANCEL)
        ctx.next_dialogue = None
        return Reply(texts.CANCELLED)
