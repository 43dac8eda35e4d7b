"""Household register import from Excel (openpyxl): 小区 楼号 单元 房号 标签.

Buildings and their units must already exist (a row naming an unknown 小区, 楼号 or
单元 — 4单元 of a building with three — is an error); a missing room is created. 标签 holds comma-separated care tags; an existing
household's tags are replaced by the file's (an empty cell clears them), each change an
event row like the residents page writes. All or nothing: every row is checked first
and, if any is wrong, the per-row errors are returned and nothing is written. The caller
commits (or rolls back).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.events import record_event
from storage.excel_rows import RowError, SheetError, read_sheet_rows
from storage.models import Building, Compound, Household, Unit

HEADERS = ("小区", "楼号", "单元", "房号", "标签")
REQUIRED = ("小区", "楼号", "单元", "房号")
CARE_TAGS = ("独居老人", "空巢老人", "低保", "特困", "残疾", "留守儿童")
MAX_ROWS = 20000
SPLIT = re.compile(r"[,，、;；\s]+")
NUMBER = re.compile(r"^[0-9A-Za-z-]{1,16}$")


class HouseholdFileError(Exception):
    """The file as a whole cannot be read (not Excel, missing columns, too many rows)."""


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class CheckedRow:
    row: int
    building_id: int
    unit: str
    room: str
    tags: list[str]


def _number(text: str) -> str:
    """楼号/单元 as stored: "3号楼" → "3", "2单元" → "2", "03" → "3"."""
    text = text.replace("号楼", "").replace("单元", "").replace("号", "").strip()
    return text.lstrip("0") or text


def read_rows(data: bytes) -> list[tuple[int, dict[str, str]]]:
    try:
        return read_sheet_rows(
            data,
            required=REQUIRED,
            headers=HEADERS,
            max_rows=MAX_ROWS,
        )
    except SheetError as exc:
        raise HouseholdFileError(str(exc)) from exc


def _buildings(session: Session, community_id: int) -> dict[tuple[str, str], int]:
    query = (
        select(Compound.name, Building.number, Building.id)
        .join(Compound, Building.compound_id == Compound.id)
        .where(Building.community_id == community_id)
    )
    return {(name, number): bid for name, number, bid in session.execute(query)}


def _units(session: Session, community_id: int) -> dict[int, list[str]]:
    query = (
        select(Unit.building_id, Unit.number)
        .join(Building, Building.id == Unit.building_id)
        .where(Building.community_id == community_id)
    )
    units: dict[int, list[str]] = {}
    for building_id, number in session.execute(query):
        units.setdefault(building_id, []).append(number)
    for numbers in units.values():
        numbers.sort(key=lambda n: (len(n), n))
    return units


def _collector(errors: list[RowError], row: int) -> Callable[[str, str], None]:
    def bad(column: str, message: str) -> None:
        errors.append(RowError(row, column, message))

    return bad


def check_rows(
    session: Session, community_id: int, rows: list[tuple[int, dict[str, str]]]
) -> tuple[list[CheckedRow], list[RowError]]:
    buildings = _buildings(session, community_id)
    units = _units(session, community_id)
    compounds = {name for name, _number in buildings}
    checked: list[CheckedRow] = []
    errors: list[RowError] = []
    seen: dict[tuple[int, str, str], int] = {}
    for number, cells in rows:
        row_errors: list[RowError] = []
        bad = _collector(row_errors, number)

        for column in REQUIRED:
            if not cells.get(column):
                bad(column, "不能为空")
        compound = cells.get("小区", "")
        building_no, unit, room = (
            _number(cells.get("楼号", "")),
            _number(cells.get("单元", "")),
            cells.get("房号", ""),
        )
        building_id = buildings.get((compound, building_no))
        if compound and compound not in compounds:
            bad("小区", f"没有“{compound}”这个小区")
        elif compound and building_no and building_id is None:
            bad("楼号", f"{compound}没有{building_no}号楼（楼栋须先在系统中建立）")
        if unit and not NUMBER.match(unit):
            bad("单元", f"单元号“{unit}”格式不对")
        elif unit and building_id is not None and unit not in units.get(building_id, []):
            known = units.get(building_id, [])
            have = f"只有{'、'.join(known)}单元" if known else "还没有登记任何单元"
            bad("单元", f"{compound}{building_no}号楼没有{unit}单元（该楼{have}）")
        if room and not NUMBER.match(room):
            bad("房号", f"房号“{room}”格式不对")
        tags = [t for t in SPLIT.split(cells.get("标签", "")) if t]
        unknown = [t for t in tags if t not in CARE_TAGS]
        if unknown:
            bad("标签", f"未知的标签：{'、'.join(unknown)}（可用：{'、'.join(CARE_TAGS)}）")
        if building_id is not None and unit and room:
            key = (building_id, unit, room)
            if key in seen:
                bad("房号", f"与第{seen[key]}行是同一户")
            else:
                seen[key] = number
        if row_errors:
            errors.extend(row_errors)
        elif building_id is not None:
            ordered = [t for t in CARE_TAGS if t in tags]
            checked.append(CheckedRow(number, building_id, unit, room, ordered))
    return checked, errors


def _unit(session: Session, building_id: int, number: str, cache: dict[Any, Unit]) -> Unit:
    key = (building_id, number)
    if key not in cache:
        # check_rows refused every unit that is not in the register.
        cache[key] = session.scalars(
            select(Unit).where(Unit.building_id == building_id, Unit.number == number)
        ).one()
    return cache[key]


def import_households(session: Session, community_id: int, data: bytes, actor: str) -> ImportResult:
    """Check every row, then (only if all are right) create or update the households."""
    rows = read_rows(data)
    checked, errors = check_rows(session, community_id, rows)
    result = ImportResult(errors=errors, rows=len(rows))
    if errors:
        return result
    units: dict[Any, Unit] = {}
    for row in checked:
        unit = _unit(session, row.building_id, row.unit, units)
        household = session.scalar(
            select(Household).where(Household.unit_id == unit.id, Household.room == row.room)
        )
        if household is None:
            household = Household(unit_id=unit.id, room=row.room, tags=row.tags)
            session.add(household)
            session.flush()
            result.created += 1
            note = f"Excel导入新建住户，关怀标签：{'、'.join(row.tags) or '无'}"
        else:
            before = list(household.tags or [])
            if before == row.tags:
                result.unchanged += 1
                continue
            household.tags = row.tags
            result.updated += 1
            note = (
                f"Excel导入 关怀标签：{'、'.join(before) or '无'} → {'、'.join(row.tags) or '无'}"
            )
        record_event(
            session,
            "household",
            household.id,
            actor=actor,
            from_state="tags",
            to_state="tags",
            note=note,
        )
    session.flush()
    return result
