"""Reading staff-filled Excel sheets: header by name, blank rows skipped, a row limit."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from storage.cells import formula_unescape


@dataclass(frozen=True)
class RowError:
    """One problem in one row, shown to staff as 第N行 [column]: message."""

    row: int
    column: str
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


class SheetError(Exception):
    """The file as a whole cannot be read (not Excel, missing columns, too many rows)."""


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return formula_unescape(str(value).strip())


def read_sheet_rows(
    data: bytes,
    *,
    required: Sequence[str],
    headers: Sequence[str],
    max_rows: int,
    sheet: str | None = None,
    not_excel: str = "文件不是 Excel（.xlsx）格式",
) -> list[tuple[int, dict[str, str]]]:
    """(Excel row number, {column name: text}) for every non-blank row after the header."""
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise SheetError(not_excel) from exc
    try:
        chosen = (
            workbook[sheet] if sheet and sheet in workbook.sheetnames else workbook.worksheets[0]
        )
        rows = chosen.iter_rows(values_only=True)
        header = [cell_text(v) for v in next(rows, ())]
        missing = [name for name in required if name not in header]
        if missing:
            raise SheetError("第1行缺少列：" + "、".join(missing))
        index = {name: header.index(name) for name in headers if name in header}
        out: list[tuple[int, dict[str, str]]] = []
        for number, values in enumerate(rows, start=2):
            cells = {n: cell_text(values[i]) if i < len(values) else "" for n, i in index.items()}
            if not any(cells.values()):
                continue
            if len(out) >= max_rows:
                raise SheetError(f"一次最多导入{max_rows}行，请分批导入")
            out.append((number, cells))
        return out
    finally:
        workbook.close()
