"""Periodic jobs the scheduler enqueues into RQ, by registered name (see
`bot/jobs/registry.py`). Each takes no arguments (it reads the clock itself, so tests
call it with `now=`)."""

from __future__ import annotations

from dataclasses import dataclass

from storage.outbound.jobs import Job


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every_seconds: int
    job: Job
    queue: str = "default"


PERIODIC_JOBS: tuple[PeriodicJob, ...] = (
    PeriodicJob("reap-deliveries", 60, Job.REAP_DELIVERIES),
    PeriodicJob("reap-inbound", 60, Job.REAP_INBOUND),
    # Feature modules add their own lines here (overdue chasing, reminders, …).
    PeriodicJob("reports-chase", 300, Job.CHASE_REQUESTS),
    PeriodicJob("reports-rating-reminders", 1800, Job.RATING_REMINDERS),
    PeriodicJob("reports-followups", 3600, Job.FOLLOWUPS),
    PeriodicJob("meals-tick", 60, Job.MEALS_TICK),
    PeriodicJob("notices-tick", 30, Job.NOTICES_TICK),
    PeriodicJob("polls-tick", 300, Job.POLLS_TICK),
    PeriodicJob("pairs-tick", 900, Job.PAIRS_TICK),
    PeriodicJob("projects-chase", 3600, Job.CHASE_PROJECTS),
)
