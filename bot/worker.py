"""`shequ worker`: RQ workers for grid-tagged queues."""

from __future__ import annotations

import logging

from rq import Queue, Worker

from bot.runtime import get_runtime
from storage.queues import all_queue_names, grid_queue_name
from storage.redis_conn import make_worker_redis

log = logging.getLogger(__name__)


def run_worker(grids: list[int] | None = None, burst: bool = False) -> int:
    runtime = get_runtime()
    if grids:
        names = [grid_queue_name(g) for g in grids]
    else:
        with runtime.session_factory() as session:
            names = all_queue_names(session)
    _preload()
    connection = make_worker_redis(runtime.settings.redis_url or "")
    queues = [Queue(name, connection=connection) for name in names]
    log.info("worker serving queues: %s", ", ".join(names))
    worker = Worker(queues, connection=connection)
    worker.work(with_scheduler=True, burst=burst)
    return 0


def _preload() -> None:
    """Load dictionaries once before RQ forks a work horse per job."""
    try:
        import nlp

        nlp.load_lexicon()
    except Exception:  # nlp problems must not stop deliveries
        log.exception("nlp preload failed")
