"""Broadcasts in a real browser: a draft is corrected before it is sent (and cannot be
after), and a notice that reached all but one recipient says so plainly — at desktop and
phone width."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from redis import Redis

from bot.jobs.notices import tick
from bot.runtime import Runtime
from tests.console.conftest import login
from tests.notices.conftest import records, robot_target, run_all_work, set_last_message

Shot = Callable[[Any, str], Path]


def test_a_draft_is_corrected_before_it_is_sent(
    page: Any, shot: Shot, runtime: Runtime, redis: Redis
) -> None:
    login(page, "admin")
    page.goto("/admin/notices/new")
    page.get_by_label("标题（可选）").fill("停水通知")
    page.get_by_label("通知内容").fill("明天9点到12点3号楼停水。")
    page.get_by_label("按楼栋").check()
    page.get_by_label("阳光小区3号楼").check()
    page.get_by_role("button", name="下一步：预览发送对象").click()
    page.wait_for_selector("#preview")
    assert "阳光小区3号楼居民群" in page.locator("#preview").inner_text()

    # The time was wrong and 4号楼 is affected too: correct the draft.
    page.get_by_role("link", name="修改草稿").click()
    page.wait_for_url("**/edit")
    assert page.get_by_label("通知内容").input_value() == "明天9点到12点3号楼停水。"
    assert page.get_by_label("阳光小区3号楼").is_checked()
    page.get_by_label("通知内容").fill("明天14点到17点3号楼、4号楼停水，请提前储水。")
    page.get_by_label("阳光小区4号楼").check()
    shot(page, "notice-edit-draft")
    page.get_by_role("button", name="保存修改并预览").click()
    page.get_by_text("草稿已修改").wait_for()
    preview = page.locator("#preview").inner_text()
    assert "发送预览：共 2 条" in preview and "阳光小区4号楼居民群" in preview
    assert "14点到17点" in page.locator(".notice-text").inner_text()
    timeline = page.locator("ol.timeline").inner_text()
    assert "修改草稿" in timeline and "修改了内容、发送范围" in timeline

    page.get_by_role("button", name="确认发送").click()
    page.wait_for_selector("#progress")
    assert page.get_by_role("link", name="修改草稿").count() == 0
    run_all_work(runtime, redis)
    for number in ("3", "4"):
        texts = [
            r.text or "" for r in records(runtime, "wecom_robot", robot_target(runtime, number))
        ]
        assert len(texts) == 1 and "14点到17点" in texts[0]
    # Sent: the edit page sends staff back to the notice.
    page.goto(page.url.split("?")[0] + "/edit")
    page.get_by_text("通知已开始发送或已取消，不能再修改。").wait_for()


def test_partial_failure_is_plain_on_the_notice_page(
    page: Any, shot: Shot, runtime: Runtime, redis: Redis
) -> None:
    now = datetime.now(UTC)
    set_last_message(runtime, "demo-wangnainai", now - timedelta(hours=2))
    set_last_message(runtime, "demo-lidaye", now - timedelta(hours=2))
    login(page, "admin")
    page.goto("/admin/notices/new")
    page.get_by_label("标题（可选）").fill("免费体检")
    page.get_by_label("通知内容").fill("本周六上午9点，社区卫生站为独居老人免费体检，请带身份证。")
    page.get_by_label("按楼栋").check()
    for name in (
        "阳光小区1号楼",
        "阳光小区2号楼",
        "阳光小区3号楼",
        "阳光小区4号楼",
        "幸福家园8号楼",
    ):
        page.get_by_label(name, exact=True).check()
    page.get_by_label("独居老人家庭").check()
    page.get_by_role("button", name="下一步：预览发送对象").click()
    page.wait_for_selector("#preview")
    assert "发送预览：共 7 条" in page.locator("#preview").inner_text()
    page.get_by_role("button", name="确认发送").click()
    page.wait_for_selector("#progress")
    # 李大爷's 48 hours run out before the worker sends; the subscription account has no
    # template message to fall back to.
    set_last_message(runtime, "demo-lidaye", now - timedelta(hours=49))
    runtime.settings.account_type = "subscription"
    run_all_work(runtime, redis)
    page.wait_for_selector('#progress[data-complete="1"]', timeout=30_000)
    page.reload()
    assert page.locator("#progress-outcome").inner_text() == "已发送6/7，1条失败"
    assert page.locator("#notice-status").inner_text() == "部分未送达"
    failures = page.locator("#failures").inner_text()
    assert "未送达的 1 个接收方" in failures and "李大爷（客服消息）" in failures
    assert "48小时" in failures
    red = page.locator(".bar span.failed").evaluate("el => el.getBoundingClientRect().width")
    assert red > 0
    page.goto("/admin/notices")
    row = page.locator("table.list tbody tr", has_text="免费体检").inner_text()
    assert "已发送6/7，1条失败" in row and "发送中" not in row
    tick()
    page.go_back()
    page.reload()
    timeline = page.locator("ol.timeline").inner_text()
    assert "发送结束" in timeline and "已发送6/7，1条失败：李大爷（居民超过48小时" in timeline
    page.set_viewport_size({"width": 1280, "height": 800})
    shot(page, "notice-partial-failure-desktop")
    page.set_viewport_size({"width": 375, "height": 740})
    assert page.locator("#progress-outcome").is_visible()
    shot(page, "notice-partial-failure-phone")
