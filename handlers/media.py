"""Messages without words: voice WeChat could not transcribe, pictures, places, links."""

from __future__ import annotations

from handlers import texts
from handlers.base import Context, Reply


class MediaHandler:
    name = "media"
    msg_types = frozenset({"voice", "image", "video", "shortvideo", "location", "link", "file"})

    def matches(self, ctx: Context) -> bool:
        return ctx.message.msg_type in self.msg_types and ctx.message.text is None

    def handle(self, ctx: Context) -> Reply:
        msg = ctx.message
        if msg.msg_type == "voice":
            # The media id stays on the stored inbound message for staff to listen to.
            return Reply(texts.VOICE_UNRECOGNIZED)
        if msg.msg_type == "image":
            return Reply(texts.IMAGE_RECEIVED)
        if msg.msg_type == "location":
            return Reply(texts.LOCATION_RECEIVED.format(label=msg.label or "未命名位置"))
        if msg.msg_type == "link":
            return Reply(texts.LINK_RECEIVED.format(title=msg.title or "无标题"))
        return Reply(texts.MEDIA_RECEIVED)
