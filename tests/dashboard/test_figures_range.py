"""数据看板 over a chosen range of China days: weeks said in Chinese, on-time rate and overdue
counts by grid and by owner, satisfaction by grid, charts drawn as SVG on the server, and
the same figures as an Excel workbook."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from openpyxl import load_workbook
from sqlalchemy import update

from bot.runtime import Runtime
from storage.clock import in_china
from storage.dashboard import DayRange, periods, span_label
from storage.models import ServiceRequest
from tests.admin.conftest import Console
from tests.conftest import WeChat
from tests.meetings.conftest import report

WEEK = re.compile(r"^\d{1,2}月\d{1,2}日(–\d{1,2}月\d{1,2}日)?$")  # one day: a Monday today


def _setup(wechat: WeChat, runtime: Runtime, console: Callable[[str], Console]) -> None:
    zhang, admin = console("zhangmin"), console("admin")
    light = report(wechat, "demo-wangnainai", "3号楼楼道灯坏了", runtime)  # grid 1
    lift = report(wechat, "demo-zhaoxiaoli", "5号楼电梯又停了", runtime)  # grid 1
    trash = report(wechat, "demo-lidaye", "8号楼门口垃圾好几天没人收", runtime)  # grid 2
    for request_id, who in ((light, zhang), (trash, admin)):
        assert who.api_post(f"/admin/api/requests/{request_id}/claim").status_code == 200
        assert who.api_post(f"/admin/api/requests/{request_id}/resolve", {"note": "已处理"})
    now = datetime.now(UTC)
    with runtime.session_factory() as session:
        values = {light: dict(rating=5), lift: dict(due_at=now - timedelta(hours=2))}
        # Resolved after its deadline: late, and the resident was not satisfied.
        values[trash] = dict(due_at=now - timedelta(hours=5), rating=2)
        for request_id, fields in values.items():
            session.execute(
                update(ServiceRequest).where(ServiceRequest.id == request_id).values(**fields)
            )
        session.commit()


def test_on_time_overdue_and_satisfaction_by_grid_and_owner(
    wechat: WeChat, runtime: Runtime, console: Callable[[str], Console]
) -> None:
    _setup(wechat, runtime, console)
    admin = console("admin")
    figures = admin.http.get("/admin/api/figures").json()
    q = figures["requests"]
    assert q["total"] == 3 and q["resolved"] == 2 and q["overdue"] == 1
    assert q["on_time_share"] == 50 and q["satisfied_share"] == 50
    grids = {g["label"]: g for g in q["grids"]}
    first, second = grids["第一网格"], grids["第二网格"]
    assert (first["total"], first["resolved"], first["on_time"]) == (2, 1, 1)
    assert first["on_time_share"] == 100 and first["overdue_open"] == 1
    assert first["satisfied_share"] == 100 and first["rating_average"] == 5.0
    assert second["on_time_share"] == 0 and second["late_resolved"] == 1
    assert second["satisfied_share"] == 0 and grids["第三网格"]["on_time_share"] is None
    owners = {o["label"]: o for o in q["owners"]}
    assert owners["张敏"]["on_time"] == 1 and owners["张敏"]["on_time_share"] == 100
    assert owners["刘书记"]["late_resolved"] == 1 and owners["刘书记"]["on_time_share"] == 0
    assert owners["未认领"]["overdue_open"] == 1

    weeks = [b["label"] for b in q["by_week"]]
    assert len(weeks) == 8 and all(WEEK.match(w) for w in weeks), weeks
    assert not any("-W" in w for w in weeks) and q["by_week"][-1]["value"] == 3
    today = in_china(datetime.now(UTC)).date()
    assert weeks[-1].endswith(f"{today.month}月{today.day}日")

    page = admin.http.get("/admin/figures")
    assert page.status_code == 200
    for chart in ("chart-week", "chart-ontime-grid", "chart-overdue-grid", "chart-satisfied-grid"):
        assert f'<svg class="chart" id="{chart}"' in page.text, chart
    assert 'data-label="第一网格" data-value="100"' in page.text  # on-time bar
    assert "W4" not in page.text and weeks[-1] in page.text
    assert 'id="table-owner"' in page.text and "张敏" in page.text


def test_a_date_range_narrows_the_figures_and_long_ranges_go_by_month(
    wechat: WeChat, runtime: Runtime, console: Callable[[str], Console]
) -> None:
    _setup(wechat, runtime, console)
    admin = console("admin")
    today = in_china(datetime.now(UTC)).date()
    before = admin.http.get(
        "/admin/api/figures",
        params={"since": str(today - timedelta(days=30)), "until": str(today - timedelta(days=1))},
    ).json()
    assert before["requests"]["total"] == 0 and before["requests"]["on_time_share"] is None
    yearly = admin.http.get(
        "/admin/api/figures",
        params={"since": str(today - timedelta(days=200)), "until": str(today)},
    ).json()
    months = [b["label"] for b in yearly["requests"]["by_week"]]
    assert all(re.match(r"^\d{4}年\d{1,2}月$", m) for m in months) and len(months) in (7, 8)
    assert yearly["requests"]["by_week"][-1]["value"] == 3
    page = admin.http.get("/admin/figures", params={"since": "2026-12-07", "until": "2026-12-01"})
    assert page.status_code == 400
    grid_worker = console("liqiang").http.get("/admin/api/figures").json()
    assert [g["label"] for g in grid_worker["requests"]["grids"]] == ["第三网格"]


def test_the_figures_export_as_excel(
    wechat: WeChat, runtime: Runtime, console: Callable[[str], Console]
) -> None:
    _setup(wechat, runtime, console)
    answer = console("admin").http.get("/admin/figures.xlsx")
    assert answer.status_code == 200 and "spreadsheetml" in answer.headers["content-type"]
    book = load_workbook(io.BytesIO(answer.content))
    assert book.sheetnames[:3] == ["概况", "按网格", "按负责人"]
    overview = {r[0].value: r[1] for r in book["概况"].iter_rows(min_row=2)}
    assert overview["期间提出的问题（件）"].value == 3
    assert overview["按期办结率"].value == 0.5 and overview["按期办结率"].number_format == "0%"
    assert WEEK.match(overview["时间范围"].value)
    grids = {r[0].value: r for r in book["按网格"].iter_rows(min_row=2)}
    headers = [c.value for c in book["按网格"][1]]
    assert headers[:5] == ["网格", "提出", "办结", "按期办结", "按期率"]
    assert grids["第一网格"][headers.index("超期未办结")].value == 1
    assert grids["第二网格"][headers.index("满意率")].value == 0
    assert book["按网格"].freeze_panes == "A2"
    owners = {r[0].value for r in book["按负责人"].iter_rows(min_row=2)}
    assert {"张敏", "刘书记", "未认领"} <= owners
    weeks = [r[0].value for r in book["按周"].iter_rows(min_row=2)]
    assert len(weeks) == 8 and all(WEEK.match(w) for w in weeks)


def test_weeks_are_said_in_chinese_and_cut_to_the_range() -> None:
    assert span_label(date(2026, 12, 1), date(2026, 12, 7)) == "12月1日–12月7日"
    assert span_label(date(2026, 12, 28), date(2027, 1, 3)) == "2026年12月28日–2027年1月3日"
    assert span_label(date(2026, 12, 4), date(2026, 12, 4)) == "12月4日"
    cut = periods(DayRange(date(2026, 12, 3), date(2026, 12, 16)))
    assert [label for _f, _l, label in cut] == [
        "12月3日–12月6日",
        "12月7日–12月13日",
        "12月14日–12月16日",
    ]
