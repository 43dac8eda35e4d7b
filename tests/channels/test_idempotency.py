"""A delivery is planned once per idempotency key and sent once however often its job runs."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

import bot.jobs.deliveries
from storage.models import Delivery, OutboxJob
from storage.outbound.deliveries import status_counts
from tests.helpers import plan_text


def test_planning_the_same_key_twice_gives_one_row(session):
    def plan(text):
        return plan_text(
            session,
            channel="wecom_robot",
            recipient="k1",
            text=text,
            key="notice:7:k1",
            purpose="notice:7",
        )

    first = plan("通知")
    again_uncommitted = plan("通知")
    session.commit()
    again_committed = plan("别的")
    session.commit()

    assert first.id == again_uncommitted.id == again_committed.id
    assert session.scalar(select(func.count()).select_from(Delivery)) == 1
    assert session.scalar(select(func.count()).select_from(OutboxJob)) == 1
    assert again_committed.payload == {"text": "通知"}
    assert status_counts(session, purpose="notice:7")["pending"] == 1


def test_plan_does_not_commit(session, runtime):
    plan_text(session, channel="wecom_robot", recipient="k1", text="x", key="uncommitted")
    session.rollback()
    with runtime.session_factory() as other:
        assert other.scalar(select(func.count()).select_from(Delivery)) == 0


def test_running_send_delivery_twice_sends_once(platform, session, add_resident, work):
    add_resident("o_idem", last_message_at=datetime.now(UTC))
    delivery = plan_text(
        session, channel="customer_service", recipient="o_idem", text="只发一次", key="idem-1"
    )
    session.commit()

    work()
    assert bot.jobs.deliveries.send_delivery(delivery.id) == "skipped"
    assert bot.jobs.deliveries.send_delivery(delivery.id) == "skipped"

    assert [r["text"] for r in platform.records(kind="custom", target="o_idem")] == ["只发一次"]
    session.refresh(delivery)
    assert delivery.status == "sent" and delivery.attempts == 1
