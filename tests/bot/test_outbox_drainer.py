"""Outbox jobs handed over after replies reach RQ once each, batched, off the request path."""

from __future__ import annotations

import threading

from redis import Redis
from rq import Queue
from sqlalchemy import select

from bot.runtime import Runtime
from storage.models import OutboxJob
from storage.outbound.deliveries import plan_delivery
from storage.outbound.queues import jobs_added
from tests.conftest import WeChat
from tests.db_pool import TestDatabases


def planned(runtime: Runtime, n: int) -> list[list[int]]:
    """`n` transactions, each with one delivery job, as n handled messages leave them."""
    out = []
    for i in range(n):
        with runtime.session_factory() as session:
            plan_delivery(
                session,
                channel="wecom_robot",
                recipient="grid-g1",
                purpose="test",
                payload={"text": f"通知{i}"},
                idempotency_key=f"drainer-{i}",
            )
            session.flush()
            out.append([job.id for job in jobs_added(session)])
            session.commit()
    return out


def test_jobs_handed_over_at_once_are_enqueued_once_each_in_few_drains(
    runtime: Runtime, redis: Redis
) -> None:
    batches = planned(runtime, 40)
    drainer = runtime.drainer
    gate = threading.Barrier(40)

    def hand_over(ids: list[int]) -> None:
        gate.wait()
        drainer.submit(ids)

    threads = [threading.Thread(target=hand_over, args=(ids,)) for ids in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert drainer.wait_idle(10)
    assert drainer.batches < 40  # a burst shares drains
    with runtime.session_factory() as session:
        rows = session.scalars(select(OutboxJob)).all()
    assert len(rows) == 40 and all(row.enqueued_at is not None for row in rows)
    assert Queue("default", connection=redis).count == 40
    assert runtime.drain_outbox() == 0  # nothing left, nothing pushed twice


def test_a_closed_drainer_leaves_jobs_to_the_periodic_drain(runtime: Runtime, redis: Redis) -> None:
    [ids] = planned(runtime, 1)
    runtime.drainer.close()
    runtime.drainer.submit(ids)
    with runtime.session_factory() as session:
        assert session.get(OutboxJob, ids[0]).enqueued_at is None  # type: ignore[union-attr]
    assert runtime.drain_outbox() == 1
    assert Queue("default", connection=redis).count == 1


def test_a_report_reaches_the_queue_after_the_reply(
    wechat: WeChat, runtime: Runtime, redis: Redis
) -> None:
    reply = wechat.say("demo-wangnainai", "转人工")
    assert reply is not None and "网格员" in reply
    assert runtime.drain_outbox() == 0  # the app's drainer handed it over already
    with runtime.session_factory() as session:
        [job] = session.scalars(select(OutboxJob)).all()
    assert job.enqueued_at is not None
    assert sum(Queue(q, connection=redis).count for q in ("default", job.queue)) >= 1


def test_rebinding_to_another_database_first_pushes_what_was_handed_over(
    runtime: Runtime, redis: Redis, database_url: str, test_databases: TestDatabases
) -> None:
    [ids] = planned(runtime, 1)
    runtime.drainer.submit(ids)  # pushed after a short linger, by the drainer's thread
    other = test_databases.fresh()
    try:
        runtime.rebind(runtime.settings.model_copy(update={"database_url": other}))
        with runtime.session_factory() as session:
            assert session.scalars(select(OutboxJob)).all() == []
        runtime.rebind(runtime.settings.model_copy(update={"database_url": database_url}))
    finally:
        test_databases.release(other)
    with runtime.session_factory() as session:
        assert session.get(OutboxJob, ids[0]).enqueued_at is not None  # type: ignore[union-attr]
    assert Queue("default", connection=redis).count == 1
