"""Conversation state in Redis, behind handlers.dialogue.DialogueStore."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from datetime import timedelta

from redis import Redis
from redis.exceptions import RedisError

from handlers.dialogue import DialogueState
from storage.orm import utcnow

log = logging.getLogger(__name__)

Write = tuple[str, str | None, int]


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

    def write(self, openid: str, state: DialogueState | None, ttl_seconds: int = 0) -> Write:
        """The Redis write that saves (or, for None, clears) the state: (key, value, ex),
        for a caller that sends it with other commands (the lock's release)."""
        if state is None:
            return self._key(openid), None, 0
        state.expires_at = utcnow().timestamp() + ttl_seconds
        payload = json.dumps(asdict(state), ensure_ascii=False)
        return self._key(openid), payload, ttl_seconds + int(self.GRACE.total_seconds())

    def save(self, openid: str, state: DialogueState, ttl_seconds: int) -> None:
        key, payload, expire = self.write(openid, state, ttl_seconds)
        try:
            self._redis.set(key, payload or "", ex=expire)
        except RedisError as exc:
            log.warning("dialogue state not saved for %s: %s", openid, exc)

    def clear(self, openid: str) -> None:
        try:
            self._redis.delete(self._key(openid))
        except RedisError as exc:
            log.warning("dialogue state not cleared for %s: %s", openid, exc)
