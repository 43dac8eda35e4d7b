"""Volunteer and meal-delivery fixtures: the live service (webhook + sandbox + console),
real RQ workers in burst mode over every queue, and the sandbox's record of what each
WeChat user received."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from redis import Redis
from sqlalchemy import select

from bot.runtime import Runtime
from storage.clock import CHINA, FrozenClock, set_clock
from storage.models import Resident, VolunteerProfile, VolunteerTask
from storage.volunteers.profiles import LOCAL_TZ
from tests.admin.conftest import Console, signed_in
from tests.conftest import InProcessApp
from tests.notices.conftest import run_all_work


class Sandbox:
    def __init__(self, server: InProcessApp) -> None:
        self.http = server.client(base_url=server.url + "/sandbox/api")

    def records(self, target: str | None = None, kind: str | None = None) -> list[dict[str, Any]]:
        params = {k: v for k, v in {"kind": kind, "target": target}.items() if v}
        response = self.http.get("/records", params={**params, "limit": 1000})
        response.raise_for_status()
        return list(response.json()["records"])

    def texts(self, target: str) -> list[str]:
        """Everything this user was sent (customer-service and template messages)."""
        return [
            str(r["text"]) + str(r["payload"])
            for r in self.records(target)
            if r["kind"] in ("custom", "template")
        ]


@pytest.fixture
def sandbox(live_server: InProcessApp) -> Iterator[Sandbox]:
    box = Sandbox(live_server)
    yield box
    box.http.close()


@pytest.fixture
def clock() -> Iterator[FrozenClock]:
    """The service's clock, frozen at 2026-12-04 04:15 China time (moved by the test)."""
    frozen = FrozenClock(datetime(2026, 12, 4, 4, 15, tzinfo=CHINA))
    set_clock(frozen)
    yield frozen
    set_clock(None)


@pytest.fixture
def work(runtime: Runtime, redis: Redis) -> Callable[[], int]:
    """Run queued work to completion: drain the outbox, run a burst worker, repeat."""
    return lambda: run_all_work(runtime, redis, timeout=30)


@pytest.fixture
def canteen(live_server: InProcessApp) -> Iterator[Console]:
    yield from signed_in(live_server, "canteen")


def tomorrow() -> date:
    return (datetime.now(UTC).astimezone(LOCAL_TZ) + timedelta(days=1)).date()


def add_volunteer(
    runtime: Runtime, openid: str, grid_id: int, *, recent: bool = True, skills: Any = None
) -> int:
    """A volunteer who has (recently) written to the account, so offers go as cs messages."""
    with runtime.session_factory() as session:
        resident = Resident(
            openid=openid,
            name=f"志愿者{openid[-3:]}",
            roles=["resident", "volunteer"],
            phone="13700000000",
            last_message_at=datetime.now(UTC) if recent else None,
        )
        session.add(resident)
        session.flush()
        profile = VolunteerProfile(
            resident_id=resident.id,
            community_id=1,
            grid_id=grid_id,
            skills=skills or ["送餐"],
            status="active",
        )
        session.add(profile)
        session.commit()
        return profile.id


def task_row(runtime: Runtime, task_id: int) -> VolunteerTask:
    with runtime.session_factory() as session:
        task = session.get(VolunteerTask, task_id)
        assert task is not None
        return task


def profile_id(runtime: Runtime, openid: str) -> int:
    with runtime.session_factory() as session:
        found = session.scalar(
            select(VolunteerProfile.id)
            .join(Resident, Resident.id == VolunteerProfile.resident_id)
            .where(Resident.openid == openid)
        )
        assert found is not None
        return int(found)


CreateTask = Callable[..., dict[str, Any]]


@pytest.fixture
def create_task(canteen: Console) -> CreateTask:
    def make(address: str = "8-1-402", slot: str = "lunch", when: date | None = None) -> Any:
        building, unit, room = address.split("-")
        response = canteen.api_post(
            "/admin/api/canteen/tasks",
            json={
                "building": building,
                "unit": unit,
                "room": room,
                "meal_date": (when or tomorrow()).isoformat(),
                "slot": slot,
            },
        )
        assert response.status_code == 200, response.text
        return response.json()

    return make
