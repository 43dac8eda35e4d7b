"""RQ jobs for outbound deliveries. Jobs receive ids and reach resources via get_runtime().

Delivery states: pending → sending (claimed with a conditional UPDATE and a lease) →
sent | failed (retry scheduled with exponential back-off) | dead (permanent error or too
many attempts) | unknown (the channel cannot tell whether the message went out and a
resend could duplicate it: left for staff, never retried automatically). A rate-limited send goes back to pending with its next attempt time and
does not count as an attempt. `reap_deliveries` re-enqueues whatever a lost job or a
killed worker left behind, so no delivery is lost; the conditional claim makes duplicate
jobs harmless.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, get_current_job
from rq.job import Job
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from bot.channels import build_channels
from bot.channels.base import (
    ChannelError,
    CustomerServiceRefused,
    OutcomeUnknown,
    PermanentError,
    RateLimited,
    RetryableError,
    SendContext,
    SendResult,
)
from bot.runtime import get_runtime
from storage.events import record_event
from storage.models import Delivery
from storage.outbound.notify import REPLACED_BY, fall_back
from storage.outbound.platform_rules import template_allowed
from storage.outbound.queues import jobs_added

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=120)
MAX_ATTEMPTS = 8
BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 3600
# A job may fire slightly before next_attempt_at (scheduler and clocks differ a little).
EARLY_TOLERANCE = timedelta(seconds=2)
# Pending deliveries younger than this are left to the outbox drainer.
PENDING_GRACE = timedelta(seconds=120)
HTTP_TIMEOUT = 10.0
ACTOR = "worker"

# The time source for leases, back-off and rate limits. Tests replace it to move time.
clock: Callable[[], float] = time.time


def _clock() -> float:
    return clock()


def _now() -> datetime:
    return datetime.fromtimestamp(_clock(), UTC)


def backoff_seconds(attempts: int) -> int:
    """30 s, 60 s, 120 s … capped at an hour, for the n-th failed attempt (n ≥ 1)."""
    return int(min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(0, attempts - 1)))


def _job_redis() -> Redis:
    job = get_current_job()
    return job.connection if job is not None else get_runtime().redis


def _enqueue(
    redis: Redis, queue: str, delivery_id: int, delay: float = 0, job_id: str | None = None
) -> None:
    q = Queue(queue, connection=redis)
    if delay > 0:
        q.enqueue_in(timedelta(seconds=delay), send_delivery, delivery_id, job_id=job_id)
    else:
        q.enqueue(send_delivery, delivery_id, job_id=job_id)


class _Attempt:
    """One worker's hold on one delivery; `lease` is the fencing token for every write."""

    def __init__(self, session: Session, delivery: Delivery, lease: datetime) -> None:
        self.session = session
        self.delivery = delivery
        self.lease = lease

    def _write(self, **values: Any) -> bool:
        result = self.session.execute(
            update(Delivery)
            .where(
                Delivery.id == self.delivery.id,
                Delivery.status == "sending",
                Delivery.lease_until == self.lease,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def save_progress(self, changes: dict[str, Any]) -> None:
        payload = {**(self.delivery.payload or {}), **changes}
        new_lease = _now() + LEASE
        if not self._write(payload=payload, lease_until=new_lease):
            self.session.rollback()
            raise RetryableError("发送权已被其他进程接管")
        self.session.commit()
        self.delivery.payload = payload
        self.lease = new_lease

    def finish(self, to_state: str, note: str | None, **values: Any) -> bool:
        if not self._write(status=to_state, lease_until=None, **values):
            self.session.rollback()
            log.warning("delivery %s: lease lost before recording %s", self.delivery.id, to_state)
            return False
        record_event(
            self.session,
            "delivery",
            self.delivery.id,
            actor=ACTOR,
            from_state="sending",
            to_state=to_state,
            note=note,
        )
        self.session.commit()
        return True


def _claim(session: Session, delivery_id: int) -> _Attempt | None:
    delivery = session.get(Delivery, delivery_id)
    if delivery is None or delivery.status in ("sent", "dead"):
        return None
    previous = delivery.status
    now = _now()
    lease = now + LEASE
    claimable = or_(
        and_(
            Delivery.status.in_(("pending", "failed")),
            or_(
                Delivery.next_attempt_at.is_(None),
                Delivery.next_attempt_at <= now + EARLY_TOLERANCE,
            ),
        ),
        and_(Delivery.status == "sending", Delivery.lease_until < now),
    )
    result = session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.status == previous, claimable)
        .values(status="sending", lease_until=lease, attempts=Delivery.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        session.rollback()
        return None
    note = "上次发送中断（租约过期），重新发送" if previous == "sending" else None
    record_event(
        session,
        "delivery",
        delivery_id,
        actor=ACTOR,
        from_state=previous,
        to_state="sending",
        note=note,
    )
    session.commit()
    session.refresh(delivery)
    return _Attempt(session, delivery, lease)


def send_delivery(delivery_id: int) -> str:
    """Send one delivery; a no-op when it is already sent, dead, or held by another worker."""
    runtime = get_runtime()
    with runtime.session_factory() as session:
        attempt = _claim(session, delivery_id)
        if attempt is None:
            return "skipped"
        delivery = attempt.delivery
        channels = build_channels(
            runtime.settings,
            runtime.redis,
            runtime.http,
            wechat_client=runtime.wechat_client(),
            clock=_clock,
        )
        channel = channels.get(delivery.channel)
        context = SendContext(session=session, clock=_clock, save_progress=attempt.save_progress)
        try:
            if channel is None:
                raise PermanentError(f"未知的发送渠道：{delivery.channel}")
            result = channel.send(delivery, context)
        except RateLimited as exc:
            return _defer(attempt, exc)
        except OutcomeUnknown as exc:
            attempt.finish("unknown", exc.reason, last_error=exc.reason, next_attempt_at=None)
            return "unknown"
        except ChannelError as exc:
            return _fail(attempt, exc)
        except Exception as exc:  # a bug or an outage below us: retry, never strand it
            log.exception("delivery %s: unexpected error", delivery_id)
            session.rollback()
            return _fail(attempt, RetryableError(f"内部错误：{type(exc).__name__}: {exc}"))
        return _succeed(attempt, result)


def _succeed(attempt: _Attempt, result: SendResult) -> str:
    attempt.finish(
        "sent",
        result.note,
        sent_at=_now(),
        external_id=result.external_id,
        last_error=None,
        next_attempt_at=None,
    )
    return "sent"


def _defer(attempt: _Attempt, exc: RateLimited) -> str:
    delay = max(1.0, exc.retry_after_seconds)
    when = _now() + timedelta(seconds=delay)
    # Waiting for a rate-limit window is not a failed attempt.
    if attempt.finish(
        "pending",
        exc.reason,
        next_attempt_at=when,
        attempts=Delivery.attempts - 1,
        last_error=exc.reason,
    ):
        _schedule(attempt.delivery, delay)
    return "deferred"


def _fall_back(attempt: _Attempt, exc: CustomerServiceRefused) -> str:
    """A refused customer-service message: dead on that channel (never retried there),
    and sent as a template message instead where the account allows
    (storage/outbound/notify.py decides)."""
    session, delivery = attempt.session, attempt.delivery
    settings = get_runtime().settings
    allowed = template_allowed(settings.account_type, settings.account_verified)
    replacement = fall_back(session, delivery, template_allowed=allowed)
    if replacement is None:
        attempt.finish("dead", exc.reason, last_error=exc.reason, next_attempt_at=None)
        return "dead"
    session.flush()
    outbox = [job.id for job in jobs_added(session)]
    payload = {**(delivery.payload or {}), REPLACED_BY: replacement.id}
    reason = f"{exc.reason}；已改用模板消息发送"
    if not attempt.finish("dead", reason, last_error=reason, next_attempt_at=None, payload=payload):
        return "skipped"
    session.info.pop("outbox_jobs", None)
    try:
        get_runtime().drain_outbox(ids=outbox)
    except (RedisError, OSError):
        log.warning("delivery %s: fallback queued in the outbox only", delivery.id)
    return "fell_back"


def _fail(attempt: _Attempt, exc: ChannelError) -> str:
    delivery = attempt.delivery
    attempts = delivery.attempts
    if isinstance(exc, CustomerServiceRefused):
        return _fall_back(attempt, exc)
    if isinstance(exc, PermanentError) or attempts >= MAX_ATTEMPTS:
        note = (
            exc.reason
            if isinstance(exc, PermanentError)
            else f"已重试{attempts}次仍失败：{exc.reason}"
        )
        attempt.finish("dead", note, last_error=exc.reason, next_attempt_at=None)
        return "dead"
    delay = backoff_seconds(attempts)
    when = _now() + timedelta(seconds=delay)
    if attempt.finish(
        "failed", f"{exc.reason}；{delay}秒后重试", last_error=exc.reason, next_attempt_at=when
    ):
        _schedule(delivery, delay)
    return "failed"


def _schedule(delivery: Delivery, delay: float) -> None:
    try:
        _enqueue(_job_redis(), delivery.queue, delivery.id, delay=delay)
    except (RedisError, OSError):
        log.warning("delivery %s: could not schedule a retry; the reaper will", delivery.id)


def reap_deliveries(limit: int = 500) -> int:
    """Re-enqueue deliveries that no queued job will pick up. Returns how many."""
    runtime = get_runtime()
    now = _now()
    due = or_(
        and_(Delivery.status == "sending", Delivery.lease_until < now),
        and_(
            Delivery.status == "failed",
            or_(Delivery.next_attempt_at.is_(None), Delivery.next_attempt_at <= now),
        ),
        and_(
            Delivery.status == "pending",
            or_(
                Delivery.next_attempt_at <= now,
                and_(
                    Delivery.next_attempt_at.is_(None), Delivery.created_at <= now - PENDING_GRACE
                ),
            ),
        ),
    )
    with runtime.session_factory() as session:
        rows = session.execute(
            select(Delivery.id, Delivery.queue).where(due).order_by(Delivery.id).limit(limit)
        ).all()
    redis = _job_redis()
    count = 0
    for delivery_id, queue in rows:
        job_id = f"reap-delivery-{delivery_id}"
        try:
            existing = Job.fetch(job_id, connection=redis) if Job.exists(job_id, redis) else None
            if existing is not None and existing.get_status(refresh=True) in (
                "queued",
                "scheduled",
                "started",
                "deferred",
            ):
                continue  # our earlier re-enqueue has not run yet
            _enqueue(redis, queue, delivery_id, job_id=job_id)
        except (RedisError, OSError):
            log.warning("reaper: Redis unavailable; %d deliveries wait", len(rows) - count)
            break
        count += 1
    if count:
        log.info("reaper: re-enqueued %d deliveries", count)
    return count
