"""A meal task whose first offer job was lost is still offered, or escalated to staff."""

from __future__ import annotations

from datetime import timedelta

from redis import Redis
from rq import Queue

from bot.jobs import meals as jobs_meals
from bot.runtime import Runtime
from storage.events import history
from storage.models import utcnow
from storage.outbound.queues import all_queue_names
from tests.volunteers.conftest import CreateTask, Sandbox, add_volunteer, task_row


def lose_queued_jobs(runtime: Runtime, redis: Redis) -> int:
    """What a Redis that lost its data (or a flushed queue) does to jobs already pushed."""
    with runtime.session_factory() as session:
        names = all_queue_names(session)
    return sum(Queue(name, connection=redis).empty() for name in names)


def test_task_whose_dispatch_job_was_lost_is_offered_by_the_sweep(
    runtime: Runtime, redis: Redis, create_task: CreateTask, sandbox: Sandbox, work
) -> None:
    add_volunteer(runtime, "lost-vol-001", grid_id=2)
    task = create_task("8-1-402")
    assert lose_queued_jobs(runtime, redis) >= 1
    work()
    assert sandbox.texts("lost-vol-001") == []
    assert task_row(runtime, task["id"]).offered_at is None

    # Within the grace period the normal path may still be on its way: left alone.
    assert jobs_meals.offer_unoffered(now=utcnow()) == 0
    assert jobs_meals.tick(now=utcnow() + timedelta(minutes=3))["unoffered"] == 1
    work()

    offers = sandbox.texts("lost-vol-001")
    assert len(offers) == 1 and f"接 {task['code']}" in offers[0]
    assert task_row(runtime, task["id"]).offered_at is not None
    # Found once: the next sweeps leave it to the usual widening.
    assert jobs_meals.offer_unoffered(now=utcnow() + timedelta(minutes=4)) == 0
    work()
    assert len(sandbox.texts("lost-vol-001")) == 1


def test_lost_task_found_after_pickup_time_goes_to_the_canteen_group(
    runtime: Runtime, redis: Redis, create_task: CreateTask, sandbox: Sandbox, work
) -> None:
    add_volunteer(runtime, "lost-vol-002", grid_id=2)
    task = create_task("8-1-402")
    lose_queued_jobs(runtime, redis)
    row = task_row(runtime, task["id"])

    jobs_meals.offer_unoffered(now=row.pickup_at + timedelta(minutes=1))
    work()

    assert sandbox.texts("lost-vol-002") == []
    alerts = [r["text"] for r in sandbox.records(target="canteen-xingfu", kind="wecom_robot")]
    assert len(alerts) == 1
    assert task["code"] in alerts[0] and "未能及时派单" in alerts[0]
    with runtime.session_factory() as session:
        assert [e.to_state for e in history(session, "task", task["id"])][-1] == "alerted"
