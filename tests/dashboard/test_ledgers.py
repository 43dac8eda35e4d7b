"""Ledgers staff can trust: the exported Excel opened with openpyxl and read cell by cell
(real China-time date cells with a year, Chinese labels for every code, the owner's name
when a staff account owns the request, 办结说明), a frozen and filterable header with
column widths, and filters by date range, grid and status that give the console's rows."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import update

from bot.runtime import Runtime
from storage.clock import in_china
from storage.models import Handover, ServiceRequest
from tests.admin.conftest import Console, add_handover
from tests.conftest import WeChat
from tests.meetings.conftest import report
from tests.reports.conftest import get_request

# Every stored code that a ledger once showed raw; none may appear as a cell.
RAW_CODES = {
    "open",
    "closed",
    "claimed",
    "lunch",
    "dinner",
    "breakfast",
    "pending",
    "confirmed",
    "available",
    "employed",
    "chat",
    "survey",
    "applied",
    "active",
    "meal",
    "wecom_robot",
    "customer_service",
    "template",
    "request_staff",
    "request_update",
    "handover",
    "resolved",
    "accepted",
    "dispatched",
    "sent",
    "wechat",
}


def sheet_of(response: Any) -> Any:
    assert response.status_code == 200, response.text
    assert "spreadsheetml" in response.headers["content-type"]
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.active
    assert sheet is not None
    return sheet


def table(sheet: Any) -> list[dict[str, Any]]:
    rows = list(sheet.iter_rows())
    headers = [c.value for c in rows[0]]
    return [{h: c for h, c in zip(headers, row, strict=True)} for row in rows[1:]]


def _ledger(wechat: WeChat, runtime: Runtime, console: Callable[[str], Console]) -> dict[str, int]:
    zhang = console("zhangmin")
    light = report(wechat, "demo-wangnainai", "3号楼楼道灯坏了", runtime)  # grid 1
    lift = report(wechat, "demo-zhaoxiaoli", "5号楼电梯又停了", runtime)  # grid 1
    trash = report(wechat, "demo-lidaye", "8号楼门口垃圾好几天没人收", runtime)  # grid 2
    assert zhang.api_post(f"/admin/api/requests/{light}/claim").status_code == 200
    done = zhang.api_post(f"/admin/api/requests/{light}/resolve", {"note": "已更换楼道灯泡"})
    assert done.status_code == 200, done.text
    with runtime.session_factory() as session:
        # Reported ten days ago (China time), so a date range can leave it out.
        earlier = datetime.now(UTC) - timedelta(days=10)
        session.execute(
            update(ServiceRequest).where(ServiceRequest.id == trash).values(created_at=earlier)
        )
        session.commit()
    return {"light": light, "lift": lift, "trash": trash}


def test_request_ledger_cells_are_dates_labels_and_names(
    wechat: WeChat, runtime: Runtime, console: Callable[[str], Console]
) -> None:
    ids = _ledger(wechat, runtime, console)
    admin = console("admin")
    sheet = sheet_of(admin.http.get("/admin/export/requests.xlsx"))
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:S4"
    assert sheet.column_dimensions["G"].width == 36  # 描述
    assert sheet.column_dimensions["J"].width == 17  # 反映时间
    assert [c.value for c in sheet[1]][:10] == [
        "编号",
        "状态",
        "类别",
        "紧急",
        "网格",
        "位置",
        "描述",
        "反映人",
        "负责人",
        "反映时间",
    ]
    assert "办结说明" in [c.value for c in sheet[1]]
    rows = {r["编号"].value: r for r in table(sheet)}
    light = get_request(runtime, ids["light"])
    row = rows[light.code]
    assert row["状态"].value == "已办结" and row["紧急"].value == "否"
    assert row["负责人"].value == "张敏"  # a staff owner, by the account's name
    assert row["反映人"].value == "王奶奶" and row["网格"].value == "第一网格"
    assert row["办结说明"].value == "已更换楼道灯泡" and row["按期办结"].value == "是"
    assert row["来源"].value == "公众号"
    for column in ("反映时间", "响应期限", "办结期限", "办结时间"):
        cell = row[column]
        assert isinstance(cell.value, datetime), column
        assert cell.number_format == "yyyy-mm-dd hh:mm", column
    local = in_china(light.created_at).replace(tzinfo=None, second=0, microsecond=0)
    assert row["反映时间"].value == local  # China wall clock, with the year
    assert row["反映时间"].value.year == local.year
    open_row = rows[get_request(runtime, ids["lift"]).code]
    assert open_row["负责人"].value == "未认领" and open_row["办结时间"].value is None
    assert open_row["状态"].value == "受理" and open_row["办结说明"].value is None

    csv = admin.http.get("/admin/export/requests.csv").content.decode("utf-8-sig")
    stamp = f"{local:%Y-%m-%d %H:%M}"
    assert stamp in csv and "张敏" in csv and "已更换楼道灯泡" in csv


def test_filters_give_the_console_lists_rows(
    wechat: WeChat, runtime: Runtime, console: Callable[[str], Console]
) -> None:
    ids = _ledger(wechat, runtime, console)
    admin = console("admin")
    codes = {name: get_request(runtime, i).code for name, i in ids.items()}

    def exported(**params: str) -> list[str]:
        sheet = sheet_of(admin.http.get("/admin/export/requests.xlsx", params=params))
        return [r["编号"].value for r in table(sheet)]

    def listed(status: str) -> list[str]:
        page = admin.http.get("/admin/requests", params={"status": status}).text
        return re.findall(r'href="/admin/requests/\d+">(M\d{8}-\d{4})<', page)

    for status in ("open", "closed", "resolved", "accepted"):
        assert exported(status=status) == listed(status), status
    assert sorted(exported(status="open")) == sorted([codes["lift"], codes["trash"]])
    assert exported(grid_id="2") == [codes["trash"]]
    today = in_china(datetime.now(UTC)).date()
    recent = exported(since=str(today - timedelta(days=2)), until=str(today))
    assert sorted(recent) == sorted([codes["light"], codes["lift"]])
    old = exported(since=str(today - timedelta(days=11)), until=str(today - timedelta(days=9)))
    assert old == [codes["trash"]]
    # The form on the exports page sends the same fields.
    form = admin.http.get(
        "/admin/export",
        params={"list": "requests", "fmt": "xlsx", "status": "open", "grid_id": "1"},
    )
    assert [r["编号"].value for r in table(sheet_of(form))] == [codes["lift"]]

    page = admin.http.get("/admin/exports").text
    assert 'id="export-form"' in page and 'name="since"' in page and "第一网格" in page
    zhang = console("zhangmin")  # grids 1 and 2
    assert zhang.http.get("/admin/export/requests.xlsx", params={"grid_id": "3"}).status_code == 403
    assert (
        zhang.http.get("/admin/export/requests.csv", params={"since": "12-01"}).status_code == 400
    )
    wrong = admin.http.get("/admin/export/requests.xlsx", params={"status": "lunch"})
    assert wrong.status_code == 400
    backwards = admin.http.get(
        "/admin/export/requests.xlsx", params={"since": "2026-12-07", "until": "2026-12-01"}
    )
    assert backwards.status_code == 400


def test_no_ledger_shows_a_raw_code(
    wechat: WeChat, runtime: Runtime, console: Callable[[str], Console], work: Callable[[], None]
) -> None:
    _ledger(wechat, runtime, console)
    handover = add_handover(runtime, "demo-sunqiang", "我要找网格员")
    with runtime.session_factory() as session:
        session.execute(update(Handover).where(Handover.id == handover).values(status="claimed"))
        session.commit()
    assert "请确认订餐" in (wechat.say("demo-wangnainai", "明天中午送一份饭") or "")
    assert "已下单" in (wechat.say("demo-wangnainai", "确认") or "")
    assert "J2" in (wechat.say("demo-lidaye", "想找工作，会开车，全天") or "")
    assert "已报名" in (wechat.say("demo-lidaye", "报名 J2") or "")
    work()
    admin = console("admin")
    seen: dict[str, int] = {}
    for name in (
        "requests",
        "handovers",
        "deliveries",
        "meal_orders",
        "tasks",
        "volunteers",
        "hours",
        "seekers",
        "applications",
    ):
        sheet = sheet_of(admin.http.get(f"/admin/export/{name}.xlsx"))
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref, name
        values = [c.value for row in sheet.iter_rows(min_row=2) for c in row]
        seen[name] = sheet.max_row - 1
        raw = {v for v in values if isinstance(v, str) and v in RAW_CODES}
        assert not raw, (name, raw)
        assert not any(
            isinstance(v, str) and re.match(r"^(demo-|o[A-Za-z0-9_-]{20,})", v) for v in values
        ), name
    for name in ("requests", "handovers", "deliveries", "meal_orders", "volunteers"):
        assert seen[name] >= 1, name
    assert seen["seekers"] >= 1 and seen["applications"] >= 1

    meals = table(sheet_of(admin.http.get("/admin/export/meal_orders.xlsx")))
    assert meals[0]["餐次"].value == "午餐" and meals[0]["状态"].value in ("待确认", "已确认")
    assert meals[0]["用餐日期"].number_format == "yyyy-mm-dd"
    hands = table(sheet_of(admin.http.get("/admin/export/handovers.xlsx")))
    assert {r["状态"].value for r in hands} == {"处理中"} and hands[0]["居民"].value == "孙强"
    sent = table(sheet_of(admin.http.get("/admin/export/deliveries.xlsx")))
    assert "企业微信群机器人" in {r["渠道"].value for r in sent}
    assert "工单通知网格员" in {r["用途"].value for r in sent}
    assert any(str(r["接收方"].value).endswith("工作群") for r in sent)
    seekers = table(sheet_of(admin.http.get("/admin/export/seekers.xlsx")))
    lidaye = [r for r in seekers if r["住址"].value == "8号楼1单元402"]
    assert lidaye and lidaye[0]["劳动力状态"].value == "可就业"
    assert lidaye[0]["来源"].value == "公众号登记"
    applications = table(sheet_of(admin.http.get("/admin/export/applications.xlsx")))
    assert applications[0]["状态"].value == "已报名" and applications[0]["岗位号"].value == "J2"
