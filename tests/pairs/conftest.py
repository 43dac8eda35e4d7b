"""结对帮扶 fixtures: the live service, a grid worker's console, a controlled clock, and
helpers that read what was stored and what was planned to be sent."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select

from bot.runtime import Runtime
from storage.clock import CHINA, FrozenClock, set_clock
from storage.models import Delivery, Resident, VolunteerProfile
from storage.outbound.deliveries import list_deliveries
from tests.admin.conftest import Console, signed_in, signed_in_consoles
from tests.conftest import InProcessApp


@pytest.fixture
def clock() -> Iterator[FrozenClock]:
    """The service's clock, frozen at Monday 2026-12-07 10:00 China time."""
    frozen = FrozenClock(datetime(2026, 12, 7, 10, 0, tzinfo=CHINA))
    set_clock(frozen)
    yield frozen
    set_clock(None)


@pytest.fixture
def zhangmin(live_server: InProcessApp, clock: FrozenClock) -> Iterator[Console]:
    """The grid worker of grids 1 and 2 (王奶奶 lives in 3号楼, grid 1)."""
    yield from signed_in(live_server, "zhangmin")


@pytest.fixture
def console(live_server: InProcessApp, clock: FrozenClock) -> Iterator[Callable[[str], Console]]:
    """Sign a staff member in on a new browser."""
    yield from signed_in_consoles(live_server)


def volunteer_id(runtime: Runtime, openid: str) -> int:
    with runtime.session_factory() as session:
        found = session.scalar(
            select(VolunteerProfile.id)
            .join(Resident, Resident.id == VolunteerProfile.resident_id)
            .where(Resident.openid == openid)
        )
        assert found is not None
        return int(found)


def resident_id(runtime: Runtime, openid: str) -> int:
    with runtime.session_factory() as session:
        found = session.scalar(select(Resident.id).where(Resident.openid == openid))
        assert found is not None
        return int(found)


def make_pair(
    console: Console,
    runtime: Runtime,
    address: str = "3-2-501",
    volunteer: str | None = "demo-sunqiang",
    kind: str = "空巢老人",
) -> dict[str, Any]:
    body = {
        "kind": kind,
        "members": [{"address": address}],
        "volunteer_id": volunteer_id(runtime, volunteer) if volunteer else None,
    }
    response = console.api_post("/admin/api/pairs", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def set_last_message(runtime: Runtime, openid: str, at: datetime | None, used: int = 0) -> None:
    with runtime.session_factory() as session:
        resident = session.scalars(select(Resident).where(Resident.openid == openid)).one()
        resident.last_message_at = at
        resident.cs_quota_used = used
        session.commit()


def planned(runtime: Runtime, purpose: str, recipient: str | None = None) -> list[Delivery]:
    with runtime.session_factory() as session:
        return list_deliveries(session, purpose=purpose, recipient=recipient)
