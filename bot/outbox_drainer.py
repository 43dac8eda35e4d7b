"""Handing a message's outbox jobs to RQ off the request path, in batches.

The webhook used to drain each message's jobs itself after the reply (a session, a claim
and a mark per message, two write transactions; the keep-alive connection waited for it).
Now it only hands the ids to this process's drainer thread, which takes everything handed
over meanwhile and drains it in one go (`storage.outbound.queues.drain_outbox` batches
claim, Redis pipeline and mark). What it cannot push (Redis down, a crash) stays in the
outbox for the scheduler's periodic drain, as before.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Callable

log = logging.getLogger(__name__)

LINGER_SECONDS = 0.005  # gather a burst's jobs into one drain
_ALL: weakref.WeakSet[OutboxDrainer] = weakref.WeakSet()


def wait_all_idle(timeout: float = 10.0) -> bool:
    """Until every drainer of this process has drained what it was handed (an explicit
    drain then sees a settled outbox)."""
    deadline = time.monotonic() + timeout
    return all(d.wait_idle(max(deadline - time.monotonic(), 0)) for d in list(_ALL))


class OutboxDrainer:
    def __init__(self, drain: Callable[[list[int]], object]) -> None:
        self._drain = drain
        self._pending: list[int] = []
        self._busy = False
        self._closed = False
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self.batches = 0  # drains run (for tests and benchmarks)
        _ALL.add(self)

    def submit(self, ids: list[int]) -> None:
        if not ids:
            return
        with self._cond:
            if self._closed:
                return  # the scheduler drains what is left
            self._pending.extend(ids)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="outbox-drainer", daemon=True
                )
                self._thread.start()
            self._cond.notify_all()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Until everything handed over has been drained (True), or `timeout` passes."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._pending or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def close(self, timeout: float = 5.0) -> None:
        self.wait_idle(timeout)
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._pending and not self._closed:
                    self._cond.wait()
                if self._closed and not self._pending:
                    return
                self._busy = True
            time.sleep(LINGER_SECONDS)
            with self._cond:
                ids, self._pending = self._pending, []
            try:
                self._drain(ids)
            except Exception:  # the scheduler drains whatever is left
                log.exception("outbox drain after reply failed")
            finally:
                with self._cond:
                    self.batches += 1
                    self._busy = bool(self._pending)
                    self._cond.notify_all()
