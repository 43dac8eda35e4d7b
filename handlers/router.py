"""Dispatch: handlers are tried in order, the first that matches answers."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from handlers.address import RegisterAddressHandler
from handlers.base import Context, Handler, Reply
from handlers.cancel import CancelHandler, NothingToCancelHandler
from handlers.consult import ConsultHandler, KnowledgeLike
from handlers.fallback import ClarifyHandler, FallbackHandler
from handlers.forward import ForwardToStaffHandler
from handlers.help import GreetingHelpHandler
from handlers.human import HumanHandler
from handlers.jobs import job_handlers
from handlers.media import MediaHandler
from handlers.reports import report_handlers
from handlers.volunteers import volunteer_handlers
from handlers.welcome import (
    SilentEventHandler,
    SubscribeHandler,
    UnknownKindHandler,
    UnsubscribeHandler,
)

log = logging.getLogger(__name__)

# Intents understood today whose dedicated services arrive with later work; until then
# a person picks them up, so nothing a resident asks is dropped.
FORWARDED_INTENTS = frozenset(
    {
        "report_problem",
        "meal_request",
        "volunteer_signup",
        "task_accept",
        "task_done",
        "job_seek",
        "job_apply",
        "status_query",
        "rate",
    }
)


class Router:
    def __init__(self, handlers: Sequence[Handler], fallback: Handler) -> None:
        self.handlers = tuple(handlers)
        self.fallback = fallback

    def dispatch(self, ctx: Context) -> tuple[str, Reply]:
        for handler in self.handlers:
            if handler.matches(ctx):
                return handler.name, handler.handle(ctx)
        return self.fallback.name, self.fallback.handle(ctx)


def build_router(
    community_name: str, knowledge: Callable[[], Sequence[KnowledgeLike]] = tuple
) -> Router:
    return Router(
        handlers=[
            SubscribeHandler(community_name),
            UnsubscribeHandler(),
            SilentEventHandler(),
            UnknownKindHandler(),
            CancelHandler(),  # leaves a multi-step flow; other cancels go to features
            RegisterAddressHandler(),
            ClarifyHandler(),
            # Feature handlers: one line per feature module, in priority order.
            *volunteer_handlers(),  # defers to other features' open questions
            *job_handlers(),
            *report_handlers(),
            # (end of feature handlers)
            GreetingHelpHandler(),
            HumanHandler(),
            ConsultHandler(knowledge),
            ForwardToStaffHandler(FORWARDED_INTENTS),
            NothingToCancelHandler(),
            MediaHandler(),
        ],
        fallback=FallbackHandler(),
    )
