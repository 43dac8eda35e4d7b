"""数据看板 figures (scoped by grid) and CSV / Excel exports with the lists' permissions."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from openpyxl import load_workbook
from sqlalchemy import select, update

from bot.runtime import Runtime
from storage.exports import export_rows
from storage.models import HoursEntry, ServiceRequest, VolunteerProfile
from tests.admin.conftest import Console, audit_rows
from tests.conftest import InProcessApp, WeChat
from tests.meetings.conftest import report
from tests.reports.conftest import get_request


def _rows(response: object) -> list[list[str]]:
    text = response.content.decode("utf-8-sig")  # type: ignore[attr-defined]
    return list(csv.reader(io.StringIO(text)))


def _setup(wechat: WeChat, runtime: Runtime, admin: Console) -> tuple[int, int, int]:
    light = report(wechat, "demo-wangnainai", "3号楼楼道灯坏了", runtime)
    lift = report(wechat, "demo-zhaoxiaoli", "5号楼电梯又停了", runtime)
    trash = report(wechat, "demo-lidaye", "8号楼门口垃圾好几天没人收", runtime)
    done = admin.api_post(f"/admin/api/requests/{light}/resolve", {"note": "已换灯"})
    assert done.status_code == 200, done.text
    now = datetime.now(UTC)
    with runtime.session_factory() as session:
        # Residents' ratings (given by chat in real life) and a deadline already passed.
        session.execute(update(ServiceRequest).where(ServiceRequest.id == light).values(rating=5))
        session.execute(
            update(ServiceRequest)
            .where(ServiceRequest.id == trash)
            .values(rating=3, due_at=now - timedelta(hours=1))
        )
        volunteer = session.scalars(select(VolunteerProfile).order_by(VolunteerProfile.id)).first()
        assert volunteer is not None
        session.add(
            HoursEntry(
                volunteer_id=volunteer.id, grid_id=1, minutes=90, reason="送餐", created_by="test"
            )
        )
        session.commit()
    return light, lift, trash


def test_figures_count_by_category_grid_week_and_are_scoped(
    wechat: WeChat, runtime: Runtime, console: Callable[[str], Console]
) -> None:
    admin = console("admin")
    _setup(wechat, runtime, admin)
    figures = admin.http.get("/admin/api/figures").json()
    q = figures["requests"]
    assert q["total"] == 3 and q["open"] == 2 and q["overdue"] == 1
    assert {b["label"]: b["value"] for b in q["by_category"]} == {
        "公共照明": 1,
        "电梯": 1,
        "环境卫生": 1,
    }
    grids = {b["label"]: b["value"] for b in q["by_grid"]}
    assert grids["第一网格"] == 2 and grids["第二网格"] == 1 and grids["第三网格"] == 0
    assert len(q["by_week"]) == 8 and q["by_week"][-1]["value"] == 3
    assert q["by_week"][-1]["pct"] == 100.0
    assert q["resolved"] == 1 and q["median_resolve_hours"] is not None
    assert q["satisfied_share"] == 50 and q["rating_average"] == 4.0
    assert figures["volunteers"]["hours"] == 1.5
    assert "placements" in figures["jobs"]

    li = console("liqiang")  # grid 3 only
    theirs = li.http.get("/admin/api/figures").json()
    assert theirs["requests"]["total"] == 0 and theirs["volunteers"]["hours"] == 0
    assert [b["label"] for b in theirs["requests"]["by_grid"]] == ["第三网格"]
    assert console("canteen").http.get("/admin/figures").status_code == 403

    page = admin.http.get("/admin/figures")
    assert page.status_code == 200
    assert 'id="fig-overdue">1<' in page.text and "公共照明" in page.text
    assert '<svg class="chart" id="chart-category"' in page.text


def test_exports_follow_list_permissions_and_grid_scope(
    wechat: WeChat,
    runtime: Runtime,
    console: Callable[[str], Console],
    live_server: InProcessApp,
) -> None:
    admin = console("admin")
    light, lift, trash = _setup(wechat, runtime, admin)
    codes = {get_request(runtime, i).code for i in (light, lift, trash)}

    rows = _rows(admin.http.get("/admin/export/requests.csv"))
    assert rows[0][:3] == ["编号", "状态", "类别"]
    assert {r[0] for r in rows[1:]} == codes
    by_code = {r[0]: r for r in rows[1:]}
    assert by_code[get_request(runtime, light).code][1] == "已办结"
    assert by_code[get_request(runtime, light).code][7] == "王奶奶"

    li = console("liqiang")
    assert _rows(li.http.get("/admin/export/requests.csv"))[1:] == []
    zhang = console("zhangmin")
    assert len(_rows(zhang.http.get("/admin/export/requests.csv"))) == 4

    xlsx = admin.http.get("/admin/export/requests.xlsx")
    assert xlsx.status_code == 200 and "spreadsheetml" in xlsx.headers["content-type"]
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "编号" and {v[0] for v in values[1:]} == codes

    canteen = console("canteen")
    assert canteen.http.get("/admin/export/requests.csv").status_code == 403
    hours = _rows(canteen.http.get("/admin/export/hours.csv"))
    assert hours[1][4] == "90"
    jobs = console("jobs")
    assert jobs.http.get("/admin/export/hours.xlsx").status_code == 403
    assert jobs.http.get("/admin/export/seekers.xlsx").status_code == 200
    assert admin.http.get("/admin/export/passwords.csv").status_code == 404
    assert admin.http.get("/admin/export/requests.pdf").status_code == 404
    exports = [(a.username, a.target_id) for a in audit_rows(runtime, "export")]
    assert ("admin", "requests") in exports and ("canteen", "hours") in exports
    assert ("canteen", "requests") not in exports

    anonymous = Console(live_server)
    try:
        assert anonymous.http.get("/admin/export/requests.csv").status_code == 303
    finally:
        anonymous.close()


def test_exported_cells_never_run_as_formulas(runtime: Runtime) -> None:
    with runtime.session_factory() as session:
        session.add(
            ServiceRequest(
                code="M20260101-0001",
                community_id=1,
                grid_id=1,
                location='=HYPERLINK("http://evil")',
                category="其他",
                description="@SUM(A1)",
                respond_by=datetime.now(UTC),
                resolve_by=datetime.now(UTC),
                due_at=datetime.now(UTC),
            )
        )
        session.commit()
        _columns, rows = export_rows(session, "requests", None, now=datetime.now(UTC))
    assert rows[0][5] == '\'=HYPERLINK("http://evil")' and rows[0][6] == "'@SUM(A1)"
