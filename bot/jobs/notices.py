"""RQ jobs for notices: fan a planned notice out to the send queues, and the periodic tick
that sends scheduled notices when due and closes notices whose deliveries all ended.

Send jobs are the ordinary `bot.jobs.deliveries.send_delivery`: its conditional claim makes a
duplicate job harmless, and `reap_deliveries` re-enqueues whatever a lost fan-out or a
killed worker left behind.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime

from rq import Queue
from sqlalchemy import select

from bot.jobs.deliveries import send_delivery
from bot.runtime import get_runtime
from storage.clock import now as clock_now
from storage.models import Notice
from storage.notices.delivery import start_sending
from storage.notices.outcome import finish_if_complete, pending_delivery_ids
from storage.notices.planning import account_for
from storage.outbound.queues import jobs_added

log = logging.getLogger(__name__)

ENQUEUE_CHUNK = 500


def fan_out(notice_id: int) -> int:
    """Put a send job for each pending delivery of the notice on its queue."""
    runtime = get_runtime()
    with runtime.session_factory() as session:
        rows = pending_delivery_ids(session, notice_id)
    by_queue: dict[str, list[int]] = defaultdict(list)
    for delivery_id, queue_name in rows:
        by_queue[queue_name].append(delivery_id)
    redis = runtime.redis
    for queue_name, ids in by_queue.items():
        queue = Queue(queue_name, connection=redis)
        for start in range(0, len(ids), ENQUEUE_CHUNK):
            jobs = [
                Queue.prepare_data(send_delivery, args=(delivery_id,), result_ttl=600)
                for delivery_id in ids[start : start + ENQUEUE_CHUNK]
            ]
            with redis.pipeline() as pipe:
                queue.enqueue_many(jobs, pipeline=pipe)
                pipe.execute()
    log.info("notice %s: %d send jobs enqueued", notice_id, len(rows))
    return len(rows)


def tick(now: datetime | None = None) -> dict[str, int]:
    """Send scheduled notices that are due; close notices whose deliveries all ended."""
    runtime = get_runtime()
    current = now or clock_now()
    started = finished = 0
    with runtime.session_factory() as session:
        due = list(
            session.scalars(
                select(Notice.id)
                .where(Notice.status == "scheduled", Notice.scheduled_at <= current)
                .order_by(Notice.scheduled_at)
            )
        )
    for notice_id in due:
        with runtime.session_factory() as session:
            account = account_for(runtime.settings, runtime.redis, current)
            plan = start_sending(
                session,
                notice_id,
                from_states=("scheduled",),
                actor="scheduler",
                account=account,
                now=current,
            )
            if plan is None:
                session.rollback()
                continue
            session.flush()
            outbox = [job.id for job in jobs_added(session)]
            session.commit()
            started += 1
        runtime.drain_outbox(ids=outbox)
    with runtime.session_factory() as session:
        for notice in session.scalars(select(Notice).where(Notice.status == "sending")):
            if finish_if_complete(session, notice, current):
                finished += 1
        runtime.commit(session)
    return {"started": started, "finished": finished}
