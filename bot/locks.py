"""Per-user locks: one resident's messages are handled one at a time, in order."""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from redis import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

# Delete the lock only if it is still ours (it may have expired and been taken over).
RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""


@dataclass
class Held:
    ok: bool
    # The value of `read_key`, fetched in the same round trip that took the lock.
    prefetched: bytes | None = None
    prefetch_valid: bool = False
    # Writes sent in the same round trip that releases the lock, before the release (so the
    # next holder sees them): (key, value, expire seconds); value None deletes the key.
    # False when there is no Redis lock to release: callers write themselves.
    batched: bool = False
    writes: list[tuple[str, str | None, int]] = field(default_factory=list)

    def write_on_release(self, key: str, value: str | None, expire: int = 0) -> bool:
        """Queue a write for the release's round trip; False: not possible, write now."""
        if not self.batched:
            return False
        self.writes.append((key, value, expire))
        return True


class UserLocks:
    """A Redis lock per openid across processes; a process-local lock when Redis is down
    (the database's unique message key still stops double processing across processes)."""

    def __init__(self, redis: Redis | None, hold_seconds: float = 30.0) -> None:
        self._redis = redis
        self._hold_ms = int(hold_seconds * 1000)
        self._local: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self._release = redis.register_script(RELEASE) if redis is not None else None

    def _local_lock(self, openid: str) -> threading.Lock:
        with self._guard:
            return self._local.setdefault(openid, threading.Lock())

    @contextmanager
    def hold(self, openid: str, wait_seconds: float, read_key: str | None = None) -> Iterator[Held]:
        local = self._local_lock(openid)
        if not local.acquire(timeout=max(wait_seconds, 0.01)):
            yield Held(ok=False)
            return
        try:
            deadline = time.monotonic() + wait_seconds
            key, token = f"lock:user:{openid}", secrets.token_hex(8)
            held = self._acquire(key, token, deadline, read_key)
            if held is None:  # Redis unavailable: this process's lock is all we have
                yield Held(ok=True)
                return
            if not held.ok:
                yield held
                return
            held.batched = True
            try:
                yield held
            finally:
                self._unlock(key, token, held.writes)
        finally:
            local.release()

    def _acquire(self, key: str, token: str, deadline: float, read_key: str | None) -> Held | None:
        if self._redis is None:
            return None
        try:
            while True:
                pipe = self._redis.pipeline(transaction=False)
                pipe.set(key, token, nx=True, px=self._hold_ms)
                if read_key:
                    pipe.get(read_key)
                results = pipe.execute()
                if results[0]:
                    value = results[1] if read_key else None
                    return Held(ok=True, prefetched=value, prefetch_valid=bool(read_key))
                if time.monotonic() >= deadline:
                    return Held(ok=False)
                time.sleep(0.02)
        except (RedisError, OSError) as exc:
            log.warning("user lock falls back to this process: %s", exc)
            return None

    def _unlock(self, key: str, token: str, writes: list[tuple[str, str | None, int]]) -> None:
        assert self._release is not None and self._redis is not None
        try:
            if not writes:
                self._release(keys=[key], args=[token])
                return
            pipe = self._redis.pipeline(transaction=False)
            for name, value, expire in writes:
                if value is None:
                    pipe.delete(name)
                else:
                    pipe.set(name, value, ex=expire or None)
            self._release(keys=[key], args=[token], client=pipe)
            pipe.execute()
        except (RedisError, OSError) as exc:
            log.warning("user lock not released (it expires by itself): %s", exc)
