"""Per-user locks: one resident's messages are handled one at a time, in order."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from redis import Redis
from redis.exceptions import LockError, RedisError

log = logging.getLogger(__name__)


class UserLocks:
    """A Redis lock per openid across processes; a process-local lock when Redis is down
    (the database's unique message key still stops double processing across processes)."""

    def __init__(self, redis: Redis | None, hold_seconds: float = 30.0) -> None:
        self._redis = redis
        self._hold = hold_seconds
        self._local: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def _local_lock(self, openid: str) -> threading.Lock:
        with self._guard:
            return self._local.setdefault(openid, threading.Lock())

    @contextmanager
    def hold(self, openid: str, wait_seconds: float) -> Iterator[bool]:
        """Yields True when the lock is held, False when it could not be had in time."""
        local = self._local_lock(openid)
        if not local.acquire(timeout=max(wait_seconds, 0.01)):
            yield False
            return
        try:
            redis_lock = None
            if self._redis is not None:
                try:
                    redis_lock = self._redis.lock(
                        f"lock:user:{openid}", timeout=self._hold, blocking_timeout=wait_seconds
                    )
                    if not redis_lock.acquire():
                        yield False
                        return
                except (RedisError, OSError) as exc:
                    log.warning("user lock falls back to this process: %s", exc)
                    redis_lock = None
            try:
                yield True
            finally:
                if redis_lock is not None:
                    with suppress(LockError, RedisError, OSError):
                        redis_lock.release()
        finally:
            local.release()
