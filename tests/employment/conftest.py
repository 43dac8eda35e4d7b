"""Employment fixtures: postings created as the console creates them, staff browsers
(the Console client of the admin tests) and an in-process RQ worker."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from redis import Redis
from rq import Queue, SimpleWorker
from sqlalchemy import select

from bot.runtime import Runtime
from storage.models import Compound, Grid, JobPosting
from storage.outbound.queues import all_queue_names
from tests.admin.conftest import Console, signed_in
from tests.conftest import InProcessApp


def posting_fields(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "kind": "county",
        "title": "货车司机",
        "employer": "县城物流公司",
        "skills": ["开车"],
        "hours": "full",
        "place": "县城物流园",
        "pay": "4000元/月",
        "openings": 2,
        "deadline": (date.today() + timedelta(days=30)).isoformat(),
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def add_posting(runtime: Runtime) -> Callable[..., JobPosting]:
    """A posting written straight to the database (no notices), for chat tests."""

    def add(**overrides: Any) -> JobPosting:
        fields = posting_fields(**overrides)
        compound = fields.pop("compound", None)
        grid = fields.pop("grid", None)
        if isinstance(fields.get("deadline"), str):
            fields["deadline"] = date.fromisoformat(fields["deadline"])
        with runtime.session_factory() as session:
            if compound:
                fields["compound_id"] = session.scalar(
                    select(Compound.id).where(Compound.name == compound)
                )
            if grid:
                fields["grid_id"] = session.scalar(select(Grid.id).where(Grid.name == grid))
            posting = JobPosting(community_id=1, created_by="jobs", **fields)
            session.add(posting)
            session.commit()
            return posting

    return add


@pytest.fixture
def officer(live_server: InProcessApp) -> Iterator[Console]:
    yield from signed_in(live_server, "jobs")


@pytest.fixture
def run_workers(runtime: Runtime, redis: Redis) -> Callable[[], None]:
    """Drain the outbox and run every queue's jobs (notices, then their sends)."""

    def run() -> None:
        with runtime.session_factory() as session:
            names = all_queue_names(session)
        for _ in range(3):
            runtime.drain_outbox(limit=5000)
            SimpleWorker([Queue(q, connection=redis) for q in names], connection=redis).work(
                burst=True
            )

    return run
