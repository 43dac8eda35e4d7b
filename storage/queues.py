"""Grid-tagged RQ queues and the durable outbox in front of them."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from storage.models import Grid, OutboxJob, utcnow

log = logging.getLogger(__name__)

DEFAULT_QUEUE = "default"
CLAIM_TIMEOUT = timedelta(seconds=60)
# Back-off for jobs that raise: RQ re-runs them after these pauses.
JOB_RETRY = Retry(max=5, interval=[5, 30, 120, 600, 1800])


def grid_queue_name(grid_id: int | None) -> str:
    """Work about a grid goes to that grid's queue so a deployment can dedicate workers."""
    return f"grid-{grid_id}" if grid_id else DEFAULT_QUEUE


def all_queue_names(session: Session) -> list[str]:
    grid_ids = session.scalars(select(Grid.id).order_by(Grid.id))
    return [grid_queue_name(gid) for gid in grid_ids] + [DEFAULT_QUEUE]


def enqueue_job(session: Session, queue: str, func: str, *args: Any) -> OutboxJob:
    """Record a job in the caller's transaction; it is enqueued after the commit."""
    job = OutboxJob(queue=queue, func=func, args=list(args))
    session.add(job)
    # Held here so the committer can push exactly this transaction's jobs right away.
    session.info.setdefault("outbox_jobs", []).append(job)
    return job


def jobs_added(session: Session) -> list[OutboxJob]:
    """Outbox jobs added in this session (flush first to get their ids)."""
    return list(session.info.get("outbox_jobs", []))


def _claim(session: Session, job_id: int) -> bool:
    now = utcnow()
    result = session.execute(
        update(OutboxJob)
        .where(
            OutboxJob.id == job_id,
            OutboxJob.enqueued_at.is_(None),
            or_(OutboxJob.claimed_at.is_(None), OutboxJob.claimed_at < now - CLAIM_TIMEOUT),
        )
        .values(claimed_at=now, attempts=OutboxJob.attempts + 1)
    )
    session.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]


def drain_outbox(
    factory: sessionmaker[Session], redis: Redis, ids: list[int] | None = None, limit: int = 500
) -> int:
    """Push pending outbox jobs to RQ. Returns how many were enqueued; stops at a Redis error."""
    sent = 0
    with factory() as session:
        query = select(OutboxJob.id).where(OutboxJob.enqueued_at.is_(None))
        if ids is not None:
            query = query.where(OutboxJob.id.in_(ids))
        pending = list(session.scalars(query.order_by(OutboxJob.id).limit(limit)))
        for job_id in pending:
            if not _claim(session, job_id):
                continue
            row = session.get(OutboxJob, job_id)
            assert row is not None
            try:
                Queue(row.queue, connection=redis).enqueue(
                    row.func, *row.args, job_id=f"outbox-{row.id}", retry=JOB_RETRY
                )
            except (RedisError, OSError) as exc:
                row.claimed_at = None
                row.last_error = f"{type(exc).__name__}: {exc}"[:500]
                session.commit()
                log.warning("outbox: Redis unavailable, %d job(s) wait in the database", 1)
                break
            row.enqueued_at = utcnow()
            session.commit()
            sent += 1
    return sent


def pending_count(session: Session) -> int:
    return len(list(session.scalars(select(OutboxJob.id).where(OutboxJob.enqueued_at.is_(None)))))
