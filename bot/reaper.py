"""Messages stored but never handled: a web process died between storing a message and
answering it, and WeChat did not retry. The row stays `received`; this periodic job
handles it again, once, and the answer reaches the resident as a customer-service message
(the processor's deferred path: no one waits on the reply slot).

Exactly once: each row is claimed by a compare-and-set on its `received_at` (the value
read must still be there), which also moves it out of reach of the next sweep; under the
resident's lock the processor then checks the row is still `received`. A claimed row
whose handling dies again is claimed again after REAP_AFTER, at most MAX_CLAIMS times;
then it is marked `failed` for staff to see rather than crash a worker every minute.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from bot.assembly import build_processor
from bot.processor import APOLOGY, MessageProcessor, StillInProgress
from bot.reply_slot import ReplySlot
from bot.runtime import Runtime, get_runtime
from bot.security import RequestRejected
from bot.wire import to_incoming
from handlers.message import Incoming
from storage.models import InboundMessage, utcnow

log = logging.getLogger(__name__)

# Well past the webhook's 5 s and WeChat's three tries, and past the processor's own
# takeover of a stale attempt (STALE_ATTEMPT), so a live attempt is never raced.
REAP_AFTER = timedelta(seconds=60)
BATCH = 50
MAX_CLAIMS = 3
LOCK_WAIT_SECONDS = 10.0
# Kept in the stored payload (WeChat's fields never start with "_").
CLAIMS_KEY = "_reaper_claims"

_built: tuple[Runtime, MessageProcessor] | None = None


def _processor(runtime: Runtime) -> MessageProcessor:
    global _built
    if _built is None or _built[0] is not runtime:
        _built = (runtime, build_processor(runtime)[0])
    return _built[1]


def incoming_from_row(row: InboundMessage) -> Incoming:
    """The message as the webhook parsed it, from the WeChat fields stored with it."""
    fields = {k: str(v) for k, v in (row.payload or {}).items() if not k.startswith("_")}
    return to_incoming(fields)


def _claim(runtime: Runtime, row_id: int, cutoff: datetime, now: datetime) -> Incoming | None:
    """Take one abandoned row for this sweep, or None when another sweep (or the
    original attempt) got there first, or when it has been tried too often."""
    with runtime.session_factory() as session:
        row = session.get(InboundMessage, row_id)
        if row is None or row.status != "received" or row.received_at >= cutoff:
            return None
        payload: dict[str, Any] = dict(row.payload or {})
        claims = int(payload.get(CLAIMS_KEY) or 0)
        give_up = claims >= MAX_CLAIMS
        values: dict[str, Any] = (
            {"status": "failed", "reply_text": APOLOGY, "replied_at": now}
            if give_up
            else {"received_at": now, "payload": {**payload, CLAIMS_KEY: claims + 1}}
        )
        taken = session.execute(
            update(InboundMessage)
            .where(
                InboundMessage.id == row_id,
                InboundMessage.status == "received",
                InboundMessage.received_at == row.received_at,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        session.commit()
        if not taken.rowcount:  # type: ignore[attr-defined]
            return None
        if give_up:
            log.error("inbound %s failed %d times; marked failed", row_id, claims)
            return None
        try:
            return incoming_from_row(row)
        except RequestRejected as exc:
            log.error("inbound %s cannot be parsed again (%s); marked failed", row_id, exc)
            session.execute(
                update(InboundMessage)
                .where(InboundMessage.id == row_id)
                .values(status="failed", replied_at=now)
            )
            session.commit()
            return None


def reap_inbound(now: datetime | None = None, limit: int = BATCH) -> int:
    """Handle again what crashed processes left `received`. Returns how many."""
    runtime = get_runtime()
    moment = now or utcnow()
    cutoff = moment - REAP_AFTER
    with runtime.session_factory() as session:
        ids = list(
            session.scalars(
                select(InboundMessage.id)
                .where(InboundMessage.status == "received", InboundMessage.received_at < cutoff)
                .order_by(InboundMessage.id)
                .limit(limit)
            )
        )
    handled = 0
    for row_id in ids:
        msg = _claim(runtime, row_id, cutoff, moment)
        if msg is None:
            continue
        slot = ReplySlot()
        slot.mark_stored()
        slot.defer()  # nobody waits: the answer is planned as a late reply
        try:
            outcome = _processor(runtime).rehandle(
                msg, row_id, slot, time.monotonic() + LOCK_WAIT_SECONDS
            )
        except StillInProgress:
            log.warning("inbound %s: the resident's lock is busy; next sweep", row_id)
            continue
        if outcome is not None:
            handled += 1
            log.warning("inbound %s (%s) handled again after a crash", row_id, msg.dedup_key)
    return handled
