"""Grid-tagged RQ queues and the durable outbox in front of them."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from rq import Queue, Retry
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from storage.models import Grid, OutboxJob, utcnow
from storage.outbound.jobs import UnknownJob

# A registered job name → the import path of the function a worker runs
# (bot/jobs/registry.resolve); RQ stores the path and the worker imports it.
Resolver = Callable[[str], str]

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
    """Record a job (by its registered name, `storage.outbound.jobs.Job`) in the caller's
    transaction; it is enqueued after the commit."""
    job = OutboxJob(queue=queue, func=func, args=list(args))
    session.add(job)
    # Held here so the committer can push exactly this transaction's jobs right away.
    session.info.setdefault("outbox_jobs", []).append(job)
    return job


def jobs_added(session: Session) -> list[OutboxJob]:
    """Outbox jobs added in this session (flush first to get their ids)."""
    return list(session.info.get("outbox_jobs", []))


def commit_and_drain(
    session: Session, factory: sessionmaker[Session], redis: Redis, resolve: Resolver
) -> None:
    """Commit, then push this transaction's outbox jobs (deliveries to send) to RQ at once.
    Callers use the unit of work (`Runtime.commit`), which supplies the rest."""
    session.flush()
    ids = [job.id for job in jobs_added(session)]
    session.commit()
    session.info.pop("outbox_jobs", None)
    if ids:
        drain_outbox(factory, redis, resolve, ids=ids)


def drain_outbox(
    factory: sessionmaker[Session],
    redis: Redis,
    resolve: Resolver,
    ids: list[int] | None = None,
    limit: int = 2000,
    batch: int = 200,
) -> int:
    """Push pending outbox jobs to RQ in batches (one claim, one Redis pipeline, one mark
    per batch). Returns how many were enqueued; stops at a Redis error, leaving the rest
    for the next drain."""
    sent = 0
    with factory() as session:
        while sent < limit:
            claimed = _claim_batch(session, ids, min(batch, limit - sent))
            if not claimed:
                break
            claimed = _drop_unknown(session, claimed, resolve)
            claimed_ids = [row.id for row in claimed]
            try:
                _push(redis, claimed, resolve)
            except (RedisError, OSError) as exc:
                session.execute(
                    update(OutboxJob)
                    .where(OutboxJob.id.in_(claimed_ids))
                    .values(claimed_at=None, last_error=f"{type(exc).__name__}: {exc}"[:500])
                )
                session.commit()
                log.warning(
                    "outbox: Redis unavailable, %d job(s) wait in the database", len(claimed)
                )
                break
            session.execute(
                update(OutboxJob).where(OutboxJob.id.in_(claimed_ids)).values(enqueued_at=utcnow())
            )
            session.commit()
            sent += len(claimed)
            if ids is not None and len(claimed) >= len(ids):
                break
    return sent


def _drop_unknown(session: Session, rows: list[OutboxJob], resolve: Resolver) -> list[OutboxJob]:
    """Rows naming no registered job are set aside with the reason (never pushed, never
    retried: only a code fix helps); the rest go on."""
    known = []
    for row in rows:
        try:
            resolve(row.func)
        except UnknownJob as exc:
            log.error("outbox job %d set aside: %s", row.id, exc)
            row.last_error = str(exc)[:500]
            row.enqueued_at = utcnow()
        else:
            known.append(row)
    if len(known) < len(rows):
        session.commit()
    return known


def _push(redis: Redis, rows: list[OutboxJob], resolve: Resolver) -> None:
    """Enqueue the rows' jobs in one pipeline. Pooled connections may be stale after a
    Redis restart, so a connection error gets one second try on fresh connections."""
    for attempt in (1, 2):
        try:
            with redis.pipeline() as pipe:
                for row in rows:
                    data = Queue.prepare_data(
                        resolve(row.func),
                        list(row.args),
                        job_id=f"outbox-{row.id}",
                        retry=JOB_RETRY,
                    )
                    Queue(row.queue, connection=redis).enqueue_many([data], pipeline=pipe)
                pipe.execute()
            return
        except (ConnectionError, OSError, RedisConnectionError):
            if attempt == 2:
                raise
            # Every pooled socket may be stale after a restart: drop them all, reconnect.
            redis.connection_pool.disconnect()


def _claim_batch(session: Session, ids: list[int] | None, size: int) -> list[OutboxJob]:
    """Take up to `size` pending rows; a claim older than CLAIM_TIMEOUT (its drainer
    died) may be taken over. Concurrent drainers never claim the same row."""
    now = utcnow()
    claimable = (
        OutboxJob.enqueued_at.is_(None),
        or_(OutboxJob.claimed_at.is_(None), OutboxJob.claimed_at < now - CLAIM_TIMEOUT),
    )
    query = select(OutboxJob.id).where(*claimable).order_by(OutboxJob.id).limit(size)
    if ids is not None:
        query = query.where(OutboxJob.id.in_(ids))
    candidates = list(session.scalars(query))
    if not candidates:
        return []
    claimed_ids = list(
        session.scalars(
            update(OutboxJob)
            .where(OutboxJob.id.in_(candidates), *claimable)
            .values(claimed_at=now, attempts=OutboxJob.attempts + 1)
            .returning(OutboxJob.id)
        )
    )
    session.commit()
    if not claimed_ids:
        return []
    rows = session.scalars(
        select(OutboxJob).where(OutboxJob.id.in_(claimed_ids)).order_by(OutboxJob.id)
    )
    return list(rows)


def pending_count(session: Session) -> int:
    return len(list(session.scalars(select(OutboxJob.id).where(OutboxJob.enqueued_at.is_(None)))))
