"""Dispatch: handlers are tried in order, the first that matches answers."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from handlers.address import RegisterAddressHandler
from handlers.base import Context, Handler, Reply
from handlers.cancel import CancelHandler
from handlers.consult import ConsultHandler, KnowledgeLike
from handlers.employment import employment_handlers
from handlers.fallback import ClarifyHandler, FallbackHandler
from handlers.flows import Flow, FlowRegistry
from handlers.forward import ForwardToStaffHandler
from handlers.help import GreetingHelpHandler
from handlers.human import HumanHandler
from handlers.media import MediaHandler
from handlers.pairs import pair_handlers
from handlers.polls.answer import poll_handlers
from handlers.projects import project_handlers
from handlers.registry import build_flows
from handlers.reports import report_handlers
from handlers.reports.emergency import EmergencyHandler
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
    }
)


class Router:
    """State-first dispatch.

    1. `first` handlers (account events, emergencies) see every message: nothing waits.
    2. The resident's active flow sees the message next: 取消 means what the flow declares;
       otherwise the flow takes its answer, or lets go (the flow ends, nothing is done).
    3. Intent handlers, in order; the first that matches answers; then the fallback.
    """

    def __init__(
        self,
        handlers: Sequence[Handler],
        fallback: Handler,
        flows: FlowRegistry | None = None,
        first: Sequence[Handler] = (),
    ) -> None:
        self.first = tuple(first)
        self.handlers = tuple(handlers)
        self.fallback = fallback
        self.flows = flows or FlowRegistry([])

    def dispatch(self, ctx: Context) -> tuple[str, Reply]:
        for handler in self.first:
            if handler.matches(ctx):
                return handler.name, handler.handle(ctx)
        if ctx.dialogue is not None:
            flow = self.flows.get(ctx.dialogue.flow)
            if flow is not None:
                if _cancels(ctx, flow):
                    return f"{flow.name}.cancel", flow.cancel(ctx)
                if _asks_for_a_person(ctx, flow):
                    ctx.dialogue = None
                    ctx.next_dialogue = None
                    return self._route(ctx)
                reply = flow.take(ctx)
                if reply is not None:
                    return flow.name, reply
                if flow.passthrough:
                    ctx.next_dialogue = None  # kept in ctx.dialogue for the fallback to count
                    return self._route(ctx)
            # The flow let go: the message is a new request and the flow is over.
            ctx.dialogue = None
            ctx.next_dialogue = None
        return self._route(ctx)

    def _route(self, ctx: Context) -> tuple[str, Reply]:
        for handler in self.handlers:
            if handler.matches(ctx):
                return handler.name, handler.handle(ctx)
        return self.fallback.name, self.fallback.handle(ctx)


def _cancels(ctx: Context, flow: Flow) -> bool:
    """A 取消 that is about this flow (not 取消订餐 while binding an address)."""
    if flow.passthrough or ctx.understood.intent != "cancel" or ctx.message.text is None:
        return False  # after a misunderstanding, 取消 is routed to what it is about
    text = ctx.message.text
    named = [w for w in TARGET_WORDS if w in text]
    return not named or any(w in k or k in w for w in named for k in flow.keywords)


def _asks_for_a_person(ctx: Context, flow: Flow) -> bool:
    """转人工 always reaches a person, whatever question is open (but the hand-over itself)."""
    return (
        flow.name != "handover"
        and ctx.understood.intent == "human"
        and ctx.understood.confidence >= 0.8
    )


TARGET_WORDS = ("订餐", "订饭", "饭", "餐", "志愿", "报修", "工单", "问题", "投诉", "报名", "岗位")


def build_router(
    community_name: str, knowledge: Callable[[], Sequence[KnowledgeLike]] = tuple
) -> Router:
    return Router(
        first=[
            SubscribeHandler(community_name),
            UnsubscribeHandler(),
            SilentEventHandler(),
            UnknownKindHandler(),
            EmergencyHandler(),  # danger is filed at once, whatever flow is open
        ],
        flows=build_flows(),
        handlers=[
            CancelHandler(),  # finds what a 取消 is about; lasting actions are confirmed
            RegisterAddressHandler(),
            ClarifyHandler(),
            # Feature handlers: one line per feature module, in priority order.
            *volunteer_handlers(),
            *employment_handlers(),
            *poll_handlers(),
            *pair_handlers(),
            *report_handlers(),
            *project_handlers(),
            # (end of feature handlers)
            GreetingHelpHandler(),
            HumanHandler(),
            ConsultHandler(knowledge),
            ForwardToStaffHandler(FORWARDED_INTENTS),
            MediaHandler(),
        ],
        fallback=FallbackHandler(),
    )
