"""Intents whose own service is not switched on here: hand them to the grid's staff."""

from __future__ import annotations

from handlers import texts
from handlers.base import Context, Reply
from handlers.human import HumanHandler


class ForwardToStaffHandler(HumanHandler):
    name = "forward_to_staff"

    def __init__(self, intents: frozenset[str]) -> None:
        self.intents = intents

    def handle(self, ctx: Context) -> Reply:
        super().handle(ctx)
        return Reply(texts.COMING_SOON)
