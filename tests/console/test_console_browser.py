"""The console in a real browser: sign in through the form, broadcast to 3号楼 and watch
it arrive in the sandbox's group view after a real RQ worker sends it, a grid worker
refused another grid's items, and a tampered CSRF token refused."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from redis import Redis
from sqlalchemy import select

from bot.jobs.notices import tick
from bot.runtime import Runtime
from storage.models import Notice
from tests.admin.conftest import Console, add_handover
from tests.console.conftest import login
from tests.notices.conftest import building_id, run_all_work

Shot = Callable[[Any, str], Path]


def test_broadcast_to_building_3_arrives_in_its_group(
    page: Any, shot: Shot, runtime: Runtime, redis: Redis
) -> None:
    add_handover(runtime, "demo-wangnainai", "楼道灯坏了好几天，晚上看不见路")
    page.goto("/admin/login")
    page.get_by_label("用户名").fill("admin")
    shot(page, "01-login")
    login(page, "admin")
    assert page.get_by_role("heading").first.is_visible()
    shot(page, "02-dashboard")
    page.get_by_role("link", name="转人工", exact=True).click()
    page.wait_for_url("**/admin/handovers")
    assert "楼道灯坏了" in page.content()
    shot(page, "03-handovers")

    page.get_by_role("link", name="通知", exact=True).click()
    page.get_by_role("link", name="新建通知").click()
    page.get_by_label("标题（可选）").fill("停水通知")
    page.get_by_label("通知内容").fill(
        "因管道检修，明天（周六）9:00-12:00 3号楼停水，请提前储水。给您带来不便，敬请谅解。"
    )
    page.get_by_label("按楼栋").check()
    page.get_by_label("阳光小区3号楼").check()
    shot(page, "04-compose")
    page.get_by_role("button", name="下一步：预览发送对象").click()
    page.wait_for_selector("#preview")
    preview = page.locator("#preview").inner_text()
    assert "发送预览：共 1 条" in preview
    assert "阳光小区3号楼居民群" in preview and "企业微信群机器人" in preview
    shot(page, "05-preview")

    page.get_by_role("button", name="确认发送").click()
    page.wait_for_selector("#progress")
    assert page.locator("#notice-status").inner_text() == "发送中"
    shot(page, "06-progress")
    # A real RQ worker sends (here, in the test's main thread: RQ installs signal
    # handlers) while the page in the browser keeps polling the progress endpoint.
    run_all_work(runtime, redis)
    page.wait_for_selector('#progress[data-complete="1"]', timeout=30_000)
    assert "已发送" in page.locator("#recipients").inner_text()
    tick()
    page.reload()
    assert page.locator("#notice-status").inner_text() == "已完成"
    shot(page, "07-outcome")

    page.goto("/sandbox")
    record = page.locator("#records .record", has_text="阳光小区3号楼居民群")
    record.wait_for()
    assert "3号楼停水" in record.inner_text()
    assert page.locator("#records .record").count() == 1
    page.locator("#text").fill("我住3号楼2单元501")
    page.get_by_role("button", name="发送").click()
    page.locator("#chat .bubble.bot").wait_for()
    shot(page, "08-sandbox")


def test_grid_worker_is_refused_another_grids_items(
    page: Any, runtime: Runtime, real_server: Any
) -> None:
    admin = Console(real_server).login("admin")
    response = admin.http.post(
        "/admin/notices",
        data={
            "csrf_token": admin.csrf,
            "body": "12号楼电梯检修",
            "scope": "buildings",
            "building_ids": str(building_id(runtime, "12")),
            "groups": "1",
        },
    )
    admin.close()
    assert response.status_code == 303
    notice_id = response.headers["location"].split("/")[-1].split("?")[0]
    handover_id = add_handover(runtime, "demo-sunqiang")  # 12号楼, grid 3

    login(page, "zhangmin")
    for url in (f"/admin/notices/{notice_id}", f"/admin/handovers/{handover_id}"):
        answer = page.goto(url)
        assert answer is not None and answer.status == 403
        assert page.get_by_role("alert").inner_text() == "无权操作其他网格的事项"
    page.goto("/admin/notices")
    assert "12号楼电梯检修" not in page.content()


def test_tampered_csrf_token_is_refused(page: Any, runtime: Runtime) -> None:
    login(page, "admin")
    page.goto("/admin/notices/new")
    page.get_by_label("通知内容").fill("篡改令牌的请求")
    page.get_by_label("按楼栋").check()
    page.get_by_label("阳光小区3号楼").check()
    page.eval_on_selector(
        '#compose input[name="csrf_token"]', "el => { el.value = 'forged' + el.value; }"
    )
    with page.expect_response(lambda r: r.url.endswith("/admin/notices")) as answer:
        page.get_by_role("button", name="下一步：预览发送对象").click()
    assert answer.value.status == 403
    assert "安全校验失败" in page.get_by_role("alert").inner_text()
    with runtime.session_factory() as session:
        assert session.scalars(select(Notice)).all() == []
