"""Who answers a message: the passive reply, or (past the time budget) a later message."""

from __future__ import annotations

import threading


class ReplySlot:
    """A tiny state machine shared by the request and the thread doing the work.

    unstored → stored → passive (the webhook answers with the real reply)
                      → deferred (the webhook already answered with a holding reply;
                                  the real one goes out as a customer-service message)
    A message that was never stored is never answered with a holding reply: WeChat
    must retry it.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state = "unstored"

    @property
    def state(self) -> str:
        return self._state

    def mark_stored(self) -> None:
        with self._lock:
            if self._state == "unstored":
                self._state = "stored"

    def claim_passive(self) -> bool:
        with self._lock:
            if self._state in ("unstored", "stored"):
                self._state = "passive"
                return True
            return False

    def defer(self) -> bool:
        with self._lock:
            if self._state == "stored":
                self._state = "deferred"
                return True
            return False
