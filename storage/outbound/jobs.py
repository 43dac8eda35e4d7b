"""The names of the background jobs. Storage and handlers plan a job by one of these
names (an outbox row); `bot/jobs/registry.py` maps each name to the function a worker
runs. A name is a contract: renaming or moving the function never changes it, so jobs
already waiting in the outbox or in Redis still find their code."""

from __future__ import annotations

from enum import StrEnum


class Job(StrEnum):
    SEND_DELIVERY = "deliveries.send"
    REAP_DELIVERIES = "deliveries.reap"
    REAP_INBOUND = "inbound.reap"
    DOWNLOAD_PHOTO = "requests.download_photo"
    ASK_RATING = "requests.ask_rating"
    CHASE_REQUESTS = "requests.chase"
    RATING_REMINDERS = "requests.rating_reminders"
    FOLLOWUPS = "requests.followups"
    DISPATCH_TASK = "meals.dispatch_task"
    ASK_RECEIPT = "meals.ask_receipt"
    TELL_TASK_CANCELLED = "meals.tell_cancelled"
    TELL_NOT_RECEIVED = "meals.tell_not_received"
    MEALS_TICK = "meals.tick"
    TELL_ORDER_CONFIRMED = "meal_orders.tell_confirmed"
    TELL_TASK_ACCEPTED = "meal_orders.tell_accepted"
    NOTIFY_NEW_POSTING = "employment.notify_new_posting"
    FAN_OUT_NOTICE = "notices.fan_out"
    NOTICES_TICK = "notices.tick"
    POLLS_TICK = "polls.tick"
    START_POLL_ROUND = "polls.start_round"
    PAIRS_TICK = "pairs.tick"
    CHASE_PROJECTS = "projects.chase"


class UnknownJob(LookupError):
    """An outbox row names a job nobody registered (a typo, or code rolled back)."""
