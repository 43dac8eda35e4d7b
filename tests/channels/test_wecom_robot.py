"""WeCom group robots: 20 messages a minute per robot, long text split into parts."""

from __future__ import annotations

import bot.jobs.deliveries
from storage.events import history
from storage.outbound.deliveries import list_deliveries
from storage.outbound.platform_rules import split_robot_text as split_text
from tests.helpers import plan_text

KEY = "robot-building-3"


def plan_robot(session, text, key, robot=KEY):
    delivery = plan_text(
        session, channel="wecom_robot", recipient=robot, text=text, key=key, purpose="notice:9"
    )
    session.commit()
    return delivery


def test_robot_message_reaches_the_group(platform, session, work):
    delivery = plan_robot(session, "【通知】3号楼今晚8点在一楼大厅开居民议事会。", "n9-r")
    work()
    [record] = platform.records(kind="wecom_robot", target=KEY)
    assert record["text"] == "【通知】3号楼今晚8点在一楼大厅开居民议事会。"
    session.refresh(delivery)
    assert delivery.status == "sent"


def test_25_messages_to_one_robot_20_now_the_rest_after_a_minute(platform, session, work, clock):
    for n in range(25):
        plan_robot(session, f"第{n + 1}条", f"n9-rate-{n}")

    work()

    assert len(platform.records(kind="wecom_robot", target=KEY)) == 20
    deferred = list_deliveries(session, status="pending")
    assert len(deferred) == 5
    assert all(d.attempts == 0 and d.next_attempt_at is not None for d in deferred)

    # Nothing is due before the minute is over.
    assert bot.jobs.deliveries.reap_deliveries() == 0
    clock.advance(61)
    platform.control(clock_offset_seconds=61)
    assert bot.jobs.deliveries.reap_deliveries() == 5
    work()

    texts = [r["text"] for r in platform.records(kind="wecom_robot", target=KEY)]
    assert sorted(texts) == sorted(f"第{n + 1}条" for n in range(25))
    session.expire_all()
    assert [d.status for d in list_deliveries(session, purpose="notice:9")] == ["sent"] * 25


def test_other_robots_are_not_held_up(platform, session, work, clock):
    for n in range(21):
        plan_robot(session, f"A{n}", f"a-{n}")
    plan_robot(session, "给另一个群", "b-0", robot="robot-grid-2")
    work()
    assert len(platform.records(kind="wecom_robot", target=KEY)) == 20
    assert [r["text"] for r in platform.records(kind="wecom_robot", target="robot-grid-2")] == [
        "给另一个群"
    ]


def test_split_text_keeps_every_character_and_respects_the_byte_limit():
    text = ("居民议事会决议：" + "同意在3号楼加装电梯，费用按楼层分摊。" * 120 + "\n") * 3
    parts = split_text(text)
    assert len(parts) > 1
    assert "".join(parts) == text
    assert all(len(p.encode("utf-8")) <= 2048 for p in parts)
    assert split_text("短消息") == ["短消息"]
    assert split_text("😀" * 600) == ["😀" * 512, "😀" * 88]


def test_long_text_is_sent_in_parts_and_a_retry_resumes(platform, session, work, clock):
    long_text = "".join(f"第{n}项：楼道清理、电动车充电整治、垃圾分类宣传。\n" for n in range(150))
    assert len(long_text.encode("utf-8")) > 2 * 2048
    # 19 of the robot's 20 slots this minute are taken: only the first part fits.
    for n in range(19):
        plan_robot(session, f"先发的{n}", f"before-{n}")
    work()
    delivery = plan_robot(session, long_text, "n9-long")
    work()

    session.refresh(delivery)
    assert delivery.status == "pending"
    assert delivery.payload["parts_sent"] == 1
    parts = split_text(long_text)
    long_records = [r for r in platform.records(kind="wecom_robot") if "先发的" not in r["text"]]
    assert [r["text"] for r in long_records] == parts[:1]

    clock.advance(61)
    platform.control(clock_offset_seconds=61)
    bot.jobs.deliveries.reap_deliveries()
    work()

    session.refresh(delivery)
    assert delivery.status == "sent"
    long_records = [r for r in platform.records(kind="wecom_robot") if "先发的" not in r["text"]]
    assert [r["text"] for r in long_records] == parts
    assert "".join(r["text"] for r in long_records) == long_text
    assert all(len(r["text"].encode("utf-8")) <= 2048 for r in long_records)


def test_unreachable_platform_is_retried_with_back_off(platform, session, work, clock, runtime):
    sandbox_base = runtime.settings.wecom_api_base
    runtime.settings.wecom_api_base = "http://127.0.0.1:9"  # nothing listens there
    delivery = plan_robot(session, "网络恢复后送达", "n9-retry")
    work()

    session.refresh(delivery)
    assert delivery.status == "failed" and delivery.attempts == 1
    assert "连接企业微信接口失败" in (delivery.last_error or "")
    assert delivery.next_attempt_at is not None
    wait = (delivery.next_attempt_at - delivery.created_at).total_seconds()
    assert 25 < wait < 40  # the first back-off step is 30 s

    runtime.settings.wecom_api_base = sandbox_base
    assert bot.jobs.deliveries.reap_deliveries() == 0  # not due yet
    clock.advance(31)
    assert bot.jobs.deliveries.reap_deliveries() == 1
    work()

    session.refresh(delivery)
    assert delivery.status == "sent" and delivery.attempts == 2
    assert [r["text"] for r in platform.records(kind="wecom_robot")] == ["网络恢复后送达"]
    states = [(e.from_state, e.to_state) for e in history(session, "delivery", delivery.id)]
    assert states == [
        (None, "pending"),
        ("pending", "sending"),
        ("sending", "failed"),
        ("failed", "sending"),
        ("sending", "sent"),
    ]
