"""Inbound messages: every message WeChat delivered, stored before it is answered."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.orm import Base, utcnow


class InboundMessage(Base):
    """Every message WeChat delivered, stored before it is answered."""

    __tablename__ = "inbound_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    # MsgId for messages; FromUserName+CreateTime+Event+EventKey for events.
    dedup_key: Mapped[str] = mapped_column(String(200), unique=True)
    openid: Mapped[str] = mapped_column(String(64), index=True)
    msg_type: Mapped[str] = mapped_column(String(32))
    event: Mapped[str | None] = mapped_column(String(32))
    content: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]  # WeChat's CreateTime
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    # received → handled | deferred (answered by fallback, finished later) | failed
    status: Mapped[str] = mapped_column(String(16), default="received")
    intent: Mapped[str | None] = mapped_column(String(32))
    reply_text: Mapped[str | None] = mapped_column(Text)
    replied_at: Mapped[datetime | None]
