"""Poll fixtures: the service clock frozen on a Monday morning, real RQ workers over every
queue, signed-in consoles, and helpers to compose and start a poll through the console API
and to read targets, answers and what the sandbox platform received."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pytest
from redis import Redis
from sqlalchemy import select

from bot.runtime import Runtime
from storage.clock import CHINA, FrozenClock, set_clock
from storage.models import Household, PollAnswer, PollTarget, Resident, SandboxRecord
from tests.admin.conftest import Console, signed_in_consoles
from tests.conftest import InProcessApp
from tests.notices.conftest import run_all_work

ELDERLY_POLL: dict[str, Any] = {
    "title": "12月独居空巢老人回访",
    "intro": "社区想了解一下您最近的情况。",
    "questions": [
        {"kind": "score", "text": "您对社区最近的服务打几分？"},
        {"kind": "choice", "text": "您最近身体怎么样？", "options": ["挺好", "一般", "不太好"]},
        {"kind": "text", "text": "有什么需要社区帮忙的吗？"},
    ],
    "population": {"kind": "care", "tags": ["独居老人", "空巢老人"]},
}


@pytest.fixture
def clock() -> Iterator[FrozenClock]:
    moment = FrozenClock(datetime(2026, 12, 7, 10, 0, tzinfo=CHINA))
    set_clock(moment)
    yield moment
    set_clock(None)


@pytest.fixture
def work(runtime: Runtime, redis: Redis) -> Callable[[], int]:
    return lambda: run_all_work(runtime, redis)


@pytest.fixture
def console(live_server: InProcessApp) -> Iterator[Callable[[str], Console]]:
    yield from signed_in_consoles(live_server)


def compose(staff: Console, body: dict[str, Any] | None = None) -> dict[str, Any]:
    response = staff.api_post("/admin/api/polls", body or ELDERLY_POLL)
    assert response.status_code == 201, response.text
    return dict(response.json())


def start(staff: Console, poll_id: int, work: Callable[[], int]) -> dict[str, Any]:
    response = staff.api_post(f"/admin/api/polls/{poll_id}/start")
    assert response.status_code == 200, response.text
    work()
    return dict(staff.http.get(f"/admin/api/polls/{poll_id}").json())


def targets(runtime: Runtime, poll_id: int) -> dict[str, PollTarget]:
    """The newest round's targets by address (3-2-501)."""
    with runtime.session_factory() as session:
        found: dict[str, PollTarget] = {}
        query = select(PollTarget).where(PollTarget.poll_id == poll_id).order_by(PollTarget.id)
        for target in session.scalars(query):
            household = session.get(Household, target.household_id)
            assert household is not None
            unit = household.unit
            found[f"{unit.building.number}-{unit.number}-{household.room}"] = target
            session.expunge(target)
        return found


def answers(runtime: Runtime, target_id: int) -> list[PollAnswer]:
    with runtime.session_factory() as session:
        query = select(PollAnswer).where(PollAnswer.target_id == target_id)
        return list(session.scalars(query.order_by(PollAnswer.question)))


def received(runtime: Runtime, openid: str) -> list[SandboxRecord]:
    with runtime.session_factory() as session:
        query = select(SandboxRecord).where(SandboxRecord.target == openid)
        return list(session.scalars(query.order_by(SandboxRecord.id)))


def resident_id(runtime: Runtime, openid: str) -> int:
    with runtime.session_factory() as session:
        return int(session.scalars(select(Resident.id).where(Resident.openid == openid)).one())
