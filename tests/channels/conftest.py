"""Fixtures for the channel tests. From the root conftest: the real Valkey server, the real
(migrated) database, settings and runtime. Here: the sandbox platform alone, served over
real HTTP by uvicorn in a thread, real in-process RQ workers, and a movable clock."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from redis import Redis
from rq import Queue, SimpleWorker
from sqlalchemy.orm import Session

import bot.jobs.deliveries
from bot.runtime import Runtime
from bot.sandbox.platform import build_platform_router
from storage.models import Resident
from tests.conftest import ServerThread


class PlatformServer(ServerThread):
    """Only the sandbox's WeChat/WeCom stand-in, mounted as the lead's app mounts it."""

    def __init__(self, runtime: Runtime, port: int) -> None:
        app = FastAPI()
        app.state.runtime = runtime
        app.include_router(build_platform_router(), prefix="/sandbox/api")
        super().__init__(app, port)
        self.api = self.url + "/sandbox/api"
        self.http = httpx.Client(timeout=15)

    def stop(self) -> None:
        self.http.close()
        super().stop()

    def control(self, **knobs: Any) -> dict[str, Any]:
        response = self.http.post(self.api + "/control", json=knobs)
        response.raise_for_status()
        return dict(response.json())

    def records(self, kind: str | None = None, target: str | None = None) -> list[dict[str, Any]]:
        params = {k: v for k, v in {"kind": kind, "target": target}.items() if v}
        response = self.http.get(self.api + "/records", params=params)
        response.raise_for_status()
        return list(response.json()["records"])


@pytest.fixture
def platform(runtime: Runtime, server_port: int) -> Iterator[PlatformServer]:
    server = PlatformServer(runtime, server_port)
    server.start()
    yield server
    server.stop()


class FakeClock:
    """Wall-clock time plus an offset the test moves; installed as bot.jobs.deliveries.clock."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(bot.jobs.deliveries, "clock", fake)
    return fake


@pytest.fixture
def work(runtime: Runtime, redis: Redis) -> Callable[[], int]:
    """Drain the outbox, then run a real RQ worker in burst mode; returns jobs drained."""

    def run(queues: tuple[str, ...] = ("default",)) -> int:
        drained = runtime.drain_outbox()
        worker = SimpleWorker([Queue(q, connection=redis) for q in queues], connection=redis)
        worker.work(burst=True)
        return drained

    return run


@pytest.fixture
def session(runtime: Runtime) -> Iterator[Session]:
    with runtime.session_factory() as s:
        yield s


@pytest.fixture
def add_resident(session: Session) -> Callable[..., Resident]:
    def add(openid: str, last_message_at: datetime | None = None, quota_used: int = 0) -> Resident:
        resident = Resident(
            openid=openid,
            roles=["resident"],
            last_message_at=last_message_at or datetime.now(UTC),
            cs_quota_used=quota_used,
        )
        session.add(resident)
        session.commit()
        return resident

    return add
