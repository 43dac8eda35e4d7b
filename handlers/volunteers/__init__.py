"""Volunteers and meal delivery: sign-up, orders, offers accepted by reply, delivery, hours."""

from __future__ import annotations

from handlers.base import Handler
from handlers.volunteers.meals import MealOrderHandler
from handlers.volunteers.signup import VolunteerSignupHandler
from handlers.volunteers.tasks import (
    HoursHandler,
    ReceiptHandler,
    TaskAcceptHandler,
    TaskDoneHandler,
    TaskHandbackHandler,
)


def volunteer_handlers() -> list[Handler]:
    """In priority order; our multi-step flows keep their messages (see common.py)."""
    return [
        VolunteerSignupHandler(),
        HoursHandler(),
        TaskHandbackHandler(),
        TaskAcceptHandler(),
        TaskDoneHandler(),
        ReceiptHandler(),
        MealOrderHandler(),
    ]
