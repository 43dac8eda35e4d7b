"""The household register and the figures page in a real browser, as an administrator:
search 8号楼, walk compound → building → unit → household → resident; pick a date range
on the figures page, read the SVG charts and download the figures and a filtered ledger.
Screenshots at desktop (1280) and phone (375) width."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from bot.runtime import Runtime
from tests.admin.conftest import Console
from tests.conftest import WeChat
from tests.console.conftest import login
from tests.reports.conftest import report

Shot = Callable[[Any, str], Path]
PHONE = {"width": 375, "height": 740}


def phone_shot(page: Any, shot: Shot, name: str, height: int = 2200) -> None:
    """A phone-width screenshot of the page's first screens (a whole long page on a
    phone would be a very tall, heavy image)."""
    path = shot(page, name)
    full = page.evaluate("document.documentElement.scrollHeight")
    clip = {"x": 0, "y": 0, "width": 375, "height": min(height, full)}
    page.screenshot(path=str(path), full_page=True, clip=clip)


DESKTOP = {"width": 1280, "height": 800}


def test_register_walk_from_compound_to_resident(page: Any, shot: Shot, runtime: Runtime) -> None:
    login(page, "admin")
    page.set_viewport_size(DESKTOP)
    page.goto("/admin/residents")
    page.get_by_label("姓名、手机号、OpenID 或住址").fill("8号楼")
    page.get_by_role("button", name="查询").click()
    assert "共找到1位居民" in page.locator("#result-count").inner_text()
    assert page.locator("#results").get_by_role("link", name="李大爷").is_visible()

    page.get_by_role("link", name="按小区、楼栋、单元浏览住户台账 →").click()
    page.wait_for_url("**/admin/register")
    assert page.locator("section.card h2").all_inner_texts() == [
        "阳光小区",
        "幸福家园",
        "和谐苑",
        "新城花园",
    ]
    shot(page, "register-index-desktop")
    page.set_viewport_size(PHONE)
    phone_shot(page, shot, "register-index-phone", height=1600)
    page.set_viewport_size(DESKTOP)
    page.locator("#compound-2").get_by_role("link", name="8号楼", exact=True).click()
    page.get_by_role("heading", name="幸福家园8号楼").wait_for()
    page.get_by_role("link", name="1单元").click()
    page.get_by_role("heading", name="幸福家园8号楼1单元").wait_for()
    room = page.locator('#households li[data-room="402"]')
    assert "李大爷" in room.inner_text() and "独居老人" in room.inner_text()
    shot(page, "register-unit-desktop")
    page.set_viewport_size(PHONE)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375 + 1, width  # no sideways scrolling on a phone
    phone_shot(page, shot, "register-unit-phone")
    page.set_viewport_size(DESKTOP)

    room.get_by_role("link", name="402室").click()
    page.get_by_role("heading", name="幸福家园8号楼1单元402").wait_for()
    page.locator("#household-residents").get_by_role("link", name="李大爷").click()
    page.get_by_role("heading", name="李大爷").wait_for()
    for section in ("#record-requests", "#record-orders", "#record-applications"):
        assert page.locator(section).is_visible(), section
    assert "没有反映过问题" in page.locator("#record-requests").inner_text()
    shot(page, "register-resident-desktop")
    page.set_viewport_size(PHONE)
    phone_shot(page, shot, "register-resident-phone", height=1600)


def test_figures_range_charts_and_downloads(
    page: Any, shot: Shot, runtime: Runtime, real_server: Any, wechat: WeChat
) -> None:
    light = report(wechat, "demo-wangnainai", "3号楼楼道灯坏了", runtime)
    report(wechat, "demo-lidaye", "8号楼门口垃圾好几天没人收", runtime)
    admin = Console(real_server).login("admin")
    admin.api_post(f"/admin/api/requests/{light}/claim")
    admin.api_post(f"/admin/api/requests/{light}/resolve", {"note": "已换灯"})
    admin.close()

    login(page, "admin")
    page.set_viewport_size(DESKTOP)
    page.goto("/admin/figures")
    assert page.locator("#fig-total").inner_text() == "2"
    week_rows = page.locator("#chart-week .bar-row")
    assert week_rows.count() == 8
    last = week_rows.nth(7).get_attribute("data-label") or ""
    assert re.match(r"^\d{1,2}月\d{1,2}日(–\d{1,2}月\d{1,2}日)?$", last), last
    assert page.locator("#chart-ontime-grid .bar-row").count() == 5
    assert (
        page.locator('#chart-ontime-grid .bar-row[data-label="第一网格"]').get_attribute(
            "data-value"
        )
        == "100"
    )
    assert "刘书记" in page.locator("#table-owner").inner_text()
    shot(page, "figures-desktop")
    page.set_viewport_size(PHONE)
    phone_shot(page, shot, "figures-phone")
    page.set_viewport_size(DESKTOP)

    with page.expect_download() as figures_file:
        page.get_by_role("link", name="导出本页数据（Excel）").click()
    book = load_workbook(io.BytesIO(Path(figures_file.value.path()).read_bytes()))
    assert book["概况"]["B4"].value == 2

    page.locator("#export-list").select_option(label="问题工单")
    page.locator("#export-status").select_option(label="已办结")
    page.locator('select[name="grid_id"]').select_option(label="第一网格")
    with page.expect_download() as ledger_file:
        page.get_by_role("button", name="导出 Excel").click()
    sheet = load_workbook(io.BytesIO(Path(ledger_file.value.path()).read_bytes())).active
    assert sheet is not None
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 1 and rows[0][1] == "已办结" and rows[0][8] == "刘书记"

    page.goto("/admin/figures")
    page.get_by_label("起始日期").first.fill("2020-01-01")
    page.get_by_label("截止日期").first.fill("2020-01-31")
    page.get_by_role("button", name="查看").click()
    page.wait_for_url("**since=2020-01-01**")
    assert page.locator("#fig-total").inner_text() == "0"
    assert "1月1日–1月31日" in page.locator("#range-label").inner_text()
