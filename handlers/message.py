"""What a handler sees of a WeChat message: plain data, no XML, no HTTP."""

from __future__ import annotations

import hashlib
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
        """WeChat's retries of one message share this key. MsgId alone is not unique
        across senders and accounts (and a forged MsgId must not hide a real message),
        so the key names the account and the sender too."""
        if self.msg_id:
            key = f"msg:{self.account}:{self.openid}:{self.msg_id}"
        else:
            key = ":".join(
                [
                    "evt",
                    self.account,
                    self.openid,
                    str(int(self.created_at.timestamp())),
                    self.event or self.msg_type,
                    self.event_key or "",
                ]
            )
        if len(key) > 200:  # the column's width; long event keys are hashed instead
            key = key[:4] + "sha256:" + hashlib.sha256(key.encode()).hexdigest()
        return key

    @property
    def text(self) -> str | None:
        """The words of the message, from text or voice recognition."""
        if self.msg_type == "text":
            return self.content
        if self.msg_type == "voice":
            return self.recognition or None
        return None
