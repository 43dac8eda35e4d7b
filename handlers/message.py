"""What a handler sees of a WeChat message: plain data, no XML, no HTTP."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Incoming:
    openid: str
    account: str  # the official account's id (ToUserName), replies come from it
    msg_type: str  # text image voice video shortvideo location link event …
    created_at: datetime
    msg_id: str | None = None
    content: str | None = None  # text, or the voice Recognition when present
    event: str | None = None  # subscribe unsubscribe SCAN LOCATION CLICK VIEW
    event_key: str | None = None
    media_id: str | None = None
    pic_url: str | None = None
    recognition: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    label: str | None = None
    title: str | None = None
    description: str | None = None
    url: str | None = None
    raw: dict[str, str] = field(default_factory=dict)

    @property
    def dedup_key(self) -> str:
        if self.msg_id:
            return f"msg:{self.msg_id}"
        return ":".join(
            [
                "evt",
                self.openid,
                str(int(self.created_at.timestamp())),
                self.event or self.msg_type,
                self.event_key or "",
            ]
        )

    @property
    def text(self) -> str | None:
        """The words of the message, from text or voice recognition."""
        if self.msg_type == "text":
            return self.content
        if self.msg_type == "voice":
            return self.recognition or None
        return None
