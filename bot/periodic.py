"""Periodic jobs the scheduler enqueues into RQ. Each is an importable module-level
function taking no arguments (it reads the clock itself, so tests call it with `now=`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every_seconds: int
    func: str  # dotted path, e.g. "bot.jobs.deliveries.reap_deliveries"
    queue: str = "default"


PERIODIC_JOBS: tuple[PeriodicJob, ...] = (
    PeriodicJob("reap-deliveries", 60, "bot.jobs.deliveries.reap_deliveries"),
    PeriodicJob("reap-inbound", 60, "bot.reaper.reap_inbound"),
    # Feature modules add their own lines here (overdue chasing, reminders, …).
    PeriodicJob("reports-chase", 300, "bot.jobs.requests.chase_requests"),
    PeriodicJob("reports-rating-reminders", 1800, "bot.jobs.requests.rating_reminders"),
    PeriodicJob("reports-followups", 3600, "bot.jobs.requests.followups"),
    PeriodicJob("meals-tick", 60, "bot.jobs.meals.tick"),
    PeriodicJob("notices-tick", 30, "bot.jobs.notices.tick"),
)
