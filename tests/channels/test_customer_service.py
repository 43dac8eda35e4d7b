"""Customer-service messages through the sandbox: the 48 h window and the quota of 5."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from storage.events import history
from storage.models import Delivery, Resident
from storage.outbound.deliveries import list_deliveries
from tests.helpers import plan_text


def plan_cs(session: Session, openid: str, text: str, key: str) -> Delivery:
    delivery = plan_text(
        session,
        channel="customer_service",
        recipient=openid,
        text=text,
        key=key,
        purpose="ticket_update",
    )
    session.commit()
    return delivery


def test_cs_message_reaches_the_resident(platform, session, add_resident, work):
    add_resident("o_cs_1", last_message_at=datetime.now(UTC) - timedelta(hours=1))
    delivery = plan_cs(session, "o_cs_1", "您反映的3号楼楼道灯已修好，请查看。", "t1-cs")

    work()

    records = platform.records(kind="custom", target="o_cs_1")
    assert [r["text"] for r in records] == ["您反映的3号楼楼道灯已修好，请查看。"]
    assert records[0]["payload"]["msgtype"] == "text"
    session.refresh(delivery)
    assert delivery.status == "sent" and delivery.sent_at is not None
    states = [(e.from_state, e.to_state) for e in history(session, "delivery", delivery.id)]
    assert states == [(None, "pending"), ("pending", "sending"), ("sending", "sent")]


def test_cs_refused_outside_48_hours(platform, session, add_resident, work):
    add_resident("o_cs_old", last_message_at=datetime.now(UTC) - timedelta(hours=49))
    delivery = plan_cs(session, "o_cs_old", "通知：明天停水", "t2-cs")

    work()

    session.refresh(delivery)
    assert delivery.status == "dead"
    assert "48小时" in (delivery.last_error or "")
    assert platform.records(kind="custom", target="o_cs_old") == []
    # The sandbox itself enforces the rule too, with WeChat's error code.
    token = platform.http.post(
        platform.api + "/wechat/cgi-bin/stable_token",
        json={
            "grant_type": "client_credential",
            "appid": "wxtest0000000001",
            "secret": "shequ-local-secret",
        },
    ).json()["access_token"]
    answer = platform.http.post(
        platform.api + "/wechat/cgi-bin/message/custom/send",
        params={"access_token": token},
        json={"touser": "o_cs_old", "msgtype": "text", "text": {"content": "hi"}},
    ).json()
    assert answer["errcode"] == 45015


def test_cs_quota_is_five_per_resident_message(platform, session, add_resident, work):
    resident = add_resident("o_cs_q", last_message_at=datetime.now(UTC) - timedelta(minutes=5))
    for n in range(7):
        plan_cs(session, "o_cs_q", f"第{n + 1}条消息", f"t3-cs-{n}")

    work()

    texts = [r["text"] for r in platform.records(kind="custom", target="o_cs_q")]
    assert texts == [f"第{n + 1}条消息" for n in range(5)]
    statuses = [d.status for d in list_deliveries(session, recipient="o_cs_q")]
    assert statuses == ["sent"] * 5 + ["dead"] * 2
    dead = list_deliveries(session, recipient="o_cs_q", status="dead")
    assert all("上限" in (d.last_error or "") for d in dead)
    session.refresh(resident)
    assert resident.cs_quota_used == 5

    # The resident writes again (the webhook resets the quota): sending works again.
    session.get(Resident, resident.id).cs_quota_used = 0  # type: ignore[union-attr]
    session.get(Resident, resident.id).last_message_at = datetime.now(UTC)  # type: ignore[union-attr]
    session.commit()
    plan_cs(session, "o_cs_q", "第8条消息", "t3-cs-7")
    work()
    assert platform.records(kind="custom", target="o_cs_q")[-1]["text"] == "第8条消息"


def test_unverified_subscription_account_has_no_cs(platform, session, add_resident, work, runtime):
    runtime.settings.account_type = "subscription"
    runtime.settings.account_verified = False
    add_resident("o_cs_sub")
    delivery = plan_cs(session, "o_cs_sub", "你好", "t4-cs")

    work()

    session.refresh(delivery)
    assert delivery.status == "dead"
    assert "订阅号" in (delivery.last_error or "")
    assert platform.records(kind="custom") == []
