"""Multi-step conversations: named flows and steps, stored per user with a timeout."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from storage.orm import utcnow

log = logging.getLogger(__name__)


@dataclass
class DialogueState:
    flow: str  # e.g. "register_address"
    step: str  # e.g. "awaiting_address"
    data: dict[str, Any] = field(default_factory=dict)
    expires_at: float = 0.0  # unix time; past it the flow has timed out
    misses: int = 0

    def expired(self, now: datetime) -> bool:
        return bool(self.expires_at) and now.timestamp() > self.expires_at


class DialogueStore(Protocol):
    def key(self, openid: str) -> str | None:
        """The Redis key holding this user's state, when it lives in Redis (so it can be
        read in the same round trip that takes the user's lock)."""
        ...

    def decode(self, raw: bytes | None) -> DialogueState | None: ...

    def load(self, openid: str) -> DialogueState | None: ...

    def save(self, openid: str, state: DialogueState, ttl_seconds: int) -> None: ...

    def clear(self, openid: str) -> None: ...


class MemoryDialogueStore:
    """For a single process without Redis (and for pure handler tests)."""

    def __init__(self) -> None:
        self._states: dict[str, DialogueState] = {}

    def key(self, openid: str) -> str | None:
        return None

    def decode(self, raw: bytes | None) -> DialogueState | None:
        return None

    def load(self, openid: str) -> DialogueState | None:
        return self._states.get(openid)

    def save(self, openid: str, state: DialogueState, ttl_seconds: int) -> None:
        state.expires_at = utcnow().timestamp() + ttl_seconds
        self._states[openid] = state

    def clear(self, openid: str) -> None:
        self._states.pop(openid, None)
