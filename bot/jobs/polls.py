"""RQ jobs of polls (民调): the periodic tick that starts due rounds and moves unanswered
households to the phone list, and starting one poll's round now (the console's 立即发送).
Each round's first question is planned in the same transaction as the round; after the
commit each household asked by chat gets the answer flow (bot.flow_starts)."""

from __future__ import annotations

import logging
from datetime import datetime

from bot.flow_starts import start_flow
from bot.runtime import get_runtime
from handlers.dialogue import DialogueState
from handlers.polls.answer import FLOW, STEP
from storage.clock import now as clock_now
from storage.outbound.platform_rules import template_allowed
from storage.polls.scheduling import Started, due_poll_ids, expire_chat, start_round

log = logging.getLogger(__name__)


def _template_ok() -> bool:
    settings = get_runtime().settings
    return template_allowed(settings.account_type, settings.account_verified)


def _start_flows(started: Started) -> int:
    """The answer flow for everyone asked by chat (never over another open conversation:
    such a resident's household goes on the phone list when the chat time is over)."""
    count = 0
    for openid, target_id in started.asked:
        state = DialogueState(flow=FLOW, step=STEP, data={"target_id": target_id, "misses": 0})
        count += start_flow(openid, state, replaceable=(FLOW,))
    return count


def _run_round(poll_id: int, current: datetime, force: bool) -> dict[str, int]:
    runtime = get_runtime()
    with runtime.session_factory() as session:
        started = start_round(
            session, poll_id, now=current, template_ok=_template_ok(), force=force
        )
        if started is None:
            session.rollback()
            return {"asked": 0, "phone": 0}
        runtime.commit(session)
    flows = _start_flows(started)
    log.info(
        "poll %s round %s: %d asked by chat (%d flows), %d on the phone list",
        poll_id,
        started.round.number,
        len(started.asked),
        flows,
        started.phone,
    )
    return {"asked": len(started.asked), "phone": started.phone}


def start_poll_round(poll_id: int, now: datetime | None = None) -> dict[str, int]:
    """Staff pressed 立即发送: the round starts now even if the cadence says later."""
    return _run_round(poll_id, now or clock_now(), force=True)


def tick(now: datetime | None = None) -> dict[str, int]:
    current = now or clock_now()
    runtime = get_runtime()
    totals = {"rounds": 0, "asked": 0, "phone": 0, "expired": 0}
    with runtime.session_factory() as session:
        due = due_poll_ids(session, current)
    for poll_id in due:
        counts = _run_round(poll_id, current, force=False)
        totals["rounds"] += 1 if counts["asked"] or counts["phone"] else 0
        totals["asked"] += counts["asked"]
        totals["phone"] += counts["phone"]
    with runtime.session_factory() as session:
        totals["expired"] = expire_chat(session, current)
        runtime.commit(session)
    return totals
