"""Periodic work: drain the outbox into RQ, re-queue lost deliveries.

Several schedulers may run; a Redis lock makes one of them active at a time.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time

from redis import Redis
from redis.exceptions import LockError, RedisError
from rq import Queue

from bot.jobs.registry import resolve
from bot.periodic import PERIODIC_JOBS
from bot.runtime import Runtime

log = logging.getLogger(__name__)

OUTBOX_EVERY = 1.0


def run_scheduler(runtime: Runtime, stop: threading.Event | None = None) -> None:
    stop = stop or threading.Event()
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
                    moved = runtime.drain_outbox()
                    if moved:
                        log.info("outbox: %d job(s) enqueued", moved)
                    enqueue_due_periodic_jobs(runtime.redis)
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


def enqueue_due_periodic_jobs(redis: Redis, now: float | None = None) -> list[str]:
    """Enqueue each periodic job whose interval has passed (tracked in Redis, so a
    restarted or second scheduler does not run them early or twice)."""
    current = time.time() if now is None else now
    started = []
    for job in PERIODIC_JOBS:
        key = f"periodic:last:{job.name}"
        # SET NX with expiry = the interval: only one scheduler wins each slot.
        if redis.set(key, str(current), nx=True, ex=job.every_seconds):
            Queue(job.queue, connection=redis).enqueue(
                resolve(job.job), job_id=f"periodic-{job.name}-{int(current)}", result_ttl=600
            )
            started.append(job.name)
    return started
