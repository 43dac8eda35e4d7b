"""Account events: subscribe / scan, unsubscribe, menu clicks, and silent events."""

from __future__ import annotations

from handlers import texts
from handlers.base import Context, IntentHandler, Reply


class SubscribeHandler(IntentHandler):
    name = "subscribe"
    events = frozenset({"subscribe", "scan"})

    def __init__(self, community_name: str) -> None:
        self.community_name = community_name

    def handle(self, ctx: Context) -> Reply:
        ctx.resident.subscribed = True
        return Reply(texts.WELCOME.format(community=self.community_name))


class UnsubscribeHandler(IntentHandler):
    name = "unsubscribe"
    events = frozenset({"unsubscribe"})

    def handle(self, ctx: Context) -> Reply:
        # WeChat shows nothing to someone who has left; just record it.
        ctx.resident.subscribed = False
        ctx.next_dialogue = None
        return Reply(None)


class SilentEventHandler(IntentHandler):
    """Events that need no answer (reported location, opening a menu link)."""

    name = "silent_event"
    events = frozenset({"location", "view", "templatesendjobfinish", "masssendjobfinish"})

    def handle(self, ctx: Context) -> Reply:
        return Reply(None)


KNOWN_TYPES = frozenset(
    {"text", "image", "voice", "video", "shortvideo", "location", "link", "file", "event"}
)


class UnknownKindHandler:
    """Message types and events this service does not know: stored, answered `success`."""

    name = "unknown_kind"

    def matches(self, ctx: Context) -> bool:
        msg = ctx.message
        if msg.msg_type not in KNOWN_TYPES:
            return True
        return msg.msg_type == "event" and (msg.event or "").lower() != "click"

    def handle(self, ctx: Context) -> Reply:
        return Reply(None)
