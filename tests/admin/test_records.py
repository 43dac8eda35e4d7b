"""Dashboard, inbound messages and outbound deliveries (with 重试) in the console."""

from __future__ import annotations

from collections.abc import Callable

from redis import Redis
from rq import Queue
from sqlalchemy import select, update

from bot.runtime import Runtime
from storage.events import history
from storage.models import Delivery, OutboxJob
from storage.outbound.jobs import Job
from tests.admin.conftest import Console, add_handover, audit_rows
from tests.conftest import WeChat


def handover_delivery(runtime: Runtime, status: str, error: str = "机器人key无效") -> int:
    """The WeCom robot notice planned for the latest hand-over, forced into `status`."""
    with runtime.session_factory() as session:
        delivery = session.scalars(
            select(Delivery).where(Delivery.purpose == "handover").order_by(Delivery.id.desc())
        ).first()
        assert delivery is not None
        session.execute(
            update(Delivery)
            .where(Delivery.id == delivery.id)
            .values(status=status, attempts=8, last_error=error, next_attempt_at=None)
        )
        session.commit()
        return delivery.id


def test_dashboard_counts(
    wechat: WeChat, runtime: Runtime, open_console: Callable[[], Console]
) -> None:
    wechat.say("demo-wangnainai", "帮助")
    wechat.say("demo-sunqiang", "转人工")  # grid 3
    add_handover(runtime, "demo-zhengyan")  # grid 2
    add_handover(runtime, "demo-lidaye")  # grid 2
    admin = open_console().login("admin")
    data = admin.http.get("/admin/api/dashboard").json()
    assert data["messages_today"] == 2
    per_grid = {g["name"]: g["open"] for g in data["handovers"]}
    assert per_grid == {"第一网格": 0, "第二网格": 2, "第三网格": 1, "第四网格": 0, "第五网格": 0}
    deliveries = {d["status"]: d["count"] for d in data["deliveries"]}
    assert deliveries["pending"] == 1 and sum(deliveries.values()) == 1
    page = admin.http.get("/admin").text
    assert "今日居民消息" in page and "各网格转人工" in page and "待发送" in page
    # A grid worker's dashboard shows their own grids.
    zhangmin = open_console().login("zhangmin")
    mine = zhangmin.http.get("/admin/api/dashboard").json()
    assert {g["name"]: g["open"] for g in mine["handovers"]} == {"第一网格": 0, "第二网格": 2}


def test_messages_show_replies_and_filter_by_openid(
    wechat: WeChat, open_console: Callable[[], Console]
) -> None:
    wechat.say("demo-wangnainai", "帮助")  # grid 1
    wechat.say("demo-sunqiang", "你好")  # grid 3
    admin = open_console().login("admin")
    page = admin.http.get("/admin/messages")
    assert page.status_code == 200 and "居民消息" in page.text
    assert "王奶奶" in page.text and "孙强" in page.text and "反映问题" in page.text
    only = admin.http.get("/admin/api/messages", params={"openid": "demo-wangnainai"}).json()
    assert [m["content"] for m in only] == ["帮助"]
    assert "反映问题" in only[0]["reply_text"] and only[0]["status"] == "已回复"
    # 张敏 (grids 1, 2) does not see a grid-3 resident's messages.
    zhangmin = open_console().login("zhangmin")
    assert [m["openid"] for m in zhangmin.http.get("/admin/api/messages").json()] == [
        "demo-wangnainai"
    ]


def test_retry_dead_delivery_requeues_it(
    wechat: WeChat, runtime: Runtime, redis: Redis, browser: Console
) -> None:
    wechat.say("demo-sunqiang", "转人工")
    delivery_id = handover_delivery(runtime, "dead")
    browser.login("liqiang")  # grid 3
    page = browser.http.get("/admin/deliveries")
    assert "发送失败，已放弃" in page.text and "机器人key无效" in page.text and "重试" in page.text
    response = browser.post_form(f"/admin/deliveries/{delivery_id}/retry")
    assert response.status_code == 303
    assert "已重新排队发送" in browser.http.get(response.headers["location"]).text
    with runtime.session_factory() as session:
        delivery = session.get(Delivery, delivery_id)
        assert delivery is not None
        assert delivery.status == "pending" and delivery.next_attempt_at is not None
        last = history(session, "delivery", delivery_id)[-1]
        assert (last.from_state, last.to_state, last.actor) == ("dead", "pending", "staff:liqiang")
        job = session.scalars(select(OutboxJob).order_by(OutboxJob.id.desc())).first()
        assert job is not None
        assert job.func == Job.SEND_DELIVERY and job.args == [delivery_id]
        assert job.enqueued_at is not None
    assert f"outbox-{job.id}" in Queue("grid-3", connection=redis).job_ids
    [row] = audit_rows(runtime, "retry")
    assert row.username == "liqiang" and row.target_id == str(delivery_id)
    # A pending delivery cannot be retried again.
    again = browser.api_post(f"/admin/api/deliveries/{delivery_id}/retry")
    assert again.status_code == 409 and "不能重试" in again.json()["detail"]


def test_retry_through_the_api_and_grid_limits(
    wechat: WeChat, runtime: Runtime, open_console: Callable[[], Console]
) -> None:
    wechat.say("demo-sunqiang", "转人工")  # grid 3's queue
    delivery_id = handover_delivery(runtime, "failed", "网络超时")
    zhangmin = open_console().login("zhangmin")
    assert zhangmin.http.get("/admin/api/deliveries").json() == []
    refused = zhangmin.api_post(f"/admin/api/deliveries/{delivery_id}/retry")
    assert refused.status_code == 403 and refused.json()["detail"] == "无权操作其他网格的事项"
    admin = open_console().login("admin")
    [listed] = admin.http.get("/admin/api/deliveries", params={"status": "failed"}).json()
    assert listed["id"] == delivery_id and listed["retryable"] and listed["attempts"] == 8
    body = admin.api_post(f"/admin/api/deliveries/{delivery_id}/retry").json()
    assert body["status"] == "pending" and body["status_label"] == "待发送"
