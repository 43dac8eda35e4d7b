"""Redis connections with short timeouts: a slow Redis must never hold up a reply."""

from __future__ import annotations

from redis import Redis
from redis.exceptions import RedisError


def make_redis(url: str, timeout: float = 0.5) -> Redis:
    return Redis.from_url(
        url,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        health_check_interval=30,
    )


def make_worker_redis(url: str) -> Redis:
    """RQ workers block on queues, so they need no socket timeout."""
    return Redis.from_url(url, socket_connect_timeout=2, health_check_interval=30)


def is_up(redis: Redis) -> bool:
    try:
        return bool(redis.ping())
    except (RedisError, OSError):
        return False
