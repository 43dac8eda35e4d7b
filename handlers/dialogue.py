"""Multi-step conversations: named flows and steps, stored per user with a timeout."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from redis import Redis
from redis.exceptions import RedisError

from storage.models.base import utcnow

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


class RedisDialogueStore:
    """State lives in Redis (rebuildable); it is kept a day past its timeout so a late
    reply can be told the flow timed out rather than be misread."""

    GRACE = timedelta(days=1)

    def __init__(self, redis: Redis, prefix: str = "dialogue") -> None:
        self._redis = redis
        self._prefix = prefix

    def key(self, openid: str) -> str | None:
        return f"{self._prefix}:{openid}"

    def _key(self, openid: str) -> str:
        return f"{self._prefix}:{openid}"

    def decode(self, raw: bytes | None) -> DialogueState | None:
        if not raw:
            return None
        try:
            return DialogueState(**json.loads(raw))
        except (TypeError, ValueError):
            return None

    def load(self, openid: str) -> DialogueState | None:
        try:
            raw = self._redis.get(self._key(openid))
        except RedisError as exc:
            log.warning("dialogue state unavailable for %s: %s", openid, exc)
            return None
        return self.decode(raw if isinstance(raw, bytes | None) else str(raw).encode())

    def save(self, openid: str, state: DialogueState, ttl_seconds: int) -> None:
        state.expires_at = utcnow().timestamp() + ttl_seconds
        payload = json.dumps(asdict(state), ensure_ascii=False)
        try:
            self._redis.set(
                self._key(openid), payload, ex=ttl_seconds + int(self.GRACE.total_seconds())
            )
        except RedisError as exc:
            log.warning("dialogue state not saved for %s: %s", openid, exc)

    def clear(self, openid: str) -> None:
        try:
            self._redis.delete(self._key(openid))
        except RedisError as exc:
            log.warning("dialogue state not cleared for %s: %s", openid, exc)


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
