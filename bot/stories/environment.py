"""What a story may change about the machine it runs on (the server's time zone), and
the guarantee that it is put back."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def server_timezone(name: str | None) -> Iterator[None]:
    """Run as if the machine's TZ were `name` (process-wide, restored after)."""
    if name is None:
        yield
        return
    before = os.environ.get("TZ")
    os.environ["TZ"] = name
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()
