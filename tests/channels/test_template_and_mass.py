"""Template messages and mass sends by tag, through the sandbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage.outbound.deliveries import plan_delivery
from tests.helpers import plan_text


def test_template_message_reaches_the_resident(platform, session, work):
    delivery = plan_delivery(
        session,
        channel="template",
        recipient="o_tpl",
        purpose="ticket:12",
        payload={
            "template_id": "TPL_TICKET",
            "url": "https://example.cn/t/12",
            "data": {
                "first": "您的报事已受理",
                "keyword1": "M20261120-0003",
                "keyword2": {"value": "处理中"},
                "remark": "感谢您的反映",
            },
        },
        idempotency_key="ticket:12:tpl",
    )
    session.commit()

    work()

    [record] = platform.records(kind="template", target="o_tpl")
    assert record["text"] == "您的报事已受理\nM20261120-0003\n处理中\n感谢您的反映"
    assert record["payload"]["template_id"] == "TPL_TICKET"
    session.refresh(delivery)
    assert delivery.status == "sent"
    assert delivery.external_id == str(record["payload"]["msgid"])


def test_template_needs_a_verified_service_account(platform, session, work, runtime):
    runtime.settings.account_type = "subscription"
    delivery = plan_delivery(
        session,
        channel="template",
        recipient="o_tpl2",
        purpose="p",
        payload={"template_id": "T", "data": {"first": "x"}},
        idempotency_key="tpl-sub",
    )
    session.commit()
    work()
    session.refresh(delivery)
    assert delivery.status == "dead" and "服务号" in (delivery.last_error or "")
    assert platform.records(kind="template") == []


def _tag(runtime, platform, name, openids):
    from bot.wechat_api import WeChatApiClient

    client = WeChatApiClient(runtime.settings, runtime.redis)
    tag_id = client.tag.create(name)["id"]
    client.tag.tag_user(tag_id, openids)
    return tag_id


def test_mass_send_by_tag_reaches_tagged_residents(platform, session, work, runtime):
    tag_id = _tag(runtime, platform, "3号楼", ["o_m1", "o_m2"])
    delivery = plan_text(
        session,
        channel="mass_tag",
        recipient=str(tag_id),
        text="3号楼明天上午停水",
        key="notice:3:mass",
        purpose="notice:3",
    )
    session.commit()

    work()

    [record] = platform.records(kind="mass", target=str(tag_id))
    assert record["text"] == "3号楼明天上午停水"
    assert record["payload"]["recipients"] == ["o_m1", "o_m2"]
    assert record["payload"]["clientmsgid"] == "notice:3:mass"
    session.refresh(delivery)
    assert delivery.status == "sent" and delivery.external_id == str(record["payload"]["msg_id"])


def test_mass_clientmsgid_dedup_counts_as_sent(platform, session, work, runtime):
    """A retry after WeChat accepted the send (answer lost) does not send twice."""
    tag_id = _tag(runtime, platform, "网格一", ["o_m3"])
    from bot.wechat_api import WeChatApiClient

    WeChatApiClient(runtime.settings, runtime.redis).post(
        "message/mass/sendall",
        data={
            "filter": {"is_to_all": False, "tag_id": tag_id},
            "msgtype": "text",
            "text": {"content": "停电通知"},
            "clientmsgid": "notice:4:mass",
        },
    )
    delivery = plan_text(
        session, channel="mass_tag", recipient=str(tag_id), text="停电通知", key="notice:4:mass"
    )
    session.commit()

    work()

    assert len(platform.records(kind="mass")) == 1
    session.refresh(delivery)
    assert delivery.status == "sent"
    assert delivery.external_id == str(platform.records(kind="mass")[0]["payload"]["msg_id"])


def test_subscription_account_mass_send_once_a_day(platform, session, work, runtime, clock):
    runtime.settings.account_type = "subscription"
    tag_id = _tag(runtime, platform, "全体", ["o_m4"])
    first = plan_text(
        session, channel="mass_tag", recipient=str(tag_id), text="今天的通知", key="day-1"
    )
    second = plan_text(
        session, channel="mass_tag", recipient=str(tag_id), text="又一条通知", key="day-2"
    )
    session.commit()

    work()

    session.refresh(first)
    session.refresh(second)
    assert first.status == "sent"
    assert second.status == "pending" and "明天" in (second.last_error or "")
    assert second.next_attempt_at is not None
    wait = second.next_attempt_at - datetime.now(UTC)
    assert timedelta(0) < wait <= timedelta(days=1)
    assert [r["text"] for r in platform.records(kind="mass")] == ["今天的通知"]


def test_service_account_fifth_mass_send_in_a_month_is_refused(platform, session, work, runtime):
    tag_id = _tag(runtime, platform, "楼长", ["o_m5"])
    for n in range(5):
        plan_text(
            session,
            channel="mass_tag",
            recipient=str(tag_id),
            text=f"第{n + 1}次群发",
            key=f"month-{n}",
            purpose="month",
        )
    session.commit()

    work()

    from storage.outbound.deliveries import list_deliveries

    statuses = [d.status for d in list_deliveries(session, purpose="month")]
    assert statuses == ["sent"] * 4 + ["dead"]
    assert "4次" in (list_deliveries(session, purpose="month")[-1].last_error or "")
    assert len(platform.records(kind="mass")) == 4
