from __future__ import annotations

from handlers import texts
from handlers.base import Context, IntentHandler, Reply


class GreetingHelpHandler(IntentHandler):
    name = "greeting_help"
    intents = frozenset({"greeting_help"})

    def handle(self, ctx: Context) -> Reply:
        greeting = "您好！" if ctx.resident.name is None else f"{ctx.resident.name}，您好！"
        return Reply(greeting + "我是社区助手。\n" + texts.MENU)
