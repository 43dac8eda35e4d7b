"""A race in RQ's burst workers that cost the suite over a minute.

`Worker.work()` subscribes to the worker's command channel with a redis-py
`PubSubWorkerThread`; at the end it stops that thread and joins it with a one-second
timeout. When the burst is short (an empty or nearly empty queue, which is most bursts
in these tests), `stop()` can run before the new thread has reached `run()`: the thread
then sets its running flag itself, keeps listening, and the join waits the full second
(and leaves the thread behind, blocked on a closed connection). Measured: about 4 in
10 bursts paid that second; tests and stories run ~200 bursts.

A second race has the same cost: `unsubscribe` sends UNSUBSCRIBE before it stops the
thread, and when the thread reads the confirmation first it goes back to waiting (for a
new subscription, up to a minute) and the join again waits its full second.

`patch_pubsub_race()` makes `unsubscribe` wait (a few milliseconds at most) until the
thread is listening, then stop it before UNSUBSCRIBE is sent, so the confirmation wakes
a thread that has been told to end. The worker still subscribes, still answers
commands, and still unsubscribes; only the race is gone. It patches this test process
alone: the `shequ worker` and `rq worker` processes the end-to-end tests start are
untouched (they pay the second once, when they stop).
"""

from __future__ import annotations

import time
from typing import Any

from rq.worker.base import BaseWorker

_PATCHED = "_shequ_tests_waits_for_listener"


def _wait_until_listening(thread: Any, timeout: float = 1.0) -> None:
    running = getattr(thread, "_running", None)
    if running is None:  # another redis-py: nothing to wait for
        return
    deadline = time.monotonic() + timeout
    while thread.is_alive() and not running.is_set() and time.monotonic() < deadline:
        time.sleep(0.001)


def patch_pubsub_race() -> None:
    original = BaseWorker.unsubscribe
    if getattr(original, _PATCHED, False):
        return

    def unsubscribe(self: BaseWorker) -> None:
        if self.pubsub_thread is not None:
            _wait_until_listening(self.pubsub_thread)
            self.pubsub_thread.stop()
        original(self)

    setattr(unsubscribe, _PATCHED, True)
    BaseWorker.unsubscribe = unsubscribe  # type: ignore[method-assign]
