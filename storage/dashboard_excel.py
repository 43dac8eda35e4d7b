"""The figures page as an Excel workbook: an overview sheet, then one sheet per table
(by grid, by owner, by category, by week, volunteer hours by grid). Shares are
numbers formatted as percentages, so they can be summed and charted in Excel."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from storage.ledger_files import Column, write_sheet

PERFORMANCE = (
    Column("提出", 8),
    Column("办结", 8),
    Column("按期办结", 10),
    Column("按期率", 10),
    Column("超期未办结", 12),
    Column("超期办结", 10),
)
SATISFACTION = (Column("评价人数", 10), Column("满意率", 10), Column("平均分", 8))


def _share(sheet: WriteOnlyWorksheet, value: int | None) -> Any:
    if value is None:
        return None
    cell = WriteOnlyCell(sheet, value=value / 100)
    cell.number_format = "0%"
    return cell


def _performance(sheet: WriteOnlyWorksheet, row: dict[str, Any]) -> list[Any]:
    return [
        row["total"],
        row["resolved"],
        row["on_time"],
        _share(sheet, row["on_time_share"]),
        row["overdue_open"],
        row["late_resolved"],
    ]


def figures_xlsx(figures: dict[str, Any], scope: str) -> bytes:
    q = figures["requests"]
    book = Workbook(write_only=True)
    overview = book.create_sheet("概况")
    facts: list[list[Any]] = [
        ["时间范围", figures["range"]["label"]],
        ["范围", scope],
        ["期间提出的问题（件）", q["total"]],
        ["其中未办结（件）", q["open"]],
        ["超期未办结（件）", q["overdue"]],
        ["已办结（件）", q["resolved"]],
        ["按期办结率", _share(overview, q["on_time_share"])],
        ["办结用时中位数（小时）", q["median_resolve_hours"]],
        ["评价人数", q["ratings"]],
        ["满意率（4分及以上）", _share(overview, q["satisfied_share"])],
        ["平均评分", q["rating_average"]],
        ["志愿服务（小时）", figures["volunteers"]["hours"]],
        ["已就业安置（人）", figures["jobs"]["placements"]],
        ["零就业家庭（户）", figures["jobs"]["zero_employment_households"]],
    ]
    write_sheet(overview, (Column("项目", 26), Column("数值", 24)), facts, filters=False)

    grids = book.create_sheet("按网格")
    write_sheet(
        grids,
        (Column("网格", 14), *PERFORMANCE, *SATISFACTION),
        [
            [
                r["label"],
                *_performance(grids, r),
                r["ratings"],
                _share(grids, r["satisfied_share"]),
                r["rating_average"],
            ]
            for r in q["grids"]
        ],
    )
    owners = book.create_sheet("按负责人")
    write_sheet(
        owners,
        (Column("负责人", 14), *PERFORMANCE),
        [[r["label"], *_performance(owners, r)] for r in q["owners"]],
    )
    for title, header, rows, unit in (
        ("按类别", "类别", q["by_category"], "问题（件）"),
        ("按周", "时间", q["by_week"], "新增问题（件）"),
        ("志愿时长按网格", "网格", figures["volunteers"]["by_grid"], "小时"),
    ):
        sheet = book.create_sheet(title)
        write_sheet(
            sheet,
            (Column(header, 22), Column(unit, 14)),
            [[r["label"], r["value"]] for r in rows],
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
