"""The contract between the dispatcher and handlers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from handlers.dialogue import DialogueState
from handlers.message import Incoming
from storage.models import Resident
from storage.outbound.queues import enqueue_job
from storage.situation import Situation


@dataclass(frozen=True)
class Understood:
    """The nlp result as handlers need it (kept independent of nlp's own types)."""

    intent: str
    confidence: float
    entities: dict[str, str] = field(default_factory=dict)
    evidence: tuple[str, ...] = ()
    alternatives: tuple[tuple[str, float], ...] = ()


UNKNOWN = Understood(intent="unknown", confidence=0.0)


@dataclass
class Context:
    session: Session
    message: Incoming
    resident: Resident
    understood: Understood
    dialogue: DialogueState | None
    now: datetime
    inbound_id: int
    understand: Callable[[str], Understood]
    # The dialogue state to store after this message (None clears it).
    next_dialogue: DialogueState | None = None
    dialogue_note: str | None = None
    # Handle another request as if the resident had just sent it (used to resume a
    # request that had to wait for the address).
    redispatch: Callable[[Context, str], Reply] | None = None
    # What is open for the resident right now, loaded once per message (see storage.situation).
    situation: Situation | None = None

    @property
    def sit(self) -> Situation:
        if self.situation is None:
            self.situation = Situation(resident_id=self.resident.id, bound=False)
        return self.situation

    def enqueue(self, queue: str, func: str, *args: Any) -> None:
        """Follow-up work, enqueued after the transaction commits (durably via the outbox)."""
        enqueue_job(self.session, queue, func, *args)


@dataclass(frozen=True)
class Reply:
    """The passive reply; `None` text means answer WeChat with `success` (no reply)."""

    text: str | None


class Handler(Protocol):
    name: str

    def matches(self, ctx: Context) -> bool: ...

    def handle(self, ctx: Context) -> Reply: ...


class IntentHandler:
    """A handler that matches declared intents and/or events (and optionally a flow)."""

    name = "intent"
    intents: frozenset[str] = frozenset()
    events: frozenset[str] = frozenset()
    flows: frozenset[str] = frozenset()

    def matches(self, ctx: Context) -> bool:
        msg = ctx.message
        if msg.msg_type == "event" and (msg.event or "").lower() != "click":
            return (msg.event or "").lower() in self.events
        if ctx.dialogue is not None and ctx.dialogue.flow in self.flows:
            return True
        return ctx.understood.intent in self.intents

    def handle(self, ctx: Context) -> Reply:  # pragma: no cover - abstract
        raise NotImplementedError
