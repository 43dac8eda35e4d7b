"""A send whose answer is lost after WeChat accepted it: customer-service and template
messages end `unknown` and are not resent; a mass send is resent safely (clientmsgid); a
send that never left (no connection) is retried."""

from __future__ import annotations

from datetime import UTC, datetime

import bot.jobs.deliveries
from bot.wechat_api import TokenCache
from storage.events import history
from storage.models import Delivery, Resident
from storage.outbound.deliveries import plan_delivery
from tests.conftest import free_port
from tests.helpers import plan_text


def settle(work, clock) -> None:
    """Run the queue, then let every lease and back-off run out and reap, twice over."""
    work()
    for _ in range(2):
        clock.advance(
            bot.jobs.deliveries.BACKOFF_CAP_SECONDS + bot.jobs.deliveries.LEASE.total_seconds()
        )
        bot.jobs.deliveries.reap_deliveries()
        work()


def test_cs_message_whose_answer_was_cut_off_is_unknown_and_sent_once(
    platform, runtime, session, add_resident, work, clock
):
    resident = add_resident("o_unknown_cs", last_message_at=datetime.now(UTC))
    TokenCache(runtime.settings, runtime.redis).get()
    platform.control(drop_responses=1)
    delivery = plan_text(
        session,
        channel="customer_service",
        recipient="o_unknown_cs",
        text="您反映的楼道灯已修好",
        key="unknown-cs-1",
    )
    session.commit()

    settle(work, clock)

    assert [r["text"] for r in platform.records(kind="custom")] == ["您反映的楼道灯已修好"]
    assert platform.control()["responses_dropped"] == 1
    session.expire_all()
    final = session.get(Delivery, delivery.id)
    assert final is not None and final.status == "unknown" and final.attempts == 1
    assert "未自动重发" in (final.last_error or "")
    states = [(e.from_state, e.to_state) for e in history(session, "delivery", delivery.id)]
    assert states == [(None, "pending"), ("pending", "sending"), ("sending", "unknown")]
    # WeChat may have counted it: the quota stays taken.
    assert session.get(Resident, resident.id).cs_quota_used == 1  # type: ignore[union-attr]


def test_template_message_whose_answer_was_cut_off_is_unknown(platform, session, work, clock):
    platform.control(drop_responses=1)
    delivery = plan_delivery(
        session,
        channel="template",
        recipient="o_unknown_tpl",
        purpose="ticket:1",
        payload={"template_id": "TPL", "data": {"first": "您的报事已办结"}},
        idempotency_key="unknown-tpl-1",
    )
    session.commit()

    settle(work, clock)

    assert [r["text"] for r in platform.records(kind="template")] == ["您的报事已办结"]
    session.refresh(delivery)
    assert delivery.status == "unknown" and delivery.attempts == 1


def test_mass_send_whose_answer_was_cut_off_is_resent_and_counted_once(
    platform, runtime, session, work, clock
):
    from bot.wechat_api import WeChatApiClient

    client = WeChatApiClient(runtime.settings, runtime.redis)
    tag_id = client.tag.create("5号楼")["id"]
    client.tag.tag_user(tag_id, ["o_unknown_m1"])
    platform.control(drop_responses=1)
    delivery = plan_text(
        session, channel="mass_tag", recipient=str(tag_id), text="5号楼周六停水", key="mass-drop"
    )
    session.commit()

    work()
    session.refresh(delivery)
    assert delivery.status == "failed"  # retried: WeChat deduplicates by clientmsgid
    settle(work, clock)

    assert [r["text"] for r in platform.records(kind="mass")] == ["5号楼周六停水"]
    session.refresh(delivery)
    assert delivery.status == "sent" and delivery.attempts == 2


def test_cs_message_that_never_connected_is_retried_and_its_quota_given_back(
    platform, runtime, session, add_resident, work
):
    resident = add_resident("o_refused", last_message_at=datetime.now(UTC))
    TokenCache(runtime.settings, runtime.redis).get()  # cached: no token call below
    runtime.settings.wechat_api_base = f"http://127.0.0.1:{free_port()}/sandbox/api/wechat"
    delivery = plan_text(
        session, channel="customer_service", recipient="o_refused", text="通知", key="refused-1"
    )
    session.commit()

    work()

    session.expire_all()
    final = session.get(Delivery, delivery.id)
    assert final is not None and final.status == "failed" and final.next_attempt_at is not None
    assert "连接微信接口失败" in (final.last_error or "")
    assert session.get(Resident, resident.id).cs_quota_used == 0  # type: ignore[union-attr]
    assert platform.records(kind="custom") == []
