"""The one escaper for every exported cell (CSV and Excel).

A spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return before
one) as a formula, so text from residents could run on a staff member's computer
("CSV injection"). Such text gets a leading apostrophe, which spreadsheets read as
"this is text". Reading a sheet back removes exactly that apostrophe again.
"""

from __future__ import annotations

from datetime import date
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value: Any) -> Any:
    """Numbers, dates and None unchanged; text that a spreadsheet would run, quoted."""
    if isinstance(value, date | int | float) or value is None:
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def formula_unescape(text: str) -> str:
    """The text `formula_safe` was given (for sheets that are exported and imported)."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text
