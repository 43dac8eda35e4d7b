"""居民议事会 in a real browser: two residents report problems in 第一网格, the admin
creates a meeting from the drafted agenda, records attendance and a decision (owner and
deadline) per item, publishes; a real RQ worker sends, the sandbox's group view shows the
result in 3号楼's group and the requests are 已派单. Then the figures page."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from redis import Redis

from bot.runtime import Runtime
from tests.conftest import WeChat
from tests.console.conftest import login
from tests.meetings.conftest import report
from tests.notices.conftest import run_all_work
from tests.reports.conftest import get_request

Shot = Callable[[Any, str], Path]


def test_council_meeting_from_agenda_to_building_group(
    page: Any, shot: Shot, runtime: Runtime, redis: Redis, wechat: WeChat
) -> None:
    light = report(wechat, "demo-wangnainai", "3号楼楼道灯坏了", runtime)
    lift = report(wechat, "demo-zhaoxiaoli", "5号楼电梯又停了，老人上不去", runtime)
    run_all_work(runtime, redis)  # the grid group hears about the new reports first
    login(page, "admin")
    page.get_by_role("link", name="议事会", exact=True).click()
    page.wait_for_url("**/admin/meetings")
    page.get_by_role("link", name="新建议事会").click()
    page.get_by_label("议事会范围").select_option(label="网格｜第一网格")
    page.get_by_role("button", name="生成议题草稿").click()
    agenda = page.locator("#agenda")
    agenda.get_by_text("3号楼·公共照明（1件）").wait_for()
    assert "5号楼·电梯（1件）" in agenda.inner_text()
    page.get_by_label("地点（可选）").fill("社区党群服务中心二楼")
    shot(page, "meeting-1-agenda")
    page.get_by_role("button", name="创建议事会").click()
    page.get_by_text("议事会已创建").wait_for()

    page.get_by_label("参会人员（用顿号或逗号分隔）").fill("王奶奶、赵晓丽、张敏、楼长老周")
    page.get_by_role("button", name="登记参会情况").click()
    page.get_by_text("参会情况已登记").wait_for()
    assert "4人" in page.locator("#attendance").inner_text()

    decisions = {
        "3号楼·公共照明": ("物业三天内更换3号楼全部楼道声控灯", None, "阳光物业"),
        "5号楼·电梯": ("联系电梯维保单位检修并张贴告示", "张敏", None),
    }
    for title, (action, staff_name, owner_name) in decisions.items():
        item = page.locator("section.item", has_text=title)
        item.get_by_label("议定措施").fill(action)
        if staff_name:
            item.get_by_label("负责人（工作人员）").select_option(label=staff_name)
        if owner_name:
            item.get_by_label("或负责单位/个人").fill(owner_name)
        item.get_by_role("button", name="保存决定").click()
        page.get_by_text("议题决定已保存").wait_for()
    assert page.locator("section.item .badge.i-decided").count() == 2
    shot(page, "meeting-2-decided")

    page.get_by_role("button", name="公布结果").click()  # confirm dialog accepted
    page.get_by_text("议事会结果已公布").wait_for()
    assert page.locator("#meeting-status").inner_text() == "已公布"
    shot(page, "meeting-3-published")

    run_all_work(runtime, redis)
    for request_id, owner in ((light, "阳光物业"), (lift, None)):
        request = get_request(runtime, request_id)
        assert request.status == "dispatched" and request.council_status == "decided"
        assert owner is None or request.owner_name == owner
    page.goto("/sandbox")
    record = page.locator("#records .record", has_text="居民议事会结果").filter(
        has_text="阳光小区3号楼居民群"
    )
    record.wait_for()
    assert "声控灯" in record.inner_text() and "阳光物业" in record.inner_text()
    shot(page, "meeting-4-sandbox-group")

    page.goto("/admin/figures")
    assert page.locator("#fig-total").inner_text() == "2"
    assert page.locator("#chart-category .bar-row").count() == 2
    shot(page, "dashboard-figures")
