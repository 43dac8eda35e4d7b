"""A delivery is planned once per idempotency key and sent once however often its job runs."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

import bot.jobs
from storage.deliveries import plan_delivery, status_counts
from storage.models import Delivery, OutboxJob


def test_planning_the_same_key_twice_gives_one_row(session):
    first = plan_delivery(
        session,
        channel="wecom_robot",
        recipient="k1",
        purpose="notice:7",
        payload={"text": "通知"},
        idempotency_key="notice:7:k1",
    )
    again_uncommitted = plan_delivery(
        session,
        channel="wecom_robot",
        recipient="k1",
        purpose="notice:7",
        payload={"text": "通知"},
        idempotency_key="notice:7:k1",
    )
    session.commit()
    again_committed = plan_delivery(
        session,
        channel="wecom_robot",
        recipient="k1",
        purpose="notice:7",
        payload={"text": "别的"},
        idempotency_key="notice:7:k1",
    )
    session.commit()

    assert first.id == again_uncommitted.id == again_committed.id
    assert session.scalar(select(func.count()).select_from(Delivery)) == 1
    assert session.scalar(select(func.count()).select_from(OutboxJob)) == 1
    assert again_committed.payload == {"text": "通知"}
    assert status_counts(session, purpose="notice:7")["pending"] == 1


def test_plan_does_not_commit(session, runtime):
    plan_delivery(
        session,
        channel="wecom_robot",
        recipient="k1",
        purpose="p",
        payload={"text": "x"},
        idempotency_key="uncommitted",
    )
    session.rollback()
    with runtime.session_factory() as other:
        assert other.scalar(select(func.count()).select_from(Delivery)) == 0


def test_running_send_delivery_twice_sends_once(platform, session, add_resident, work):
    add_resident("o_idem", last_message_at=datetime.now(UTC))
    delivery = plan_delivery(
        session,
        channel="customer_service",
        recipient="o_idem",
        purpose="p",
        payload={"text": "只发一次"},
        idempotency_key="idem-1",
    )
    session.commit()

    work()
    assert bot.jobs.send_delivery(delivery.id) == "skipped"
    assert bot.jobs.send_delivery(delivery.id) == "skipped"

    assert [r["text"] for r in platform.records(kind="custom", target="o_idem")] == ["只发一次"]
    session.refresh(delivery)
    assert delivery.status == "sent" and delivery.attempts == 1
