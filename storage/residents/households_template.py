"""The household import template (住户导入模板.xlsx): the community's real compounds,
buildings and units, every household already registered (with its care tags, so the
file can be edited and uploaded back), and a sheet listing each building's units.
The 小区 column offers a drop-down list; rooms are text (0501 stays 0501)."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Building, Compound, Grid, Household, Unit
from storage.residents.households_excel import CARE_TAGS, HEADERS

HEADER_FILL = PatternFill("solid", fgColor="DDE7F3")
WIDTHS = {"A": 14, "B": 10, "C": 10, "D": 10, "E": 24}


def _order(number: str) -> tuple[int, str]:
    return (len(number), number)


def households_template(session: Session, community_id: int) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "住户"
    sheet.append(list(HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for column, width in WIDTHS.items():
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    rows = list(
        session.execute(
            select(
                Compound.id,
                Compound.name,
                Building.number,
                Unit.number,
                Household.room,
                Household.tags,
            )
            .join(Building, Building.compound_id == Compound.id)
            .join(Unit, Unit.building_id == Building.id)
            .join(Household, Household.unit_id == Unit.id)
            .where(Compound.community_id == community_id)
        )
    )
    rows.sort(key=lambda r: (r[0], _order(r[2]), _order(r[3]), _order(r[4])))
    for _cid, compound, building, unit, room, tags in rows:
        sheet.append([compound, f"{building}号楼", f"{unit}单元", room, "、".join(tags or [])])
        sheet.cell(row=sheet.max_row, column=4).number_format = "@"
    last = max(sheet.max_row, 2) + 500  # room for new rows below the registered ones
    compounds = [
        name
        for (name,) in session.execute(
            select(Compound.name).where(Compound.community_id == community_id).order_by(Compound.id)
        )
    ]
    pick = DataValidation(type="list", formula1='"' + ",".join(compounds) + '"', allow_blank=True)
    pick.error, pick.errorTitle = "请从列表中选择小区", "小区不存在"
    pick.add(f"A2:A{last}")
    sheet.add_data_validation(pick)
    sheet.auto_filter.ref = f"A1:E{sheet.max_row}"

    units = book.create_sheet("楼栋单元")
    units.append(["小区", "楼号", "网格", "单元数", "可填单元"])
    for cell in units[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for column, width in {"A": 14, "B": 10, "C": 12, "D": 8, "E": 24}.items():
        units.column_dimensions[column].width = width
    units.freeze_panes = "A2"
    listed: dict[int, tuple[int, str, str, str, list[str]]] = {}
    for compound_id, compound, building_id, number, grid, unit in session.execute(
        select(Compound.id, Compound.name, Building.id, Building.number, Grid.name, Unit.number)
        .join(Building, Building.compound_id == Compound.id)
        .join(Grid, Grid.id == Building.grid_id)
        .outerjoin(Unit, Unit.building_id == Building.id)
        .where(Compound.community_id == community_id)
    ):
        entry = listed.setdefault(building_id, (compound_id, compound, number, grid, []))
        if unit is not None:
            entry[4].append(unit)
    for _compound_id, compound, number, grid, numbers in sorted(
        listed.values(), key=lambda e: (e[0], _order(e[2]))
    ):
        numbers.sort(key=_order)
        units.append(
            [compound, f"{number}号楼", grid, len(numbers), "、".join(f"{n}单元" for n in numbers)]
        )

    notes = book.create_sheet("填写说明")
    for line in (
        "第1张表“住户”每行一户：小区、楼号、单元、房号必填；标签可空。",
        "小区、楼号、单元须是“楼栋单元”表里已有的；单元不存在的行会被拒绝。",
        "已登记的住户已列出，改标签后上传即可；新住户加在表的下面。",
        f"标签可用：{'、'.join(CARE_TAGS)}；多个用顿号或逗号分隔，留空即清除。",
        "任何一行有误时全部不导入，请按提示改正后重新上传。",
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 80
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
