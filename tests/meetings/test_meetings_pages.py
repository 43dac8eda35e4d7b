"""居民议事会 through the console's HTML forms (what a browser without JavaScript does)."""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.runtime import Runtime
from tests.admin.conftest import Console, audit_rows
from tests.conftest import WeChat
from tests.meetings.conftest import report
from tests.reports.conftest import get_request


def test_meeting_pages_create_decide_publish(
    wechat: WeChat, runtime: Runtime, console: Callable[[str], Console], work: Callable[[], None]
) -> None:
    light = report(wechat, "demo-wangnainai", "3号楼楼道灯坏了", runtime)
    zhang = console("zhangmin")
    page = zhang.http.get("/admin/meetings/new", params={"scope": "grid:1"})
    assert page.status_code == 200
    assert "3号楼·公共照明（1件）" in page.text and f'value="{light}" checked' in page.text
    made = zhang.post_form(
        "/admin/meetings",
        scope="grid:1",
        title="第一网格议事会",
        held_at="2026-11-20T19:00",
        request_id=str(light),
    )
    assert made.status_code == 303, made.text
    url = made.headers["location"].split("?")[0]
    detail = zhang.http.get(url)
    assert "议题1：3号楼·公共照明（1件）" in detail.text
    found = re.search(r"/items/(\d+)/decision", detail.text)
    assert found is not None
    assert zhang.post_form(url + "/attendance", names="王奶奶、李大爷，张敏").status_code == 303
    bad = zhang.post_form(
        url + f"/items/{found.group(1)}/decision", action="换灯", due_at="2020-01-01T10:00"
    )
    assert bad.status_code == 400 and "请指定负责人" in bad.text
    past = zhang.post_form(
        url + f"/items/{found.group(1)}/decision",
        action="换灯",
        owner_name="阳光物业",
        due_at="2020-01-01T10:00",
    )
    assert past.status_code == 400 and "期限必须晚于现在" in past.text
    ok = zhang.post_form(
        url + f"/items/{found.group(1)}/decision",
        action="物业更换楼道灯",
        owner_name="阳光物业",
        due_at="2099-01-01T18:00",
    )
    assert ok.status_code == 303
    assert zhang.post_form(url + "/publish").status_code == 303
    work()
    shown = zhang.http.get(url).text
    assert "已公布" in shown and "3人：王奶奶、李大爷、张敏" in shown
    assert "公布结果</button>" not in shown
    request = get_request(runtime, light)
    assert request.status == "dispatched" and request.owner_name == "阳光物业"
    listing = zhang.http.get("/admin/meetings").text
    assert "第一网格议事会" in listing and "已公布" in listing
    assert [a.username for a in audit_rows(runtime, "meeting_publish")] == ["zhangmin"]
