"""Household Excel import: a good file creates and updates households in one go; a file
with bad rows lists them and writes nothing."""

from __future__ import annotations

import io
from collections.abc import Callable

import httpx
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from bot.runtime import Runtime
from storage.events import history
from storage.models import Building, Household, Resident, Unit
from tests.admin.conftest import Console, audit_rows

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(*rows: tuple[object, ...]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["小区", "楼号", "单元", "房号", "标签"])
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(browser: Console, data: bytes, name: str = "住户.xlsx") -> httpx.Response:
    return browser.http.post(
        "/admin/households/import",
        data={"csrf_token": browser.csrf},
        files={"file": (name, data, XLSX)},
    )


def household(runtime: Runtime, building: str, unit: str, room: str) -> Household | None:
    with runtime.session_factory() as session:
        return session.scalar(
            select(Household)
            .join(Unit, Household.unit_id == Unit.id)
            .join(Building, Unit.building_id == Building.id)
            .where(Building.number == building, Unit.number == unit, Household.room == room)
        )


def wangnainai_tags(runtime: Runtime) -> list[str]:
    with runtime.session_factory() as session:
        resident = session.scalars(
            select(Resident).where(Resident.openid == "demo-wangnainai")
        ).one()
        assert resident.household is not None
        return list(resident.household.tags)


def test_good_file_creates_and_updates_households(
    runtime: Runtime, console: Callable[[str], Console]
) -> None:
    admin = console("admin")
    page = admin.http.get("/admin/households/import")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.text
    data = workbook(
        ("阳光小区", 3, 2, 501, "独居老人，低保"),  # 王奶奶's home: tags updated
        ("阳光小区", "3号楼", "2单元", "701", "留守儿童"),  # a new room in an existing unit
        ("幸福家园", 8, 1, 402, "独居老人、低保"),  # unchanged (seeded with these tags)
    )
    done = upload(admin, data)
    assert done.status_code == 303, done.text
    result = admin.http.get(done.headers["location"])
    assert "新建1户，更新标签1户，1户无变化" in result.text
    assert wangnainai_tags(runtime) == ["独居老人", "低保"]
    created = household(runtime, "3", "2", "701")
    assert created is not None and created.tags == ["留守儿童"]
    rows = audit_rows(runtime, "household_import")
    assert len(rows) == 1 and "新建1户" in (rows[0].detail or "")
    home = household(runtime, "3", "2", "501")
    assert home is not None
    with runtime.session_factory() as session:
        notes = [e.note or "" for e in history(session, "household", home.id)]
    assert any("独居老人 → 独居老人、低保" in n for n in notes)


def test_bad_rows_are_listed_and_nothing_is_imported(
    runtime: Runtime, console: Callable[[str], Console]
) -> None:
    admin = console("admin")
    data = workbook(
        ("阳光小区", 3, 2, 501, "低保"),  # fine on its own
        ("阳光小区", 99, 1, 101, ""),  # no such building
        ("不存在小区", 3, 1, 101, ""),  # no such compound
        ("阳光小区", 4, 1, 101, "独居"),  # unknown tag
        ("阳光小区", 3, 2, 501, ""),  # the same household twice
        ("阳光小区", 5, "", 101, ""),  # missing unit
    )
    refused = upload(admin, data)
    assert refused.status_code == 422
    text = refused.text
    assert "有5行填写有误，全部未导入" in text
    for expected in (
        "第3行",
        "阳光小区没有99号楼",
        "没有“不存在小区”这个小区",
        "未知的标签：独居",
        "与第2行是同一户",
        "不能为空",
    ):
        assert expected in text, expected
    assert wangnainai_tags(runtime) == ["独居老人"]  # the good row was not written
    assert audit_rows(runtime, "household_import") == []
    not_excel = upload(admin, b"not a spreadsheet", "x.xlsx")
    assert not_excel.status_code == 400
    assert "不是 Excel" in not_excel.text
    refused_role = console("zhangmin").http.get("/admin/households/import")
    assert refused_role.status_code == 403


def test_a_unit_that_does_not_exist_is_refused(
    runtime: Runtime, console: Callable[[str], Console]
) -> None:
    admin = console("admin")
    refused = upload(
        admin, workbook(("阳光小区", "3号楼", "4单元", "101", ""), ("阳光小区", 3, 2, 701, ""))
    )
    assert refused.status_code == 422
    assert "有1行填写有误，全部未导入" in refused.text
    assert "阳光小区3号楼没有4单元（该楼只有1、2、3单元）" in refused.text
    with runtime.session_factory() as session:
        units = session.scalars(
            select(Unit.number)
            .join(Building, Building.id == Unit.building_id)
            .where(Building.number == "3")
        ).all()
    assert sorted(units) == ["1", "2", "3"]  # no 4单元 was created
    assert household(runtime, "3", "2", "701") is None  # and nothing else either


def test_the_template_lists_real_buildings_and_units_and_imports_back(
    runtime: Runtime, console: Callable[[str], Console]
) -> None:
    admin = console("admin")
    page = admin.http.get("/admin/households/import").text
    assert 'href="/admin/households/template.xlsx"' in page
    answer = admin.http.get("/admin/households/template.xlsx")
    assert answer.status_code == 200 and answer.headers["content-type"] == XLSX
    book = load_workbook(io.BytesIO(answer.content))
    assert book.sheetnames == ["住户", "楼栋单元", "填写说明"]
    sheet = book["住户"]
    assert [c.value for c in sheet[1]] == ["小区", "楼号", "单元", "房号", "标签"]
    assert sheet.freeze_panes == "A2"
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert len(rows) == 25 * 3 * 12  # every seeded household, once
    assert rows[0] == ["阳光小区", "1号楼", "1单元", "101", None]
    assert ["阳光小区", "3号楼", "2单元", "501", "独居老人"] in rows
    assert ["幸福家园", "8号楼", "1单元", "402", "独居老人、低保"] in rows
    validation = sheet.data_validations.dataValidation[0]
    assert "阳光小区" in (validation.formula1 or "") and "A2" in str(validation.sqref)
    units = [[c.value for c in row] for row in book["楼栋单元"].iter_rows(min_row=2)]
    assert len(units) == 25
    assert units[0] == ["阳光小区", "1号楼", "第一网格", 3, "1单元、2单元、3单元"]

    # Round trip: change 王奶奶's tags in the downloaded file and upload it back.
    for row in sheet.iter_rows(min_row=2):
        if [c.value for c in row[:4]] == ["阳光小区", "3号楼", "2单元", "501"]:
            row[4].value = "独居老人、残疾"
    edited = io.BytesIO()
    book.save(edited)
    done = upload(admin, edited.getvalue())
    assert done.status_code == 303, done.text
    assert "新建0户，更新标签1户，899户无变化" in admin.http.get(done.headers["location"]).text
    assert wangnainai_tags(runtime) == ["独居老人", "残疾"]
    assert console("zhangmin").http.get("/admin/households/template.xlsx").status_code == 403
