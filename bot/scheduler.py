"""Periodic work: drain the outbox into RQ, re-queue lost deliveries.

Several schedulers may run; a Redis lock makes one of them active at a time.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time

from redis.exceptions import LockError, RedisError

from bot.runtime import Runtime
from storage.queues import drain_outbox

log = logging.getLogger(__name__)

OUTBOX_EVERY = 1.0
REAP_EVERY = 30.0


def run_scheduler(runtime: Runtime, stop: threading.Event | None = None) -> None:
    stop = stop or threading.Event()
    from bot.jobs import reap_deliveries

    last_reap = 0.0
    log.info("scheduler started")
    while not stop.is_set():
        try:
            lock = runtime.redis.lock("lock:scheduler", timeout=15, blocking_timeout=0)
            if not lock.acquire():
                stop.wait(5)
                continue
        except (RedisError, OSError) as exc:
            log.warning("Redis unavailable for the scheduler: %s", exc)
            stop.wait(2)
            continue
        try:
            while not stop.is_set():
                try:
                    moved = drain_outbox(runtime.session_factory, runtime.redis)
                    if moved:
                        log.info("outbox: %d job(s) enqueued", moved)
                    if time.monotonic() - last_reap > REAP_EVERY:
                        reap_deliveries()
                        last_reap = time.monotonic()
                    lock.extend(15, replace_ttl=True)
                except (RedisError, OSError, LockError) as exc:
                    log.warning("scheduler pass failed: %s", exc)
                    break
                except Exception:
                    log.exception("scheduler pass failed")
                stop.wait(OUTBOX_EVERY)
        finally:
            with contextlib.suppress(LockError, RedisError, OSError):
                lock.release()
    log.info("scheduler stopped")
