"""The household employment survey (摸排登记) as Excel: import and export with openpyxl.

One row per working-age person: 楼号 单元 房号 姓名 电话 就业状态 不能就业原因 技能 意向
工作时间 困难 备注. An import is all or nothing: every row is checked first and, if any
row is wrong, the errors are returned per row and nothing is written. A person already
in the registry (same household, same name) is updated, so importing a file again adds
no duplicates; the same person twice in one file is an error on the later row.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from storage.cells import formula_safe
from storage.employment.figures import employment_figures
from storage.employment.profile import (
    HOURS_LABELS,
    KIND_LABELS,
    STATUS_LABELS,
    canonical_hours,
    canonical_kind,
    canonical_skill,
    canonical_status,
    split_list,
)
from storage.events import record_event
from storage.excel_rows import RowError, SheetError, read_sheet_rows
from storage.models import Building, Household, JobSeeker, Unit
from storage.residents.queries import find_household

HEADERS = (
    "楼号",
    "单元",
    "房号",
    "姓名",
    "电话",
    "就业状态",
    "不能就业原因",
    "技能",
    "意向",
    "工作时间",
    "困难",
    "备注",
)
REQUIRED = ("楼号", "单元", "房号", "姓名", "就业状态")
MAX_ROWS = 20000
SHEET = "摸排登记"


class SurveyFileError(Exception):
    """The file as a whole cannot be read (not Excel, no header row, too many rows)."""


@dataclass
class SurveyRow:
    row: int
    household_id: int
    name: str
    phone: str | None
    labour_status: str
    unable_reason: str | None
    skills: list[str]
    kinds: list[str]
    hours: str
    constraints: list[str]
    note: str | None


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def read_rows(data: bytes) -> list[tuple[int, dict[str, str]]]:
    try:
        return read_sheet_rows(
            data,
            required=REQUIRED,
            headers=HEADERS,
            max_rows=MAX_ROWS,
            sheet=SHEET,
            not_excel="文件不是 Excel（.xlsx）格式，请用导出的模板填写后上传",
        )
    except SheetError as exc:
        raise SurveyFileError(str(exc)) from exc


def _check_row(
    session: Session, community_id: int, number: int, cells: dict[str, str]
) -> tuple[SurveyRow | None, list[RowError]]:
    errors: list[RowError] = []

    def bad(column: str, message: str) -> None:
        errors.append(RowError(number, column, message))

    building, unit, room = cells.get("楼号", ""), cells.get("单元", ""), cells.get("房号", "")
    building = building.removesuffix("号楼").removesuffix("栋")
    unit = unit.removesuffix("单元")
    household = None
    if not (building and unit and room):
        bad("楼号", "住址不完整（楼号、单元、房号都要填）")
    else:
        household = find_household(session, community_id, building, unit, room)
        if household is None:
            bad("房号", f"本社区没有{building}号楼{unit}单元{room}室")
    name = cells.get("姓名", "")
    if not name:
        bad("姓名", "姓名不能为空")
    phone = cells.get("电话", "") or None
    if phone and not (phone.isdigit() and len(phone) in (7, 8, 11, 12)):
        bad("电话", f"电话“{phone}”格式不对")
    status = canonical_status(cells.get("就业状态", ""))
    if status is None:
        bad("就业状态", "就业状态只能填：可就业、已就业、暂不能就业")
    reason = cells.get("不能就业原因", "") or None
    if status == "unable" and not reason:
        bad("不能就业原因", "暂不能就业的，请填写原因（如照顾孩子、照顾老人、生病、怀孕）")
    skills: list[str] = []
    for word in split_list(cells.get("技能", "")):
        if word in ("无", "没有"):
            continue
        skill = canonical_skill(word)
        if skill is None:
            bad("技能", f"不认识的技能“{word}”")
        else:
            skills.append(skill)
    kinds: list[str] = []
    for word in split_list(cells.get("意向", "")):
        if word in ("无", "都行", "不限"):
            continue
        kind = canonical_kind(word)
        if kind is None:
            bad("意向", f"不认识的意向“{word}”（可填：{'、'.join(KIND_LABELS.values())}）")
        else:
            kinds.append(kind)
    hours = canonical_hours(cells.get("工作时间", ""))
    if hours is None:
        bad("工作时间", "工作时间只能填：全天、半天、都行")
    constraints = [c for c in split_list(cells.get("困难", "")) if c not in ("无", "没有")]
    if errors or household is None or status is None or hours is None:
        return None, errors
    return (
        SurveyRow(
            row=number,
            household_id=household.id,
            name=name,
            phone=phone,
            labour_status=status,
            unable_reason=reason if status == "unable" else None,
            skills=sorted(set(skills)),
            kinds=sorted(set(kinds)),
            hours=hours,
            constraints=sorted(set(constraints)),
            note=cells.get("备注", "") or None,
        ),
        [],
    )


def import_survey(
    session: Session, community_id: int, data: bytes, actor: str, now: datetime
) -> ImportResult:
    """Check every row; write all of them only if all are right (the caller commits)."""
    result = ImportResult()
    parsed: list[SurveyRow] = []
    seen: dict[tuple[int, str], int] = {}
    for number, cells in read_rows(data):
        row, errors = _check_row(session, community_id, number, cells)
        result.errors.extend(errors)
        if row is None:
            continue
        key = (row.household_id, row.name)
        if key in seen:
            result.errors.append(
                RowError(number, "姓名", f"与第{seen[key]}行重复（同一户的{row.name}登记了两次）")
            )
            continue
        seen[key] = number
        parsed.append(row)
    result.rows = len(parsed) + len({e.row for e in result.errors})
    if result.errors:
        return result
    for row in parsed:
        seeker = session.scalar(
            select(JobSeeker).where(
                JobSeeker.household_id == row.household_id, JobSeeker.name == row.name
            )
        )
        previous = seeker.labour_status if seeker else None
        if seeker is None:
            seeker = JobSeeker(household_id=row.household_id, name=row.name, source="survey")
            session.add(seeker)
            result.created += 1
        else:
            result.updated += 1
        seeker.phone = row.phone or seeker.phone
        seeker.labour_status = row.labour_status
        seeker.unable_reason = row.unable_reason
        seeker.skills = row.skills
        seeker.wanted_kinds = row.kinds
        seeker.hours = row.hours
        seeker.constraints = row.constraints
        seeker.note = row.note
        seeker.surveyed_at = now
        seeker.updated_at = now
        session.flush()
        record_event(
            session,
            "job_seeker",
            seeker.id,
            actor=actor,
            from_state=previous,
            to_state=row.labour_status,
            note=f"摸排登记导入（第{row.row}行）",
        )
    return result


def export_survey(session: Session) -> tuple[bytes, int]:
    """The registry as an Excel file that imports back unchanged, plus a 汇总 sheet; and
    how many people it lists. Text cells go through the one export escaper."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = SHEET
    sheet.append(list(HEADERS))
    seekers = session.scalars(
        select(JobSeeker)
        .join(Household, JobSeeker.household_id == Household.id)
        .join(Unit, Household.unit_id == Unit.id)
        .join(Building, Unit.building_id == Building.id)
        .options(joinedload(JobSeeker.household).joinedload(Household.unit))
        .order_by(Building.id, Unit.number, Household.room, JobSeeker.id)
    )
    count = 0
    for seeker in seekers:
        household = seeker.household
        assert household is not None
        count += 1
        row = [
            household.unit.building.number,
            household.unit.number,
            household.room,
            seeker.name or "",
            seeker.phone or "",
            STATUS_LABELS[seeker.labour_status],
            seeker.unable_reason or "",
            "、".join(seeker.skills or []),
            "、".join(KIND_LABELS[k] for k in seeker.wanted_kinds or []),
            HOURS_LABELS["any"] if seeker.hours == "any" else HOURS_LABELS[seeker.hours],
            "、".join(seeker.constraints or []),
            seeker.note or "",
        ]
        sheet.append([formula_safe(value) for value in row])
    figures = employment_figures(session)
    summary = workbook.create_sheet("汇总")
    for label, key in (
        ("登记户数", "households"),
        ("登记人数", "people"),
        ("可就业（待就业）", "available"),
        ("已就业", "employed"),
        ("暂不能就业", "unable"),
        ("零就业家庭", "zero_employment_households"),
        ("经平台录用", "placements"),
    ):
        summary.append([label, figures[key]])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue(), count
