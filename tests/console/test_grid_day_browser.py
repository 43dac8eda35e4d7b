"""A grid worker's day on a phone (375 px) in a real chromium: start from the home page's
to-do list, find a request by what the resident said, see the phone as a tap-to-call
link, reply, correct it to urgent, claim and resolve it; the header is one line with the
menu behind a button. Screenshots of home, queue and request page at 375 and 1280 px
(docs/screenshots when $SHEQU_SCREENSHOTS points there)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from bot.runtime import Runtime
from storage.models import Resident
from tests.conftest import WeChat
from tests.console.conftest import login

Shot = Callable[[Any, str], Path]
PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def phone(chromium: Any, real_server: Any) -> Iterator[Any]:
    context = chromium.new_context(
        base_url=real_server.url, viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True
    )
    context.set_default_timeout(15_000)
    tab = context.new_page()
    tab.on("dialog", lambda dialog: dialog.accept())
    yield tab
    context.close()


def residents_report(real_server: Any, runtime: Runtime) -> None:
    with runtime.session_factory() as session:
        session.execute(
            update(Resident).where(Resident.openid == "demo-wangnainai").values(phone="13812345678")
        )
        session.commit()
    wechat = WeChat(real_server)
    try:
        wechat.say("demo-wangnainai", "3号楼2单元楼道灯坏了，晚上看不见路")
        wechat.say("demo-lidaye", "8号楼门口的垃圾好几天没人收了")
        wechat.say("demo-zhaoxiaoli", "燃气泄漏，味道很大")
        wechat.say("demo-zhengyan", "9号楼楼上每天半夜装修，太吵了")
    finally:
        wechat.http.close()


def test_grid_worker_works_the_day_on_a_phone(
    phone: Any, shot: Shot, runtime: Runtime, real_server: Any
) -> None:
    residents_report(real_server, runtime)
    login(phone, "zhangmin")
    # A compact header: one line, the menu behind a button.
    header = phone.locator("header.top").bounding_box()
    assert header is not None and header["height"] <= 56
    assert not phone.get_by_role("link", name="问题工单", exact=True).is_visible()
    todo = phone.locator("#todo")
    assert "我的网格待认领" in todo.inner_text()
    assert phone.locator('[data-todo="unclaimed"] .num').inner_text() == "4"
    shot(phone, "console-home-375")
    phone.get_by_role("button", name="菜单").click()
    assert phone.get_by_role("link", name="问题工单", exact=True).is_visible()
    phone.get_by_role("button", name="菜单").click()

    # One tap from the to-do list to the unclaimed requests; urgent first.
    phone.locator('[data-todo="unclaimed"]').click()
    phone.wait_for_url("**/admin/requests?owner=none")
    cards = phone.locator("#queue .qcard")
    assert cards.count() == 4
    assert "燃气泄漏" in cards.first.inner_text() and "紧急" in cards.first.inner_text()
    assert "共4条" in phone.locator(".pager").first.inner_text()
    box = cards.first.bounding_box()
    assert box is not None and box["height"] < 200 and box["width"] <= 375
    shot(phone, "console-queue-375")

    # Find it by what the resident said.
    phone.goto("/admin/requests")
    phone.get_by_label("搜索").fill("楼道灯")
    phone.get_by_role("button", name="查找").click()
    phone.wait_for_url("**q=**")
    assert cards.count() == 1
    cards.first.locator("a.code").click()
    phone.wait_for_selector("#people")
    call = phone.locator('#people a[href="tel:13812345678"]')
    assert call.inner_text() == "13812345678"
    assert "回复将通过「客服消息」发送" in phone.locator("#people").inner_text()
    assert "联系期限" in phone.locator(".facts").inner_text()
    assert "办结期限" in phone.locator(".facts").inner_text()
    shot(phone, "console-request-375")

    phone.get_by_label("回复王奶奶").fill("师傅下午3点上门，请家里留人")
    phone.get_by_role("button", name="发送回复").click()
    assert "回复已安排发送" in phone.get_by_role("status").inner_text()
    phone.get_by_role("button", name="认领").first.click()
    assert "认领成功" in phone.get_by_role("status").inner_text()
    phone.locator("#route summary").click()
    phone.get_by_label("紧急程度").select_option("1")
    phone.get_by_label("修改原因").fill("老人夜里出门，有摔倒危险")
    phone.get_by_role("button", name="保存修改").click()
    assert "已修改" in phone.get_by_role("status").inner_text()
    assert phone.locator("h1 .badge.urgent").is_visible()
    history = phone.locator("#history").inner_text()
    assert "张敏（网格员）" in history and "标为紧急" in history and "回复居民" in history
    assert "staff:" not in history and "resident:" not in history
    phone.get_by_label("办结说明").fill("已更换灯泡")
    phone.get_by_role("button", name="办结").click()
    assert "已办结" in phone.get_by_role("status").inner_text()


def test_desktop_screenshots_of_the_day(
    page: Any, shot: Shot, runtime: Runtime, real_server: Any
) -> None:
    residents_report(real_server, runtime)
    page.set_viewport_size(DESKTOP)
    login(page, "zhangmin")
    assert page.get_by_role("link", name="问题工单", exact=True).is_visible()
    assert not page.get_by_role("button", name="菜单").is_visible()
    shot(page, "console-home-1280")
    page.goto("/admin/requests")
    assert page.locator("#queue .qcard").count() == 4
    shot(page, "console-queue-1280")
    page.locator("#queue .qcard a.code").first.click()
    page.wait_for_selector("#people")
    shot(page, "console-request-1280")
