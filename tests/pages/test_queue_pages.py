"""The grid request queue page: a grid worker sees their grid's reports, acts from the
page, and the detail page shows the full history; other grids are refused."""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.runtime import Runtime
from tests.admin.conftest import Console, audit_rows
from tests.conftest import WeChat
from tests.reports.conftest import get_request, report_code, states


def test_grid_worker_claims_from_the_queue_page(
    wechat: WeChat, runtime: Runtime, console: Callable[[str], Console]
) -> None:
    code = report_code(wechat, "demo-wangnainai", "3号楼2单元楼道灯坏了，晚上看不见")
    request_id = get_request(runtime, code).id
    zhang = console("zhangmin")  # grids 1 and 2; 3号楼 is in grid 1
    page = zhang.http.get("/admin/requests")
    assert page.status_code == 200 and code in page.text
    assert "sla-green" in page.text or "sla-amber" in page.text
    assert f'action="/admin/requests/{request_id}/claim"' in page.text
    claimed = zhang.post_form(f"/admin/requests/{request_id}/claim")
    assert claimed.status_code == 303
    assert claimed.headers["location"] == f"/admin/requests/{request_id}?msg=claim"
    detail = zhang.http.get(claimed.headers["location"])
    assert detail.status_code == 200 and "认领成功" in detail.text
    history = detail.text.split('id="history"')[1]
    assert "受理 → 已派单" in history and "张敏认领" in history
    assert get_request(runtime, request_id).owner_staff_id is not None
    assert [r.username for r in audit_rows(runtime, "claim")] == ["zhangmin"]
    # Claiming again is refused with the storage rule's message, on an HTML page.
    again = zhang.post_form(f"/admin/requests/{request_id}/claim")
    assert again.status_code == 409 and "已被" in again.text
    # Filters: the claimed request is 已派单, not overdue.
    assert code in zhang.http.get("/admin/requests", params={"status": "dispatched"}).text
    assert code not in zhang.http.get("/admin/requests", params={"overdue": "true"}).text
    # Start, then return with a reason; each step lands in the history.
    assert zhang.post_form(f"/admin/requests/{request_id}/start").status_code == 303
    returned = zhang.post_form(f"/admin/requests/{request_id}/return", reason="不属于本网格")
    assert returned.status_code == 303
    assert [to for _f, to in states(runtime, request_id)][-3:] == [
        "dispatched",
        "in_progress",
        "returned",
    ]
    # 退回 hands it to the community's dispatch pool: out of the grid, back to the admin.
    assert returned.headers["location"] == "/admin/requests?msg=return"
    assert get_request(runtime, request_id).grid_id is None
    assert zhang.http.get(f"/admin/requests/{request_id}").status_code == 403
    text = console("admin").http.get(f"/admin/requests/{request_id}").text
    assert "不属于本网格" in text and "处理中 → 退回" in text and "社区派单池" in text


def test_assign_and_resolve_from_the_detail_page(
    wechat: WeChat, runtime: Runtime, console: Callable[[str], Console]
) -> None:
    code = report_code(wechat, "demo-wangnainai", "3号楼门口路灯不亮了")
    request_id = get_request(runtime, code).id
    admin = console("admin")
    page = admin.http.get(f"/admin/requests/{request_id}")
    owner = re.search(r'<option value="(\d+)">张敏</option>', page.text)
    assert owner is not None
    assigned = admin.post_form(
        f"/admin/requests/{request_id}/assign",
        owner_staff_id=owner.group(1),
        due_at="2099-01-01T18:00",
        note="请今天处理",
    )
    assert assigned.status_code == 303, assigned.text
    text = admin.http.get(f"/admin/requests/{request_id}").text
    assert "负责人：张敏" in text and "2099-01-01 18:00" in text
    resolved = admin.post_form(f"/admin/requests/{request_id}/resolve", note="已更换灯泡")
    assert resolved.status_code == 303
    assert get_request(runtime, request_id).status == "resolved"
    assert [r.action for r in audit_rows(runtime) if r.target_type == "request"] == [
        "dispatched",
        "resolved",
    ]


def test_other_grid_gets_a_403_page(
    wechat: WeChat, runtime: Runtime, console: Callable[[str], Console]
) -> None:
    code = report_code(wechat, "demo-wangnainai", "3号楼楼道灯坏了")
    request_id = get_request(runtime, code).id
    li = console("liqiang")  # grid 3 only
    assert code not in li.http.get("/admin/requests").text
    refused = li.http.get(f"/admin/requests/{request_id}")
    assert refused.status_code == 403 and "无权操作其他网格的事项" in refused.text
    assert "<html" in refused.text
    assert li.post_form(f"/admin/requests/{request_id}/claim").status_code == 403
    assert console("canteen").http.get("/admin/requests").status_code == 403
