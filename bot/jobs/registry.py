"""Every background job, by name, as the function a worker runs: the one place that
ties `storage.outbound.jobs.Job` names to code. RQ stores the function's import path
when a job is pushed, so this mapping is read only by whoever pushes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot import reaper
from bot.jobs import (
    deliveries,
    employment,
    meal_orders,
    meals,
    notices,
    pairs,
    polls,
    projects,
    requests,
)
from storage.outbound.jobs import Job, UnknownJob

JobFunction = Callable[..., Any]

JOBS: dict[Job, JobFunction] = {
    Job.SEND_DELIVERY: deliveries.send_delivery,
    Job.REAP_DELIVERIES: deliveries.reap_deliveries,
    Job.REAP_INBOUND: reaper.reap_inbound,
    Job.DOWNLOAD_PHOTO: requests.download_photo,
    Job.ASK_RATING: requests.ask_rating,
    Job.CHASE_REQUESTS: requests.chase_requests,
    Job.RATING_REMINDERS: requests.rating_reminders,
    Job.FOLLOWUPS: requests.followups,
    Job.DISPATCH_TASK: meals.dispatch_task,
    Job.ASK_RECEIPT: meals.ask_receipt,
    Job.TELL_TASK_CANCELLED: meals.tell_cancelled,
    Job.TELL_NOT_RECEIVED: meals.tell_not_received,
    Job.MEALS_TICK: meals.tick,
    Job.TELL_ORDER_CONFIRMED: meal_orders.tell_order_confirmed,
    Job.TELL_TASK_ACCEPTED: meal_orders.tell_task_accepted,
    Job.NOTIFY_NEW_POSTING: employment.notify_new_posting,
    Job.FAN_OUT_NOTICE: notices.fan_out,
    Job.NOTICES_TICK: notices.tick,
    Job.POLLS_TICK: polls.tick,
    Job.START_POLL_ROUND: polls.start_poll_round,
    Job.PAIRS_TICK: pairs.tick,
    Job.CHASE_PROJECTS: projects.chase_projects,
}


def resolve(name: str) -> JobFunction:
    """The function of a registered job name (what outbox rows store)."""
    try:
        return JOBS[Job(name)]
    except (ValueError, KeyError):
        raise UnknownJob(f"no background job is registered as {name!r}") from None
