"""How a notice's outcome is told (partial failure in plain words, with the reasons), the
fall-back to a template message when WeChat refuses a customer-service message for the
48-hour window (errcode 45015 from the sandbox, sent by the real wechatpy client), and
the rules behind both."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.jobs.notices import tick
from bot.runtime import Runtime
from storage.events import history
from storage.models import Delivery
from storage.notices.outcome import outcome_text
from storage.outbound.platform_rules import fallback_channel
from tests.admin.conftest import Console
from tests.notices.conftest import building_id, records, set_last_message
from tests.notices.test_broadcast import compose, notice_id_of

CARE = "tag:独居老人"  # 王奶奶 and 李大爷


def _care_notice(admin: Console, runtime: Runtime, **fields: Any) -> int:
    b3, b8 = building_id(runtime, "3"), building_id(runtime, "8")
    return notice_id_of(
        compose(
            admin,
            title="体检通知",
            body="本周六上午为独居老人免费体检。",
            scope="buildings",
            building_ids=[str(b3), str(b8)],
            people=CARE,
            **fields,
        )
    )


def test_partial_failure_is_told_plainly_with_the_reasons(
    admin: Console, runtime: Runtime, work: Callable[[], None]
) -> None:
    now = datetime.now(UTC)
    set_last_message(runtime, "demo-wangnainai", now - timedelta(hours=2))
    set_last_message(runtime, "demo-lidaye", now - timedelta(hours=2))
    nid = _care_notice(admin, runtime)
    preview = admin.http.get(f"/admin/api/notices/{nid}").json()["preview"]
    total = preview["total"]
    assert {c["channel"] for c in preview["channels"]} == {"wecom_robot", "customer_service"}
    admin.post_form(f"/admin/notices/{nid}/send", when="now")
    # 李大爷's window closes before the worker sends, and a subscription account has no
    # template message to fall back to: his message fails.
    set_last_message(runtime, "demo-lidaye", now - timedelta(hours=49))
    runtime.settings.account_type = "subscription"
    work()

    progress = admin.http.get(f"/admin/api/notices/{nid}/progress").json()
    assert progress["complete"] and progress["failed"] == 1
    assert progress["outcome"] == f"已发送{total - 1}/{total}，1条失败"
    assert progress["sent_percent"] + progress["failed_percent"] == 100
    assert progress["failed_percent"] > 0

    # Before the periodic job closes it, the list no longer says 「发送中 n/n」.
    listed = admin.http.get("/admin/notices").text
    assert f"已发送{total - 1}/{total}，1条失败" in listed
    assert "部分未送达" in listed and "发送中" not in listed
    assert tick()["finished"] == 1
    page = admin.http.get(f"/admin/notices/{nid}").text
    assert f"<b>已发送{total - 1}/{total}，1条失败</b>" in page
    assert 'class="failed" style="width: ' in page and "has-failures" in page
    assert "未送达的 1 个接收方" in page
    assert "<b>李大爷</b>（客服消息）：居民超过48小时没有给公众号发消息" in page
    assert "部分未送达" in page
    with runtime.session_factory() as session:
        done = [e for e in history(session, "notice", nid) if e.to_state == "done"][0]
    assert done.note is not None
    assert done.note.startswith(f"已发送{total - 1}/{total}，1条失败：李大爷（居民超过48小时")
    timeline = page.split('<ol class="timeline">')[1]
    assert "发送结束" in timeline and "已完成" not in timeline


def test_window_refused_message_falls_back_to_a_template_message(
    admin: Console, runtime: Runtime, work: Callable[[], None]
) -> None:
    now = datetime.now(UTC)
    set_last_message(runtime, "demo-wangnainai", now - timedelta(hours=2))
    # Inside the window when planned (47 h less the margin) …
    set_last_message(runtime, "demo-lidaye", now - timedelta(hours=46, minutes=30))
    nid = _care_notice(admin, runtime, groups="")
    preview = admin.http.get(f"/admin/api/notices/{nid}").json()["preview"]
    assert [(c["channel"], c["count"]) for c in preview["channels"]] == [("customer_service", 2)]
    admin.post_form(f"/admin/notices/{nid}/send", when="now")
    # … but WeChat's clock has moved on: the platform refuses it with errcode 45015.
    moved = admin.http.post("/sandbox/api/control", json={"clock_offset_seconds": 2 * 3600})
    assert moved.status_code == 200
    work()

    assert records(runtime, "custom", "demo-lidaye") == []
    template = records(runtime, "template", "demo-lidaye")
    assert len(template) == 1 and "免费体检" in (template[0].text or "")
    assert len(records(runtime, "custom", "demo-wangnainai")) == 1
    with runtime.session_factory() as session:
        rows = list(
            session.scalars(
                select(Delivery).where(Delivery.recipient == "demo-lidaye").order_by(Delivery.id)
            )
        )
        refused_events = [e.note for e in history(session, "delivery", rows[0].id)]
    assert [(d.channel, d.status, d.attempts) for d in rows] == [
        ("customer_service", "dead", 1),  # tried once, never again on that channel
        ("template", "sent", 1),
    ]
    assert "（45015）；已改用模板消息发送" in (rows[0].last_error or "")
    assert any("45015" in (note or "") for note in refused_events)

    progress = admin.http.get(f"/admin/api/notices/{nid}/progress").json()
    assert progress["outcome"] == "全部送达（2/2）"
    assert progress["fell_back"] == 1 and progress["failed"] == 0
    page = admin.http.get(f"/admin/notices/{nid}").text
    assert "1条客服消息被微信拒收（超过48小时），已改用模板消息" in page
    assert "未能用客服消息送达，已改用模板消息" in page
    assert "重试失败的发送" not in page and "未送达的" not in page
    # Nothing is put back on the refused channel.
    again = admin.post_form(f"/admin/notices/{nid}/retry")
    assert again.status_code == 409 and "没有失败的发送需要重试" in again.text
    admin.http.post("/sandbox/api/control", json={"clock_offset_seconds": 0})


def test_refused_message_without_a_template_account_is_a_failure(
    admin: Console, runtime: Runtime, work: Callable[[], None]
) -> None:
    now = datetime.now(UTC)
    set_last_message(runtime, "demo-wangnainai", now - timedelta(hours=46, minutes=30))
    nid = notice_id_of(
        compose(
            admin,
            body="通知",
            scope="buildings",
            building_ids=str(building_id(runtime, "3")),
            groups="",
            people=CARE,
        )
    )
    admin.post_form(f"/admin/notices/{nid}/send", when="now")
    admin.http.post("/sandbox/api/control", json={"clock_offset_seconds": 2 * 3600})
    runtime.settings.account_verified = False  # an unverified service account: no templates
    work()
    assert records(runtime, "template") == []
    failed = admin.http.get(f"/admin/api/notices/{nid}/recipients?status=problem").json()
    assert [(r["name"], r["status"], r["replaced"]) for r in failed] == [("王奶奶", "dead", False)]
    assert "45015" in failed[0]["last_error"] and "模板" not in failed[0]["last_error"]
    admin.http.post("/sandbox/api/control", json={"clock_offset_seconds": 0})


def test_outcome_words_and_fallback_rules() -> None:
    assert outcome_text(7, 6, 1, 0, True) == "已发送6/7，1条失败"
    assert outcome_text(7, 7, 0, 0, True) == "全部送达（7/7）"
    assert outcome_text(7, 5, 1, 1, True) == "已发送5/7，1条失败，1条结果未知"
    assert outcome_text(7, 3, 0, 0, False) == "发送中，已发送3/7"
    assert outcome_text(0, 0, 0, 0, False) == "没有可发送的对象"
    assert fallback_channel("customer_service", template_allowed=True) == "template"
    assert fallback_channel("customer_service", template_allowed=False) is None
    assert fallback_channel("template", template_allowed=True) is None
    assert fallback_channel("wecom_robot", template_allowed=True) is None
