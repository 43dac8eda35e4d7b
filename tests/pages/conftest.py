"""Fixtures for the console pages: signed-in browsers against the live app."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.admin.conftest import Console, signed_in_consoles
from tests.conftest import InProcessApp


@pytest.fixture
def console(live_server: InProcessApp) -> Iterator[Callable[[str], Console]]:
    yield from signed_in_consoles(live_server)
