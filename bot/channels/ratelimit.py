"""A sliding-window rate limiter in Redis, shared by every process that sends."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from redis import Redis

# KEYS[1] the window's sorted set; ARGV: now, window, limit, member.
# Returns 0 when a slot was taken, otherwise milliseconds until one frees up.
_ACQUIRE = """
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZSCORE', KEYS[1], ARGV[4]) then
  return 0
end
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  redis.call('PEXPIRE', KEYS[1], math.ceil(window * 1000) + 1000)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local wait = tonumber(oldest[2]) + window - now
return math.max(1, math.ceil(wait * 1000))
"""


class SlidingWindowLimiter:
    """At most `limit` events per `window_seconds` for each key.

    The clock is injectable so tests (and the sandbox's time travel) need not sleep.
    A `member` names the event: acquiring again with the same member inside the window
    does not take a second slot (a retried part is not counted twice).
    """

    def __init__(
        self,
        redis: Redis,
        prefix: str,
        limit: int,
        window_seconds: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.redis = redis
        self.prefix = prefix
        self.limit = limit
        self.window = window_seconds
        self.clock = clock
        self._script = redis.register_script(_ACQUIRE)

    def _key(self, key: str) -> str:
        return f"{self.prefix}:{key}"

    def acquire(self, key: str, member: str | None = None) -> float:
        """Take a slot. Returns 0.0 on success, else seconds to wait before trying again."""
        waited = self._script(
            keys=[self._key(key)],
            args=[repr(self.clock()), self.window, self.limit, member or uuid.uuid4().hex],
        )
        return int(waited) / 1000.0

    def release(self, key: str, member: str) -> None:
        """Give a slot back (the event did not happen after all)."""
        self.redis.zrem(self._key(key), member)

    def used(self, key: str) -> int:
        now = self.clock()
        return int(self.redis.zcount(self._key(key), now - self.window, "+inf"))
