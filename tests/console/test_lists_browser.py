"""三张清单 in a real browser: a resident reports a problem; the admin lists it as a need,
holds a 社区党建联席会议 on it, records the member units, matches resources and names an
owner, deadline and milestones (the project), publishes; a real RQ worker sends and the
sandbox's group view shows the project in 3号楼's group. Then the lists at 1280 and 375 px
(screenshots for docs/screenshots when $SHEQU_SCREENSHOTS is set)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from redis import Redis

from bot.runtime import Runtime
from tests.conftest import WeChat
from tests.console.conftest import login
from tests.notices.conftest import run_all_work
from tests.projects.conftest import report

Shot = Callable[[Any, str], Path]


def _need_to_project(page: Any, shot: Shot) -> None:
    page.get_by_role("link", name="三张清单", exact=True).click()
    page.wait_for_url("**/admin/needs")
    groups = page.locator("#groups")
    groups.get_by_text("3号楼·公共照明（1件）").wait_for()
    groups.get_by_role("button", name="列入需求清单").click()
    page.get_by_text("需求已加入需求清单").wait_for()
    assert "3号楼·公共照明（1件）" in page.locator("#needs").inner_text()
    shot(page, "lists-needs-1280")

    page.get_by_role("link", name="党建联席会议").click()
    page.get_by_role("link", name="新建联席会议").click()
    agenda = page.locator("#agenda")
    agenda.get_by_text("3号楼·公共照明（1件）").wait_for()
    page.get_by_label("地点（可选）").fill("社区党群服务中心")
    page.get_by_role("button", name="创建联席会议").click()
    page.get_by_text("联席会议已创建").wait_for()

    attendance = page.locator("#attendance-form")
    for unit in ("城南供电所", "阳光物业", "区慈善会"):
        attendance.get_by_label(unit).check()
    page.get_by_role("button", name="登记参会单位").click()
    page.get_by_text("参会单位已登记").wait_for()
    assert "3个" in page.locator("#attendance").inner_text()

    item = page.locator("section.item", has_text="3号楼·公共照明")
    item.get_by_label("项目名称").fill("3号楼楼道亮灯工程")
    item.get_by_label("做什么").fill("供电所检修线路，物业更换全部声控灯")
    item.get_by_label("城南供电所：电工维修").check()
    item.get_by_label("阳光物业：物业维修班").check()
    item.get_by_label("或负责单位").fill("城南供电所")
    item.get_by_label("节点（每行一个").fill("检修线路\n更换声控灯")
    shot(page, "lists-joint-meeting-1280")
    item.get_by_role("button", name="立项").click()
    page.get_by_text("已立项").first.wait_for()
    assert "待启动" in page.locator("section.item").inner_text()

    page.get_by_role("button", name="公布结果").click()  # confirm dialog accepted
    page.get_by_text("联席会议结果已公布").wait_for()
    assert page.locator("#meeting-status").inner_text() == "已公布"


def test_joint_meeting_turns_a_need_into_a_project(
    page: Any, shot: Shot, runtime: Runtime, redis: Redis, wechat: WeChat
) -> None:
    report(wechat, "demo-wangnainai", "3号楼楼道灯坏了", runtime)
    run_all_work(runtime, redis)
    page.set_viewport_size({"width": 1280, "height": 800})
    login(page, "admin")
    _need_to_project(page, shot)
    run_all_work(runtime, redis)

    page.get_by_role("link", name="3号楼楼道亮灯工程").click()
    assert page.locator("#project-status").inner_text() == "进行中"
    page.get_by_role("button", name="标记完成并发布").first.click()
    page.get_by_text("节点已完成").wait_for()
    page.get_by_label("进展（会发到相关楼栋群").fill("线路已检修，声控灯下周二更换")
    page.get_by_role("button", name="发布到楼栋群").click()
    page.get_by_text("进展已发布到相关楼栋群").wait_for()
    run_all_work(runtime, redis)
    page.get_by_role("link", name="项目清单").click()
    assert "线路已检修" in page.locator("#projects").inner_text()
    shot(page, "lists-projects-1280")
    page.get_by_role("link", name="资源清单").click()
    page.locator("#resources").get_by_text("城南供电所").first.wait_for()
    shot(page, "lists-resources-1280")

    page.goto("/sandbox")
    group = page.locator("#records .record", has_text="阳光小区3号楼居民群")
    group.filter(has_text="社区党建联席会议").wait_for()
    assert "3号楼楼道亮灯工程" in group.filter(has_text="社区党建联席会议").inner_text()
    group.filter(has_text="线路已检修").wait_for()

    # At a phone's width the lists stay readable (one column, no sideways scrolling).
    page.set_viewport_size({"width": 375, "height": 800})
    for path, name in (
        ("/admin/needs", "lists-needs-375"),
        ("/admin/resources", "lists-resources-375"),
        ("/admin/projects", "lists-projects-375"),
        ("/admin/joint-meetings/1", "lists-joint-meeting-375"),
    ):
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375 + 1, (path, width)
        shot(page, name)
