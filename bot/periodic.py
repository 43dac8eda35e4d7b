"""Periodic jobs the scheduler enqueues into RQ. Each is an importable module-level
function taking no arguments (it reads the clock itself, so tests call it with `now=`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every_seconds: int
    func: str  # dotted path, e.g. "bot.jobs.reap_deliveries"
    queue: str = "default"


PERIODIC_JOBS: tuple[PeriodicJob, ...] = (
    PeriodicJob("reap-deliveries", 60, "bot.jobs.reap_deliveries"),
    # Feature modules add their own lines here (overdue chasing, reminders, …).
)
