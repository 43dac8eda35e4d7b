"""Broadcasting notices from the console: preview, send, deliver through the sandbox with
real RQ workers, permissions, retries, events and audit rows."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.jobs.notices import tick
from bot.runtime import Runtime
from storage.events import history
from storage.models import Delivery, Notice
from tests.admin.conftest import Console, audit_rows
from tests.notices.conftest import building_id, records, robot_target, set_last_message


def compose(console: Console, **fields: Any) -> Any:
    data = {"csrf_token": console.csrf, "groups": "1", **fields}
    return console.http.post("/admin/notices", data=data)


def notice_id_of(response: Any) -> int:
    assert response.status_code == 303, response.text
    match = re.search(r"/admin/notices/(\d+)", response.headers["location"])
    assert match
    return int(match.group(1))


def test_broadcast_to_one_building_reaches_its_group(
    admin: Console, runtime: Runtime, work: Callable[[], None]
) -> None:
    b3 = building_id(runtime, "3")
    nid = notice_id_of(
        compose(
            admin,
            title="停水通知",
            body="明天9点到12点3号楼停水，请提前储水。",
            scope="buildings",
            building_ids=str(b3),
        )
    )
    page = admin.http.get(f"/admin/notices/{nid}")
    assert page.status_code == 200
    assert "发送预览：共 1 条" in page.text
    assert "阳光小区3号楼居民群" in page.text
    assert "企业微信群机器人" in page.text
    assert records(runtime, "wecom_robot") == []  # a preview sends nothing

    sent = admin.post_form(f"/admin/notices/{nid}/send", when="now")
    assert sent.status_code == 303
    work()
    received = records(runtime, "wecom_robot", robot_target(runtime, "3"))
    assert len(received) == 1
    assert received[0].text is not None and "【停水通知】" in received[0].text
    assert "3号楼停水" in received[0].text
    assert records(runtime, "wecom_robot", robot_target(runtime, "4")) == []

    progress = admin.http.get(f"/admin/api/notices/{nid}/progress").json()
    assert progress["total"] == 1 and progress["sent"] == 1 and progress["complete"]
    assert tick()["finished"] == 1
    with runtime.session_factory() as session:
        states = [e.to_state for e in history(session, "notice", nid)]
    assert states == ["draft", "sending", "done"]
    actions = [row.action for row in audit_rows(runtime) if row.target_type == "notice"]
    assert actions == ["notice_create", "notice_send"]
    page = admin.http.get(f"/admin/notices/{nid}")
    assert "已完成" in page.text and "已发送" in page.text


def test_care_group_channels_follow_the_48_hour_rule(
    admin: Console, runtime: Runtime, work: Callable[[], None]
) -> None:
    now = datetime.now(UTC)
    set_last_message(runtime, "demo-wangnainai", now - timedelta(hours=2))
    set_last_message(runtime, "demo-lidaye", now - timedelta(hours=50))
    nid = notice_id_of(
        compose(
            admin,
            body="本周六上午为独居老人免费体检。",
            scope="community",
            groups="",
            people="tag:独居老人",
        )
    )
    preview = admin.http.get(f"/admin/api/notices/{nid}").json()["preview"]
    by_channel = {c["channel"]: c for c in preview["channels"]}
    assert by_channel["customer_service"]["count"] == 1
    assert by_channel["customer_service"]["sample"] == ["王奶奶"]
    assert "48小时内" in by_channel["customer_service"]["why"]
    assert by_channel["template"]["sample"] == ["李大爷"]
    assert "wecom_robot" not in by_channel
    assert admin.api_post(f"/admin/api/notices/{nid}/send", {}).json()["outcome"] == "sent"
    work()
    assert [r.text for r in records(runtime, "custom", "demo-wangnainai")] == [
        "【社区通知】\n本周六上午为独居老人免费体检。"
    ]
    template = records(runtime, "template", "demo-lidaye")
    assert len(template) == 1 and "免费体检" in (template[0].text or "")


def test_failed_deliveries_are_shown_and_retried(
    admin: Console, runtime: Runtime, work: Callable[[], None]
) -> None:
    """A verified subscription account has customer-service messages but no template
    messages: a message refused for the 48-hour window has nowhere to fall back to, so it
    is shown as failed, and staff resend it once the resident has written again."""
    set_last_message(runtime, "demo-zhaoxiaoli", datetime.now(UTC) - timedelta(hours=1))
    b5 = building_id(runtime, "5")
    nid = notice_id_of(
        compose(
            admin,
            body="志愿者集合",
            scope="buildings",
            building_ids=str(b5),
            groups="",
            people="volunteer",
        )
    )
    admin.post_form(f"/admin/notices/{nid}/send", when="now")
    # The resident's 48 h window closes before a worker gets to the message.
    set_last_message(runtime, "demo-zhaoxiaoli", datetime.now(UTC) - timedelta(hours=49))
    runtime.settings.account_type = "subscription"
    work()
    failed = admin.http.get(f"/admin/api/notices/{nid}/recipients?status=problem").json()
    assert [(r["name"], r["status"]) for r in failed] == [("赵晓丽", "dead")]
    assert "48小时" in failed[0]["last_error"]
    assert records(runtime, "template", "demo-zhaoxiaoli") == []
    page = admin.http.get(f"/admin/notices/{nid}")
    assert "重试失败的发送" in page.text
    assert "已发送0/1，1条失败" in page.text and "全部送达" not in page.text
    set_last_message(runtime, "demo-zhaoxiaoli", datetime.now(UTC))
    assert admin.post_form(f"/admin/notices/{nid}/retry").status_code == 303
    work()
    assert len(records(runtime, "custom", "demo-zhaoxiaoli")) == 1
    progress = admin.http.get(f"/admin/api/notices/{nid}/progress").json()
    assert progress["sent"] == 1 and progress["failed"] == 0
    assert [r.action for r in audit_rows(runtime, "notice_retry")] == ["notice_retry"]


def test_scheduled_notice_is_sent_by_the_periodic_job(
    admin: Console, runtime: Runtime, work: Callable[[], None]
) -> None:
    b8 = building_id(runtime, "8")
    nid = notice_id_of(
        compose(admin, body="周五晚消防演练", scope="buildings", building_ids=str(b8))
    )
    later = datetime.now(UTC) + timedelta(hours=3)
    local = later.astimezone(timezone_cst()).strftime("%Y-%m-%dT%H:%M")
    assert (
        admin.post_form(f"/admin/notices/{nid}/send", when="later", scheduled_at=local).status_code
        == 303
    )
    assert tick() == {"started": 0, "finished": 0}
    work()
    assert records(runtime, "wecom_robot") == []
    assert tick(now=later + timedelta(minutes=1))["started"] == 1
    work()
    assert len(records(runtime, "wecom_robot", robot_target(runtime, "8"))) == 1
    with runtime.session_factory() as session:
        states = [e.to_state for e in history(session, "notice", nid)]
    assert states == ["draft", "scheduled", "sending"]


def timezone_cst() -> Any:
    from admin.timefmt import CST

    return CST


def test_grid_worker_limits(admin: Console, zhangmin: Console, runtime: Runtime) -> None:
    refused = compose(zhangmin, body="全社区通知", scope="community")
    assert refused.status_code == 403 and "只有社区管理员" in refused.text
    b11 = building_id(runtime, "11")  # grid 3
    refused = compose(zhangmin, body="通知", scope="buildings", building_ids=str(b11))
    assert refused.status_code == 403 and "无权操作其他网格的事项" in refused.text
    other = notice_id_of(
        compose(admin, body="11号楼通知", scope="buildings", building_ids=str(b11))
    )
    page = zhangmin.http.get(f"/admin/notices/{other}")
    assert page.status_code == 403 and "无权操作其他网格的事项" in page.text
    assert zhangmin.post_form(f"/admin/notices/{other}/send").status_code == 403
    own = notice_id_of(
        compose(
            zhangmin,
            body="2号楼通知",
            scope="buildings",
            building_ids=str(building_id(runtime, "2")),
        )
    )
    listed = [n["id"] for n in zhangmin.http.get("/admin/api/notices").json()]
    assert listed == [own]
    with runtime.session_factory() as session:
        assert session.get(Notice, other).status == "draft"  # type: ignore[union-attr]


def test_bad_input_and_csrf(admin: Console, runtime: Runtime) -> None:
    empty = compose(
        admin, body="  ", scope="buildings", building_ids=str(building_id(runtime, "1"))
    )
    assert empty.status_code == 400 and "请填写通知内容" in empty.text
    none = compose(admin, body="有内容", scope="buildings")
    assert none.status_code == 400 and "请至少选择一个楼栋" in none.text
    tampered = admin.http.post(
        "/admin/notices", data={"csrf_token": "x" + admin.csrf, "body": "x", "scope": "community"}
    )
    assert tampered.status_code == 403 and "安全校验失败" in tampered.text
    no_header = admin.http.post("/admin/api/notices", json={"body": "x", "scope": "community"})
    assert no_header.status_code == 403
    with runtime.session_factory() as session:
        assert session.scalars(select(Notice)).all() == []
        assert session.scalars(select(Delivery)).all() == []
