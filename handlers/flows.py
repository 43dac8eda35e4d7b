"""Multi-step conversations, declared in one registry.

A flow has named steps (each says what it waits for), a timeout, and a meaning for 取消.
Routing is state-first: the resident's active flow sees each message before intent
routing. Its `take` either answers (the message was an answer to our question) or returns
None (the message is clearly something else), and then the flow is left and intent routing
has the message. Flows never act on a cancel by guessing: `on_cancel` says truthfully what
取消 did here (nothing lasting ever happens without a confirmation step).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from handlers.base import Context, Handler, Reply
from handlers.dialogue import DialogueState

Take = Callable[[Context], Reply | None]


@dataclass(frozen=True)
class Flow:
    name: str
    # step name → what the step waits for, in words (for people reading logs and docs)
    steps: Mapping[str, str]
    timeout: timedelta
    take: Take
    # What 取消 means in this flow; the reply says exactly what happened.
    cancel_text: str
    on_cancel: Callable[[Context], Reply] | None = None
    # Said (before the next answer) when the resident comes back after the timeout.
    timeout_text: str = "（上一步太久没有回复，已自动结束，没有办理任何事项。）"
    keywords: frozenset[str] = field(default_factory=frozenset)
    # A flow that only colours understanding (a numbered choice): intent routing answers,
    # and the state stays for the fallback to count misses.
    passthrough: bool = False

    def cancel(self, ctx: Context) -> Reply:
        if self.on_cancel is not None:
            return self.on_cancel(ctx)
        ctx.next_dialogue = None
        return Reply(self.cancel_text)


class FlowRegistry:
    def __init__(self, flows: Iterable[Flow]) -> None:
        self._flows: dict[str, Flow] = {}
        for flow in flows:
            if flow.name in self._flows:
                raise ValueError(f"flow {flow.name} declared twice")
            self._flows[flow.name] = flow

    def get(self, name: str) -> Flow | None:
        return self._flows.get(name)

    def names(self) -> tuple[str, ...]:
        return tuple(self._flows)

    def ttl_seconds(self, name: str, default: int) -> int:
        flow = self._flows.get(name)
        return int(flow.timeout.total_seconds()) if flow else default

    def __iter__(self) -> Iterator[Flow]:
        return iter(self._flows.values())


def start(ctx: Context, flow: str, step: str, **data: object) -> None:
    """Put the resident into a flow once this message is handled."""
    ctx.next_dialogue = DialogueState(flow=flow, step=step, data=dict(data))


def in_flow(ctx: Context, flow: str, step: str | None = None) -> bool:
    d = ctx.dialogue
    return d is not None and d.flow == flow and (step is None or d.step == step)


def take_with(handler: Handler) -> Take:
    """A flow whose answers a handler reads: it takes what the handler matches."""

    def take(ctx: Context) -> Reply | None:
        if handler.matches(ctx):
            return handler.handle(ctx)
        return None

    return take
