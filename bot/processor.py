"""The inbound path after the wire: dedupe, store, lock, understand, handle, persist."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.attributes import set_committed_value

from bot.locks import Held, UserLocks
from bot.reply_slot import ReplySlot
from handlers.base import Context, Reply, Understood
from handlers.context import contextualize
from handlers.dialogue import DialogueState, DialogueStore
from handlers.human import hand_over_failed_message
from handlers.message import Incoming
from handlers.router import Router
from handlers.texts import TIMED_OUT
from storage.clock import china_today
from storage.models import InboundMessage, utcnow
from storage.outbound.deliveries import plan_delivery
from storage.outbound.queues import jobs_added
from storage.residents.queries import get_or_create_resident
from storage.situation import Situation, load_situation
from storage.writes import finish_inbound, insert_if_new, touch_resident

log = logging.getLogger(__name__)

HOLDING_REPLY = "收到，正在为您处理，稍后把结果发给您。"
APOLOGY = "抱歉，系统刚才出了点问题，您的消息已记录，工作人员会跟进。也可以稍后再试。"
STALE_ATTEMPT = timedelta(seconds=30)


class StorageUnavailable(Exception):
    """The message could not be stored: WeChat must retry, so answer with an error status."""


class StillInProgress(Exception):
    """Another attempt at the same message is running and has not finished in time."""


class LockBusy(StillInProgress):
    """The user's lock was not free within `lock_wait`: try again (another message of theirs)."""


@dataclass
class Outcome:
    reply_text: str | None
    reply_time: int
    outbox_ids: list[int] = field(default_factory=list)
    duplicate: bool = False


class MessageProcessor:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        router: Router,
        dialogues: DialogueStore,
        locks: UserLocks,
        understand: Callable[..., Understood],
        dialogue_ttl: int = 1800,
        drain: Callable[[list[int]], None] | None = None,
        before_handling: Callable[[], None] | None = None,
    ) -> None:
        self._drain = drain
        self._before_handling = before_handling
        self._factory = session_factory
        self._router = router
        self._dialogues = dialogues
        self._locks = locks
        self._understand = understand
        self._dialogue_ttl = dialogue_ttl

    def process(
        self, msg: Incoming, slot: ReplySlot, deadline: float, lock_wait: float | None = None
    ) -> Outcome:
        """`lock_wait`: give up on the user's lock after this long (LockBusy), so that the
        caller can wait for it without holding a handler thread; None: until `deadline`."""
        wait = max(deadline - time.monotonic(), 0.05)
        read_key = self._dialogues.key(msg.openid)
        with self._locks.hold(msg.openid, min(wait, lock_wait or wait), read_key=read_key) as held:
            if not held.ok:
                raise (LockBusy if lock_wait else StillInProgress)(msg.dedup_key)
            inbound_id, previous = self._store(msg, deadline)
            if previous is not None:
                slot.claim_passive()
                return previous
            slot.mark_stored()
            if held.prefetch_valid:
                dialogue = self._dialogues.decode(held.prefetched)
            else:
                dialogue = self._dialogues.load(msg.openid)
            return self._handle(msg, inbound_id, slot, dialogue, held)

    def rehandle(
        self, msg: Incoming, inbound_id: int, slot: ReplySlot, deadline: float
    ) -> Outcome | None:
        """Handle an already stored message whose first attempt died (bot.reaper claims
        it first). None when it was finished meanwhile; the reply follows the slot."""
        wait = max(deadline - time.monotonic(), 0.05)
        read_key = self._dialogues.key(msg.openid)
        with self._locks.hold(msg.openid, wait, read_key=read_key) as held:
            if not held.ok:
                raise StillInProgress(msg.dedup_key)
            with self._factory() as session:
                status = session.scalar(
                    select(InboundMessage.status).where(InboundMessage.id == inbound_id)
                )
            if status != "received":
                return None
            slot.mark_stored()
            if held.prefetch_valid:
                dialogue = self._dialogues.decode(held.prefetched)
            else:
                dialogue = self._dialogues.load(msg.openid)
            return self._handle(msg, inbound_id, slot, dialogue, held)

    # -- storing ---------------------------------------------------------------------------

    def _store(self, msg: Incoming, deadline: float) -> tuple[int, Outcome | None]:
        """Store the message, or find the earlier copy of a retried one."""
        while True:
            try:
                with self._factory() as session:
                    new_id = insert_if_new(session, self._new_row(msg))
                    session.commit()
                    if new_id is not None:
                        return new_id, None
                    existing = session.scalar(
                        select(InboundMessage).where(InboundMessage.dedup_key == msg.dedup_key)
                    )
                    if existing is not None:
                        if existing.status != "received":
                            return existing.id, _stored_outcome(existing)
                        if utcnow() - existing.received_at > STALE_ATTEMPT:
                            log.warning("taking over abandoned attempt at %s", msg.dedup_key)
                            return existing.id, None
            except IntegrityError:
                pass  # a concurrent copy was stored first: look again
            except SQLAlchemyError as exc:
                raise StorageUnavailable(str(exc)) from exc
            if time.monotonic() > deadline:
                raise StillInProgress(msg.dedup_key)
            time.sleep(0.05)

    @staticmethod
    def _new_row(msg: Incoming) -> dict[str, Any]:
        return {
            "dedup_key": msg.dedup_key,
            "openid": msg.openid,
            "msg_type": msg.msg_type,
            "event": msg.event,
            "content": msg.text or msg.content,
            "payload": msg.raw,
            "created_at": msg.created_at,
            "received_at": utcnow(),
            "status": "received",
        }

    # -- handling --------------------------------------------------------------------------

    def _handle(
        self,
        msg: Incoming,
        inbound_id: int,
        slot: ReplySlot,
        dialogue: DialogueState | None,
        held: Held | None = None,
    ) -> Outcome:
        now = utcnow()
        note = None
        if dialogue is not None and dialogue.expired(now):
            self._dialogues.clear(msg.openid)
            flow = self._router.flows.get(dialogue.flow)
            note = flow.timeout_text if flow else TIMED_OUT
            dialogue = None
        if self._before_handling is not None:
            self._before_handling()
        session = self._factory()
        ctx: Context | None = None
        try:
            resident = get_or_create_resident(session, msg.openid, now)
            touched = (msg.event or "").lower() != "unsubscribe"
            if touched:
                # Seen by the handler at once, written with the message's own row at the
                # end (not at the first autoflush): on SQLite the write lock is then held
                # only from the handler's own first write, not for the whole handling.
                set_committed_value(resident, "last_message_at", now)
                set_committed_value(resident, "cs_quota_used", 0)
            situation = load_situation(session, resident.id, resident.household_id is not None)
            understood = self._understand_message(msg, dialogue, situation, now)
            ctx = Context(
                session=session,
                message=msg,
                resident=resident,
                understood=understood,
                dialogue=dialogue,
                now=now,
                inbound_id=inbound_id,
                understand=self._understand_text,
                next_dialogue=dialogue,
                dialogue_note=note,
                redispatch=self._redispatch,
                situation=situation,
            )
            handler_name, reply = self._router.dispatch(ctx)
            if touched:
                touch_resident(session, resident)
            text = reply.text
            if text is not None and ctx.dialogue_note:
                text = f"{ctx.dialogue_note}\n{text}"
            outcome = self._finish(session, ctx, inbound_id, handler_name, text, slot)
        except Exception:
            session.rollback()
            log.exception("handling %s failed", msg.dedup_key)
            return self._record_failure(msg, inbound_id, slot)
        finally:
            session.close()
        self._save_dialogue(msg.openid, dialogue, ctx, held)
        return outcome

    def _redispatch(self, ctx: Context, text: str) -> Reply:
        """Run a stored request again, in the same transaction, as if just received."""
        message = replace(ctx.message, msg_type="text", content=text, recognition=None)
        inner = replace(
            ctx,
            message=message,
            understood=self._understand_text(text),
            dialogue=None,
            next_dialogue=None,
            redispatch=None,
        )
        _name, reply = self._router.dispatch(inner)
        if inner.next_dialogue is not None:
            ctx.next_dialogue = inner.next_dialogue
        return reply

    def _understand_text(self, text: str) -> Understood:
        return self._understand(text, china_today())

    def _understand_message(
        self,
        msg: Incoming,
        dialogue: DialogueState | None,
        situation: Situation,
        now: datetime,
    ) -> Understood:
        if msg.msg_type == "event" and (msg.event or "").lower() == "click":
            return Understood(intent=menu_intent(msg.event_key), confidence=1.0)
        text = msg.text
        if not text:
            return Understood(intent="unknown", confidence=0.0)
        understood = self._understand(text, china_today(now))
        return contextualize(text, understood, dialogue, situation)

    def _finish(
        self,
        session: Session,
        ctx: Context,
        inbound_id: int,
        handler_name: str,
        text: str | None,
        slot: ReplySlot,
    ) -> Outcome:
        replied_at = utcnow()
        status, reply_text = "handled", text
        if not slot.claim_passive():
            # The webhook already gave a holding reply; the real answer follows as a message.
            status, reply_text = "deferred", HOLDING_REPLY
            if text:
                plan_delivery(
                    session,
                    channel="customer_service",
                    recipient=ctx.message.openid,
                    purpose="late_reply",
                    payload={"text": text},
                    idempotency_key=f"late_reply:{inbound_id}",
                )
        session.flush()
        finish_inbound(
            session,
            inbound_id,
            status=status,
            reply_text=reply_text,
            replied_at=replied_at,
            intent=ctx.understood.intent if handler_name != "fallback" else "unknown",
        )
        outbox_ids = [job.id for job in jobs_added(session)]
        session.commit()
        if status == "deferred" and self._drain is not None:
            # Nobody is waiting on this thread any more: hand the late reply over now.
            self._drain(outbox_ids)
            outbox_ids = []
        return Outcome(reply_text, int(replied_at.timestamp()), outbox_ids)

    def _record_failure(self, msg: Incoming, inbound_id: int, slot: ReplySlot) -> Outcome:
        """Handling failed: the resident gets the apology, and a person gets the message."""
        passive = slot.claim_passive()
        now = utcnow()
        outbox_ids: list[int] = []
        try:
            with self._factory() as session:
                row = session.get(InboundMessage, inbound_id)
                if row is not None:
                    row.status = "failed"
                    row.reply_text = APOLOGY
                    row.replied_at = now
                resident = get_or_create_resident(session, msg.openid, now)
                hand_over_failed_message(session, resident, inbound_id, msg.text or msg.msg_type)
                if not passive:  # nobody waits for the passive reply: send the apology
                    plan_delivery(
                        session,
                        channel="customer_service",
                        recipient=msg.openid,
                        purpose="late_reply",
                        payload={"text": APOLOGY},
                        idempotency_key=f"late_reply:{inbound_id}",
                    )
                session.flush()
                outbox_ids = [job.id for job in jobs_added(session)]
                session.commit()
        except SQLAlchemyError:
            log.exception("could not mark message %s failed", inbound_id)
        if outbox_ids and self._drain is not None:
            self._drain(outbox_ids)
        return Outcome(APOLOGY, int(now.timestamp()))

    def _save_dialogue(
        self, openid: str, loaded: DialogueState | None, ctx: Context | None, held: Held | None
    ) -> None:
        """Save or clear the state, in the lock's release round trip when possible."""
        if ctx is None:
            return
        state = ctx.next_dialogue
        write = getattr(self._dialogues, "write", None)
        if state is None and loaded is not None:
            if not (held and write and held.write_on_release(*write(openid, None))):
                self._dialogues.clear(openid)
        elif state is not None and state is not loaded:  # the same object: unchanged
            ttl = self._router.flows.ttl_seconds(state.flow, self._dialogue_ttl)
            if not (held and write and held.write_on_release(*write(openid, state, ttl))):
                self._dialogues.save(openid, state, ttl)


def _stored_outcome(row: InboundMessage) -> Outcome:
    replied = row.replied_at or row.received_at
    return Outcome(row.reply_text, int(replied.timestamp()), duplicate=True)


MENU_KEYS = {
    "MENU_HELP": "greeting_help",
    "MENU_ADDRESS": "register_address",
    "MENU_HUMAN": "human",
    "MENU_REPORT": "report_problem",
    "MENU_MEAL": "meal_request",
    "MENU_VOLUNTEER": "volunteer_signup",
    "MENU_JOB": "job_seek",
    "MENU_STATUS": "status_query",
}


def menu_intent(event_key: str | None) -> str:
    return MENU_KEYS.get((event_key or "").upper(), "greeting_help")
