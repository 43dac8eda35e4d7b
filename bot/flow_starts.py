"""Background jobs that start a conversation (a rating question, a task offer, a receipt
question) set the resident's flow through here: under the same per-user lock the message
path takes, with the timeout the flow registry declares, and never over a conversation the
resident is in the middle of."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from bot.dialogue_store import RedisDialogueStore
from bot.locks import UserLocks
from bot.runtime import get_runtime
from handlers.dialogue import DialogueState
from handlers.registry import build_flows
from storage.orm import utcnow

log = logging.getLogger(__name__)
LOCK_WAIT_SECONDS = 2.0
_flows = build_flows()


def start_flow(openid: str, state: DialogueState, replaceable: Iterable[str] = ()) -> bool:
    """Start `state` unless another live flow (not in `replaceable`) is open.
    Returns whether the state was written."""
    runtime = get_runtime()
    store = RedisDialogueStore(runtime.redis)
    locks = UserLocks(runtime.redis)
    keep = {state.flow, "not_understood", *replaceable}
    with locks.hold(openid, LOCK_WAIT_SECONDS) as held:
        if not held.ok:
            log.info(
                "flow %s for %s not started: the resident is being answered", state.flow, openid
            )
            return False
        current = store.load(openid)
        if current is not None and not current.expired(utcnow()) and current.flow not in keep:
            return False  # the resident is in the middle of something else
        ttl = _flows.ttl_seconds(state.flow, runtime.settings.dialogue_ttl_seconds)
        store.save(openid, state, ttl)
        return True
