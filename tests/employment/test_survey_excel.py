"""The household survey (摸排登记) as Excel through the console API: all or nothing,
errors per row, re-imports update instead of duplicating, export imports back."""

from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from bot.runtime import Runtime
from storage.employment.survey_excel import HEADERS
from storage.models import JobSeeker
from tests.admin.conftest import Console
from tests.conftest import WeChat

IMPORT = "/admin/api/employment/survey/import"
GOOD_ROWS = [
    [
        "3",
        "2",
        "501",
        "王秀英",
        "13800000001",
        "可就业",
        "",
        "缝纫、麻编",
        "扶贫车间",
        "半天",
        "接送孩子",
        "",
    ],
    ["3", "2", "501", "王建国", "", "已就业", "", "开车", "县内务工", "全天", "", "在县城开货车"],
    ["8", "1", "402", "李桂兰", "", "暂不能就业", "照顾老人", "", "", "", "", ""],
    [
        "8号楼",
        "1单元",
        "402",
        "李强",
        "13800000002",
        "可就业",
        "",
        "保安",
        "劳务输转/外出",
        "全天",
        "",
        "",
    ],
]


def xlsx(rows: list[list[str]], headers: tuple[str, ...] = HEADERS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "摸排登记"
    sheet.append(list(headers))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(officer: Console, data: bytes, name: str = "摸排.xlsx") -> tuple[int, dict]:  # type: ignore[type-arg]
    response = officer.http.post(
        IMPORT,
        files={"file": (name, data, "application/octet-stream")},
        headers={"X-CSRF-Token": officer.csrf},
    )
    return response.status_code, response.json()


def seekers(runtime: Runtime) -> int:
    with runtime.session_factory() as session:
        return int(session.scalar(select(func.count()).select_from(JobSeeker)) or 0)


def test_good_file_imports_and_counts_zero_employment_households(
    runtime: Runtime, officer: Console
) -> None:
    status, body = upload(officer, xlsx(GOOD_ROWS))
    assert status == 200, body
    assert body == {"created": 4, "updated": 0, "rows": 4}
    figures = officer.http.get("/admin/api/employment/figures").json()
    assert figures["households"] == 2 and figures["people"] == 4
    assert (figures["available"], figures["employed"], figures["unable"]) == (2, 1, 1)
    # 3-2-501 has a worker; 8-1-402 has someone able to work and nobody employed.
    assert figures["zero_employment_addresses"] == ["8号楼1单元402"]
    with runtime.session_factory() as session:
        wang = session.scalars(select(JobSeeker).where(JobSeeker.name == "王秀英")).one()
        li = session.scalars(select(JobSeeker).where(JobSeeker.name == "李强")).one()
    assert wang.skills == ["缝纫", "麻编"] and wang.wanted_kinds == ["workshop"]
    assert wang.hours == "half" and wang.constraints == ["接送孩子"]
    assert li.wanted_kinds == ["migrant"] and li.source == "survey"


def test_bad_rows_are_reported_per_row_and_nothing_is_imported(
    runtime: Runtime, officer: Console
) -> None:
    rows = [
        GOOD_ROWS[0],
        ["30", "1", "101", "张三", "", "可就业", "", "", "", "全天", "", ""],  # no building 30
        ["5", "1", "302", "", "", "可就业", "", "", "", "全天", "", ""],  # no name
        ["5", "1", "302", "赵六", "123", "上班", "", "飞行", "", "早上", "", ""],
        ["5", "1", "302", "钱七", "", "暂不能就业", "", "", "", "", "", ""],  # no reason
    ]
    status, body = upload(officer, xlsx(rows))
    assert status == 422
    assert "全部未导入" in body["detail"]
    by_row: dict[int, list[str]] = {}
    for error in body["errors"]:
        by_row.setdefault(error["row"], []).append(f"{error['column']}:{error['message']}")
    assert set(by_row) == {3, 4, 5, 6}  # row 2 (the first data row) is fine
    assert by_row[3] == ["房号:本社区没有30号楼1单元101室"]
    assert by_row[4] == ["姓名:姓名不能为空"]
    assert [e.split(":")[0] for e in by_row[5]] == ["电话", "就业状态", "技能", "工作时间"]
    assert "不认识的技能“飞行”" in by_row[5][2]
    assert by_row[6] == [
        "不能就业原因:暂不能就业的，请填写原因（如照顾孩子、照顾老人、生病、怀孕）"
    ]
    assert seekers(runtime) == 0


def test_duplicate_person_in_file_is_an_error_and_reimport_updates(
    runtime: Runtime, officer: Console
) -> None:
    status, body = upload(officer, xlsx([*GOOD_ROWS, GOOD_ROWS[0]]))
    assert status == 422
    assert body["errors"] == [
        {"row": 6, "column": "姓名", "message": "与第2行重复（同一户的王秀英登记了两次）"}
    ]
    assert seekers(runtime) == 0
    assert upload(officer, xlsx(GOOD_ROWS))[0] == 200
    changed = [row[:] for row in GOOD_ROWS]
    changed[3][5] = "已就业"  # 李强 found work since the last survey
    status, body = upload(officer, xlsx(changed))
    assert status == 200 and body == {"created": 0, "updated": 4, "rows": 4}
    assert seekers(runtime) == 4
    figures = officer.http.get("/admin/api/employment/figures").json()
    assert figures["zero_employment_households"] == 0


def test_not_excel_and_missing_columns_are_refused(officer: Console) -> None:
    status, body = upload(officer, b"name,room\n", name="survey.csv")
    assert status == 400 and "不是 Excel" in body["detail"]
    status, body = upload(officer, xlsx([], headers=("楼号", "姓名")))
    assert status == 400 and body["detail"] == "第1行缺少列：单元、房号、就业状态"


def test_export_imports_back_unchanged_and_links_chat_residents(
    runtime: Runtime, officer: Console, wechat: WeChat
) -> None:
    upload(officer, xlsx(GOOD_ROWS))
    response = officer.http.get("/admin/api/employment/survey/export")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook["摸排登记"]
    rows = [
        [("" if v is None else str(v)) for v in row] for row in sheet.iter_rows(values_only=True)
    ]
    assert tuple(rows[0]) == HEADERS
    assert rows[1][:6] == ["3", "2", "501", "王秀英", "13800000001", "可就业"]
    summary = {row[0].value: row[1].value for row in workbook["汇总"].iter_rows()}
    assert summary["零就业家庭"] == 1
    status, body = upload(officer, response.content)
    assert status == 200 and body["updated"] == 4 and body["created"] == 0
    # A resident who writes in is linked to the survey row of their household and name.
    upload(
        officer, xlsx([["8", "1", "402", "李大爷", "", "可就业", "", "保洁", "", "半天", "", ""]])
    )
    count = seekers(runtime)
    reply = wechat.say("demo-lidaye", "找工作")
    assert reply is not None and "按您登记的信息（可就业，会保洁，半天）" in reply
    assert seekers(runtime) == count
    with runtime.session_factory() as session:
        linked = session.scalars(select(JobSeeker).where(JobSeeker.name == "李大爷")).one()
    assert linked.resident_id is not None and linked.source == "survey"
