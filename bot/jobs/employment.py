"""RQ jobs of the employment registry.

`notify_new_posting` runs after the officer publishes a posting: it plans one notice per
matching seeker (within channel limits, see storage.employment.notify), commits, and
pushes the send jobs to RQ at once. Running it twice plans nothing new (idempotency keys).
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

from bot.runtime import get_runtime
from storage.clock import now as clock_now
from storage.employment.notify import notify_matching_seekers
from storage.outbound.platform_rules import template_allowed
from storage.outbound.queues import jobs_added

log = logging.getLogger(__name__)


def notify_new_posting(posting_id: int) -> dict[str, Any]:
    runtime = get_runtime()
    now = clock_now()
    with runtime.session_factory() as session:
        stats = notify_matching_seekers(
            session,
            posting_id,
            now,
            template_allowed(runtime.settings.account_type, runtime.settings.account_verified),
        )
        session.flush()
        job_ids = stats.outbox_ids + [job.id for job in jobs_added(session)]
        session.commit()
    log.info("posting J%s: %s", posting_id, stats)
    if job_ids:
        try:
            runtime.drain_outbox(ids=job_ids, limit=len(job_ids))
        except Exception:  # the scheduler drains whatever is left
            log.exception("outbox drain after posting notices failed")
    result = asdict(stats)
    result.pop("outbox_ids")
    return {**result, "planned": stats.planned, "queued": len(job_ids)}
