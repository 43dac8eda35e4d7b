"""Notice fixtures: the console client (tests/admin), real RQ workers in burst mode over
every queue, and helpers to read what the sandbox platform received."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime

import pytest
from redis import Redis
from rq import Queue, SimpleWorker
from sqlalchemy import select, update

from bot.runtime import Runtime
from storage.models import Building, GroupChannel, Resident, SandboxRecord
from storage.outbound.queues import all_queue_names, pending_count
from tests.admin.conftest import Console, signed_in
from tests.conftest import InProcessApp


def run_all_work(runtime: Runtime, redis: Redis, timeout: float = 60) -> int:
    """Drain the outbox and run a real SimpleWorker over every queue until nothing is left
    (nor waiting in the outbox: the webhook drains its own jobs right after replying).
    Returns how many outbox jobs were drained."""
    total = 0
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        moved = runtime.drain_outbox()
        with runtime.session_factory() as session:
            names = all_queue_names(session)
            unqueued = pending_count(session)
        queues = [Queue(name, connection=redis) for name in names]
        if sum(q.count for q in queues):
            SimpleWorker(queues, connection=redis).work(burst=True)
        elif not moved and not unqueued:
            break
        else:
            time.sleep(0.05)
        total += moved
    return total


@pytest.fixture
def work(runtime: Runtime, redis: Redis) -> Callable[[], None]:
    return lambda: run_all_work(runtime, redis)


@pytest.fixture
def admin(live_server: InProcessApp) -> Iterator[Console]:
    yield from signed_in(live_server, "admin")


@pytest.fixture
def zhangmin(live_server: InProcessApp) -> Iterator[Console]:
    yield from signed_in(live_server, "zhangmin")


def building_id(runtime: Runtime, number: str) -> int:
    with runtime.session_factory() as session:
        return int(session.scalars(select(Building.id).where(Building.number == number)).one())


def records(runtime: Runtime, kind: str, target: str | None = None) -> list[SandboxRecord]:
    with runtime.session_factory() as session:
        query = select(SandboxRecord).where(SandboxRecord.kind == kind)
        if target is not None:
            query = query.where(SandboxRecord.target == target)
        return list(session.scalars(query.order_by(SandboxRecord.id)))


def set_last_message(runtime: Runtime, openid: str, when: datetime | None, used: int = 0) -> None:
    with runtime.session_factory() as session:
        session.execute(
            update(Resident)
            .where(Resident.openid == openid)
            .values(last_message_at=when, cs_quota_used=used)
        )
        session.commit()


def robot_target(runtime: Runtime, number: str) -> str:
    with runtime.session_factory() as session:
        bid = building_id(runtime, number)
        return str(
            session.scalars(
                select(GroupChannel.target).where(
                    GroupChannel.scope == "building", GroupChannel.scope_id == bid
                )
            ).one()
        )
