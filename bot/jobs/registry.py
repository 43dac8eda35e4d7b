"""Every background job, by name, as the import path of the function a worker runs: the
one place that ties `storage.outbound.jobs.Job` names to code. RQ stores that path when a
job is pushed and the worker imports it, so whoever only pushes (the web process, the
scheduler) never imports job code (the scheduler started in 1.2 s of CPU with it)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from storage.outbound.jobs import Job, UnknownJob

JobFunction = Callable[..., Any]

JOB_PATHS: dict[Job, str] = {
    Job.SEND_DELIVERY: "bot.jobs.deliveries.send_delivery",
    Job.REAP_DELIVERIES: "bot.jobs.deliveries.reap_deliveries",
    Job.REAP_INBOUND: "bot.reaper.reap_inbound",
    Job.DOWNLOAD_PHOTO: "bot.jobs.requests.download_photo",
    Job.ASK_RATING: "bot.jobs.requests.ask_rating",
    Job.CHASE_REQUESTS: "bot.jobs.requests.chase_requests",
    Job.RATING_REMINDERS: "bot.jobs.requests.rating_reminders",
    Job.FOLLOWUPS: "bot.jobs.requests.followups",
    Job.DISPATCH_TASK: "bot.jobs.meals.dispatch_task",
    Job.ASK_RECEIPT: "bot.jobs.meals.ask_receipt",
    Job.TELL_TASK_CANCELLED: "bot.jobs.meals.tell_cancelled",
    Job.TELL_NOT_RECEIVED: "bot.jobs.meals.tell_not_received",
    Job.MEALS_TICK: "bot.jobs.meals.tick",
    Job.TELL_ORDER_CONFIRMED: "bot.jobs.meal_orders.tell_order_confirmed",
    Job.TELL_TASK_ACCEPTED: "bot.jobs.meal_orders.tell_task_accepted",
    Job.NOTIFY_NEW_POSTING: "bot.jobs.employment.notify_new_posting",
    Job.FAN_OUT_NOTICE: "bot.jobs.notices.fan_out",
    Job.NOTICES_TICK: "bot.jobs.notices.tick",
    Job.POLLS_TICK: "bot.jobs.polls.tick",
    Job.START_POLL_ROUND: "bot.jobs.polls.start_poll_round",
    Job.PAIRS_TICK: "bot.jobs.pairs.tick",
    Job.CHASE_PROJECTS: "bot.jobs.projects.chase_projects",
}


def resolve(name: str) -> str:
    """The import path of a registered job name (what outbox rows store)."""
    try:
        return JOB_PATHS[Job(name)]
    except (ValueError, KeyError):
        raise UnknownJob(f"no background job is registered as {name!r}") from None


def load(name: str) -> JobFunction:
    """The function itself (for whoever runs a job in this process)."""
    module, _, function = resolve(name).rpartition(".")
    job: JobFunction = getattr(importlib.import_module(module), function)
    return job


def import_all() -> None:
    """Import every job (a worker does, once, before it takes jobs)."""
    for name in JOB_PATHS:
        load(name)
