"""民调 in a real browser: 张敏 composes a monthly poll of the elderly in her grids, checks
the targets preview (chat vs phone), starts it; 王奶奶 answers in chat; the results page
shows charts. Then on a 375 px phone screen 张敏 opens the phone list and records a call,
and no page scrolls sideways. Screenshots of compose, results and the phone list at 1280
and 375 px, and of a round's progress (docs/screenshots when SHEQU_SCREENSHOTS is set)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from redis import Redis

from bot.runtime import Runtime
from tests.conftest import WeChat
from tests.console.conftest import login
from tests.notices.conftest import run_all_work
from tests.polls.conftest import answers, targets

Shot = Callable[[Any, str], Path]


def _no_sideways_scroll(tab: Any) -> None:
    width = tab.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 375, f"page is {width}px wide on a 375px screen"


def _compose(tab: Any) -> None:
    tab.get_by_label("民调名称").fill("12月老人月度回访")
    tab.get_by_label("第1题题目").fill("您对社区最近的服务打几分？")
    tab.get_by_label("第2题题目").fill("您最近身体怎么样？")
    tab.get_by_label("第2题选项（选择题，用顿号分隔）").fill("挺好、一般、不太好")
    tab.get_by_label("第3题题目").fill("有什么需要社区帮忙的吗？")


def test_compose_start_answer_and_phone_call_on_a_small_screen(
    page: Any,
    chromium: Any,
    real_server: Any,
    shot: Shot,
    runtime: Runtime,
    redis: Redis,
    wechat: WeChat,
) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, "zhangmin")
    page.get_by_role("link", name="民调", exact=True).click()
    page.get_by_role("link", name="新建民调").click()
    assert page.get_by_label("独居老人").is_checked() and page.get_by_label("空巢老人").is_checked()
    _compose(page)
    shot(page, "polls-compose-1280")
    page.get_by_role("button", name="保存草稿并预览对象").click()
    page.get_by_text("民调草稿已保存").wait_for()
    preview = page.locator("#preview")
    assert "共4户" in preview.inner_text() and "无微信 2户" in preview.inner_text()
    page.get_by_role("button", name="开始民调，立即发送第一轮").click()
    page.get_by_text("民调已开始").wait_for()
    run_all_work(runtime, redis)
    poll_id = int(page.url.split("/admin/polls/")[1].split("?")[0])

    for text in ("4分", "挺好", "楼下路灯不亮，晚上出门不方便"):
        wechat.say("demo-wangnainai", text)
    for text in ("2", "不太好", "没有"):
        wechat.say("demo-lidaye", text)
    page.reload()
    households = page.locator("#households").inner_text()
    assert "王奶奶" in households and "已回答" in households and "待电话回访" in households
    shot(page, "polls-progress-1280")
    page.get_by_role("link", name="查看结果").click()
    page.locator("svg.chart").first.wait_for()
    assert page.locator("svg.chart").count() >= 3
    assert "已转工单" in page.inner_text("main")
    shot(page, "polls-results-1280")
    page.goto("/admin/polls/phone")
    page.locator("section.call").first.wait_for()
    shot(page, "polls-phone-1280")

    phone = chromium.new_context(
        base_url=real_server.url,
        viewport={"width": 375, "height": 740},
        locale="zh-CN",
        is_mobile=True,
        has_touch=True,
        device_scale_factor=1,
    )
    tab = phone.new_page()
    try:
        login(tab, "zhangmin")
        tab.goto("/admin/polls/phone")
        card = tab.locator("section.call", has_text="3号楼1单元101")
        card.wait_for()
        assert tab.locator("section.call").count() == 2
        _no_sideways_scroll(tab)
        shot(tab, "polls-phone-375")
        card.get_by_label("1. 您对社区最近的服务打几分？").select_option(label="2分")
        card.get_by_label("2. 您最近身体怎么样？").select_option(label="2 一般")
        card.get_by_label("3. 有什么需要社区帮忙的吗？").fill("想请人帮忙换灯泡")
        card.get_by_role("button", name="已接通并回答").click()
        tab.get_by_text("通话结果已记录").wait_for()
        assert tab.locator("section.call", has_text="3号楼1单元101").count() == 0
        tab.locator("section.call", has_text="7号楼2单元201").get_by_role(
            "button", name="未接通"
        ).click()
        tab.get_by_text("现在没有需要电话回访的住户").wait_for()
        tab.goto("/admin/polls/new")
        _compose(tab)
        _no_sideways_scroll(tab)
        shot(tab, "polls-compose-375")
        tab.goto(f"/admin/polls/{poll_id}/results")
        tab.locator("svg.chart").first.wait_for()
        _no_sideways_scroll(tab)
        shot(tab, "polls-results-375")
    finally:
        phone.close()

    found = targets(runtime, poll_id)
    called = found["3-1-101"]
    assert called.status == "answered" and called.via == "phone"
    assert [a.number for a in answers(runtime, called.id)] == [2, 2, None]
    assert found["7-2-201"].status == "unreachable"
