"""Storage and handlers plan background jobs by registered name; the registry ties each
name to the import path of the function a worker runs. A job without code, code without a
name, or a path RQ could not import breaks here rather than in a worker."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest
from sqlalchemy import select

from bot.jobs.registry import JOB_PATHS, load, resolve
from bot.periodic import PERIODIC_JOBS
from bot.runtime import Runtime
from storage.models import OutboxJob
from storage.outbound.jobs import Job, UnknownJob
from storage.outbound.queues import enqueue_job


def test_every_job_name_has_a_function_rq_can_import() -> None:
    assert set(JOB_PATHS) == set(Job)
    for name, path in JOB_PATHS.items():
        module_name, _, attribute = path.rpartition(".")
        function = getattr(importlib.import_module(module_name), attribute)
        assert callable(function) and load(name) is function, name
        assert function.__module__ == module_name, f"{name}: {path} is imported from elsewhere"
        assert function.__qualname__ == attribute, f"{name} is not module-level"


def test_periodic_jobs_are_registered_names() -> None:
    assert {job.job for job in PERIODIC_JOBS} <= set(Job)
    assert resolve(Job.MEALS_TICK) == "bot.jobs.meals.tick"
    assert load(Job.MEALS_TICK).__name__ == "tick"


def test_pushing_jobs_imports_no_job_code() -> None:
    """The scheduler and the registry name jobs by path; only a worker imports them."""
    probe = (
        "import sys, bot.scheduler, bot.jobs.registry as r; "
        "r.resolve('meals.tick'); "
        "print(sorted(m for m in sys.modules if m.startswith(('bot.jobs.', 'bot.reaper'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "['bot.jobs.registry']"


def test_unknown_name_is_refused_clearly() -> None:
    with pytest.raises(UnknownJob, match="bot.jobs_reports.ask_rating"):
        resolve("bot.jobs_reports.ask_rating")


def test_outbox_row_with_unknown_name_is_set_aside_and_the_rest_go_on(
    runtime: Runtime, redis: object
) -> None:
    with runtime.session_factory() as session:
        enqueue_job(session, "default", "no.such_job", 1)
        enqueue_job(session, "default", Job.ASK_RATING, 2)
        session.commit()
    assert runtime.drain_outbox() == 1
    with runtime.session_factory() as session:
        rows = {row.func: row for row in session.scalars(select(OutboxJob))}
    assert rows["no.such_job"].enqueued_at is not None
    assert "no.such_job" in (rows["no.such_job"].last_error or "")
    assert rows[Job.ASK_RATING].enqueued_at is not None and rows[Job.ASK_RATING].last_error is None
    from rq import Queue

    queued = Queue("default", connection=runtime.redis).get_jobs()
    assert [job.func_name for job in queued] == ["bot.jobs.requests.ask_rating"]
    assert [list(job.args) for job in queued] == [[2]]
