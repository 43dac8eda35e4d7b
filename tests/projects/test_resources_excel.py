"""The resources list as Excel: the template, an import that writes every row or none
(bad rows listed), an export that imports back unchanged, and volunteers' skills."""

from __future__ import annotations

import io
from collections.abc import Callable

import httpx
from openpyxl import Workbook, load_workbook

from bot.runtime import Runtime
from tests.admin.conftest import Console, audit_rows

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = ["类别", "名称", "提供单位", "能提供什么", "联系人", "电话"]


def workbook(*rows: tuple[object, ...], header: list[str] = HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(browser: Console, data: bytes) -> httpx.Response:
    return browser.http.post(
        "/admin/resources/import",
        data={"csrf_token": browser.csrf},
        files={"file": ("资源.xlsx", data, XLSX)},
    )


def rows_of(data: bytes) -> list[tuple[object, ...]]:
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    return [tuple(r) for r in sheet.iter_rows(values_only=True)]


def owners(admin: Console) -> list[str]:
    return [r["owner"] for r in admin.http.get("/admin/api/resources").json()]


def test_import_refuses_a_file_with_a_bad_row_and_writes_nothing(
    runtime: Runtime, console: Callable[[str], Console]
) -> None:
    admin = console("admin")
    before = owners(admin)
    bad = workbook(
        ("场地", "党员活动室", "城南小学", "周末开放", "李老师", "0851-6660001"),
        ("房子", "仓库", "某公司", "放东西", "", ""),  # unknown kind
        ("企业商户", "免费理发", "", "每月一次", "", "abc"),  # no owner, bad phone
    )
    refused = upload(admin, bad)
    assert refused.status_code == 422
    assert "有2行填写有误，全部未导入" in refused.text
    assert "第3行［类别］" in refused.text and "第4行［提供单位］" in refused.text
    assert "第4行［电话］：电话号码格式不对" in refused.text
    assert owners(admin) == before  # not even the good first row
    assert audit_rows(runtime, "resource_import") == []

    not_excel = upload(admin, b"hello")
    assert not_excel.status_code == 400 and "不是 Excel" in not_excel.text
    missing = upload(admin, workbook(("场地", "x", "y", "z"), header=["类别", "名称"]))
    assert missing.status_code == 400 and "缺少列" in missing.text


def test_template_import_export_round_trip(
    runtime: Runtime, console: Callable[[str], Console]
) -> None:
    admin = console("admin")
    template = admin.http.get("/admin/resources/template.xlsx")
    assert template.status_code == 200 and template.headers["content-type"] == XLSX
    assert rows_of(template.content)[0] == tuple(HEADER)

    good = workbook(
        ("场地", "党员活动室", "城南小学", "周末开放，容纳60人", "李老师", "0851-6660001"),
        ("资金", "助学金", "区教育基金会", "困难学生每年2000元", "", ""),
        ("单位组织", "电工维修", "城南供电所", "每周二下午上门", "陈所长", "0851-8880101"),
    )
    done = upload(admin, good)
    assert done.status_code == 303, done.text
    assert "新增2项，更新1项" in admin.http.get(done.headers["location"]).text
    rows = {r["name"]: r for r in admin.http.get("/admin/api/resources").json()}
    assert rows["党员活动室"]["kind"] == "venue" and rows["助学金"]["kind"] == "fund"
    assert rows["电工维修"]["offer"] == "每周二下午上门"  # updated, not duplicated
    assert owners(admin).count("城南供电所") == 1
    assert [a.detail for a in audit_rows(runtime, "resource_import")] == [
        "资源.xlsx：3行，新增2，更新1"
    ]

    # Text a spreadsheet would run as a formula is exported quoted and read back as typed.
    typed = {"kind": "firm", "name": "=SUM(1)理发", "owner": "爱心理发店", "offer": "每月一次"}
    assert admin.api_post("/admin/api/resources", typed).status_code == 201
    exported = admin.http.get("/admin/resources/export.xlsx")
    assert exported.status_code == 200
    sheet = rows_of(exported.content)
    assert sheet[0] == tuple(HEADER) and len(sheet) == 1 + 8
    assert ("企业商户", "'=SUM(1)理发", "爱心理发店", "每月一次", None, None) in sheet
    again = upload(admin, exported.content)  # the export imports back unchanged
    assert again.status_code == 303
    assert "新增0项，更新8项" in admin.http.get(again.headers["location"]).text
    names = [r["name"] for r in admin.http.get("/admin/api/resources").json()]
    assert len(names) == 8 and "=SUM(1)理发" in names

    # Grid workers read the list but cannot import.
    zhang = console("zhangmin")
    assert upload(zhang, good).status_code == 403


def test_volunteers_skills_become_resources(console: Callable[[str], Console]) -> None:
    admin = console("admin")
    synced = admin.api_post("/admin/api/resources/sync-volunteers")
    assert synced.status_code == 200, synced.text
    assert synced.json()["created"] >= 1
    skills = [r for r in admin.http.get("/admin/api/resources").json() if r["from_volunteers"]]
    assert skills and all(r["kind"] == "skill" and r["contact_phone"] is None for r in skills)
    assert all(r["owner"] == "社区志愿服务队" for r in skills)
    again = admin.api_post("/admin/api/resources/sync-volunteers").json()
    assert again == {"created": 0, "updated": 0, "inactive": 0}
