"""Ledger files: rows of typed cells written as CSV (UTF-8 with BOM) or Excel.

In Excel, times are real date cells in China time (Excel has no time zones) shown as
yyyy-mm-dd hh:mm, days as yyyy-mm-dd; the header row is frozen and filterable and each
column has a width. In CSV the same cells are written as that text. Text cells that a
spreadsheet would run as a formula are quoted by `storage.cells.formula_safe`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from storage.cells import formula_safe
from storage.clock import in_china

Rows = list[list[Any]]
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
HEADER_FILL = PatternFill("solid", fgColor="DDE7F3")


@dataclass(frozen=True)
class Column:
    header: str
    width: int = 12
    wrap: bool = False


def cell_value(value: Any) -> Any:
    """Aware times become naive China time; text is formula-safe; the rest unchanged."""
    if isinstance(value, datetime):
        local = in_china(value) if value.tzinfo else value
        return local.replace(tzinfo=None, second=0, microsecond=0)
    return formula_safe(value)


def csv_text(value: Any) -> Any:
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return f"{value:%Y-%m-%d}"
    return "" if value is None else value


def to_csv(columns: Sequence[Column], rows: Rows) -> bytes:
    """UTF-8 with a byte-order mark, so Excel on Windows reads the Chinese correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([c.header for c in columns])
    writer.writerows([[csv_text(v) for v in row] for row in rows])
    return ("\ufeff" + buffer.getvalue()).encode()


def write_sheet(
    sheet: WriteOnlyWorksheet, columns: Sequence[Column], rows: Rows, *, filters: bool = True
) -> None:
    """Widths, frozen header and autofilter are set before the rows (write-only sheets)."""
    for number, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = column.width
    sheet.freeze_panes = "A2"
    if filters and columns:
        last = get_column_letter(len(columns))
        sheet.auto_filter.ref = f"A1:{last}{len(rows) + 1}"
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        header.append(cell)
    sheet.append(header)
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        out: list[Any] = []
        for column, value in zip(columns, row, strict=True):
            if isinstance(value, datetime | date) or column.wrap:
                cell = WriteOnlyCell(sheet, value=value)
                if isinstance(value, datetime):
                    cell.number_format = DATETIME_FORMAT
                elif isinstance(value, date):
                    cell.number_format = DATE_FORMAT
                if column.wrap:
                    cell.alignment = wrap
                out.append(cell)
            else:
                out.append(value)
        sheet.append(out)


def to_xlsx(title: str, columns: Sequence[Column], rows: Rows) -> bytes:
    book = Workbook(write_only=True)
    write_sheet(book.create_sheet(title[:31]), columns, rows)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
