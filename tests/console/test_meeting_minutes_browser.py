"""居民议事会 minutes in a real browser: the admin adds a topic of the meeting's own beside
a resident's problem, records the vote on each decision, prints the minutes (print CSS:
no console header, no buttons) and downloads them as a Word file, which is opened and
read. Screenshots of the minutes at desktop and phone width."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from redis import Redis

from bot.runtime import Runtime
from tests.conftest import WeChat
from tests.console.conftest import login
from tests.meetings.conftest import report
from tests.meetings.test_topics_votes_minutes import docx_text
from tests.notices.conftest import run_all_work

Shot = Callable[[Any, str], Path]


def test_votes_are_recorded_and_the_minutes_printed_and_exported(
    page: Any, shot: Shot, runtime: Runtime, redis: Redis, wechat: WeChat, tmp_path: Path
) -> None:
    report(wechat, "demo-wangnainai", "3号楼楼道灯坏了", runtime)
    run_all_work(runtime, redis)
    login(page, "admin")
    page.goto("/admin/meetings/new")
    page.get_by_label("议事会范围").select_option(label="网格｜第一网格")
    page.get_by_role("button", name="生成议题草稿").click()
    page.locator("#agenda").get_by_text("3号楼·公共照明（1件）").wait_for()
    page.get_by_label("地点（可选）").fill("社区党群服务中心二楼")
    page.get_by_label("其他议题（每行一个，可写成「名称：说明」）").fill(
        "电动车充电桩选址：征求居民意见，确定建在哪里"
    )
    page.get_by_role("button", name="创建议事会").click()
    page.get_by_text("议事会已创建").wait_for()

    page.get_by_label("议题名称").fill("楼道堆物清理")
    page.get_by_role("button", name="添加议题").click()
    page.get_by_text("议题已添加").wait_for()
    assert page.locator("section.item").count() == 3

    page.get_by_label("参会人员（用顿号或逗号分隔）").fill("王奶奶、赵晓丽、张敏、楼长老周")
    page.get_by_label("参会人数（不填则按名单计）").fill("15")
    page.get_by_role("button", name="登记参会情况").click()
    page.get_by_text("参会情况已登记").wait_for()

    decisions = {
        "3号楼·公共照明": ("物业三天内更换3号楼全部楼道声控灯", ("12", "1", "2")),
        "电动车充电桩选址": ("在3号楼与5号楼之间建充电棚", ("9", "4", "2")),
        "楼道堆物清理": ("本周六组织志愿者清理楼道", None),
    }
    for title, (action, votes) in decisions.items():
        item = page.locator("section.item", has_text=title)
        item.get_by_label("议定措施").fill(action)
        item.get_by_label("或负责单位/个人").fill("阳光物业")
        if votes:
            for label, count in zip(("同意", "反对", "弃权"), votes, strict=True):
                item.get_by_label(label, exact=True).fill(count)
        item.get_by_role("button", name="保存决定").click()
        page.get_by_text("议题决定已保存").wait_for()
    # More votes than people present is refused, with the reason.
    item = page.locator("section.item", has_text="楼道堆物清理")
    item.get_by_label("同意", exact=True).fill("16")
    item.get_by_role("button", name="保存决定").click()
    page.get_by_text("表决票数合计16票，超过了参会人数15人").wait_for()
    page.go_back()
    page.reload()
    votes = page.locator("section.item", has_text="电动车充电桩选址").locator(".votes")
    assert votes.inner_text() == "同意9票，反对4票，弃权2票"
    assert page.locator("section.item", has_text="楼道堆物清理").locator(".votes").inner_text() == (
        "未表决"
    )

    page.get_by_role("link", name="会议纪要（打印）").click()
    page.wait_for_url("**/minutes")
    table = page.locator("#decisions")
    row = table.locator("tr", has_text="电动车充电桩选址").inner_text()
    assert "在3号楼与5号楼之间建充电棚" in row and "9" in row and "4" in row
    assert "未表决" in table.locator("tr", has_text="楼道堆物清理").inner_text()
    minutes = page.locator("#minutes").inner_text()
    assert "15人（王奶奶、赵晓丽、张敏、楼长老周）" in minutes
    assert "表决：同意12票，反对1票，弃权2票" in minutes

    # The print button prints; printed, the page is the minutes alone.
    page.evaluate("window.print = () => { window.printed = true; }")
    page.get_by_role("button", name="打印纪要").click()
    assert page.evaluate("window.printed === true")
    page.emulate_media(media="print")
    assert not page.locator("header.top").is_visible()
    assert not page.get_by_role("button", name="打印纪要").is_visible()
    assert page.locator("#decisions").is_visible()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 5_000
    page.emulate_media(media="screen")
    assert page.locator("header.top").is_visible()

    page.set_viewport_size({"width": 1280, "height": 800})
    shot(page, "meeting-minutes-desktop")
    page.set_viewport_size({"width": 375, "height": 740})
    assert page.locator("#decisions").is_visible()
    shot(page, "meeting-minutes-phone")

    with page.expect_download() as download:
        page.get_by_role("link", name="下载 Word 文档").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.suffix == ".docx"
    paragraphs, rows = docx_text(saved.read_bytes())
    assert paragraphs[0] == "居民议事会会议纪要"
    cells = {row[1]: row for row in rows[1:]}
    assert cells["电动车充电桩选址"][2] == "在3号楼与5号楼之间建充电棚"
    assert cells["电动车充电桩选址"][5:] == ["9", "4", "2"]
    assert cells["3号楼·公共照明（1件）"][5:] == ["12", "1", "2"]
    assert cells["楼道堆物清理"][5:] == ["—", "—", "—"]
    assert "说明：征求居民意见，确定建在哪里" in paragraphs
