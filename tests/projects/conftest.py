"""Three-lists fixtures: residents report through the real webhook, staff use the
console over HTTP, real RQ workers send what was planned."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from redis import Redis

from bot.runtime import Runtime
from tests.admin.conftest import Console, signed_in_consoles
from tests.conftest import InProcessApp
from tests.notices.conftest import run_all_work
from tests.reports.conftest import report

__all__ = ["report"]


@pytest.fixture
def work(runtime: Runtime, redis: Redis) -> Callable[[], None]:
    return lambda: run_all_work(runtime, redis)


@pytest.fixture
def console(live_server: InProcessApp) -> Iterator[Callable[[str], Console]]:
    yield from signed_in_consoles(live_server)
