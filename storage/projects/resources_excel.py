"""The resources list as Excel: a template to fill, the list exported, and an import that
checks every row first and writes all of them or none (per-row errors for staff).
Columns: 类别 名称 提供单位 能提供什么 联系人 电话. A row whose 提供单位 and 名称 match an
existing resource updates it. The caller commits (or rolls back)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from storage.cells import formula_safe
from storage.events import record_event
from storage.excel_rows import RowError, SheetError, read_sheet_rows
from storage.ledger_files import Column, to_xlsx
from storage.models import Resource
from storage.projects.resources import (
    ENTITY,
    KINDS,
    add_resource,
    check_fields,
    kind_of,
    list_resources,
)

HEADERS = ("类别", "名称", "提供单位", "能提供什么", "联系人", "电话")
COLUMNS = [
    Column(header, width) for header, width in zip(HEADERS, (8, 20, 20, 36, 10, 16), strict=True)
]
REQUIRED = ("类别", "名称", "提供单位", "能提供什么")
COLUMN_OF = {
    "kind": "类别",
    "name": "名称",
    "owner": "提供单位",
    "offer": "能提供什么",
    "contact_phone": "电话",
}
MAX_ROWS = 2000
SHEET = "资源清单"
EXAMPLE = (
    "场地",
    "社区活动室",
    "城南社区居委会",
    "周一至周五白天可借用，容纳40人",
    "刘主任",
    "0851-8888001",
)


@dataclass
class ResourceImport:
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0
    created: int = 0
    updated: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def template_xlsx() -> bytes:
    return to_xlsx(SHEET, COLUMNS, [list(EXAMPLE)])


def export_xlsx(session: Session, community_id: int) -> bytes:
    rows = [
        [
            formula_safe(v)
            for v in (KINDS[r.kind], r.name, r.owner, r.offer, r.contact_name, r.contact_phone)
        ]
        for r in list_resources(session, community_id, active_only=True)
        if r.volunteer_id is None  # volunteers' skills come from their profiles
    ]
    return to_xlsx(SHEET, COLUMNS, rows)


def import_resources(
    session: Session, community_id: int, data: bytes, *, actor: str, now: datetime
) -> ResourceImport:
    """Check every row; write them only if none is wrong. Raises SheetError for a file
    that cannot be read as a whole."""
    rows = read_sheet_rows(data, required=REQUIRED, headers=HEADERS, max_rows=MAX_ROWS, sheet=SHEET)
    result = ResourceImport(rows=len(rows))
    existing = {
        (r.owner, r.name): r
        for r in list_resources(session, community_id)
        if r.volunteer_id is None
    }
    seen: dict[tuple[str, str], int] = {}
    checked: list[tuple[str, dict[str, str]]] = []
    for number, cells in rows:
        kind = kind_of(cells.get("类别", "")) or ""
        problems = check_fields(
            kind, cells["名称"], cells["提供单位"], cells["能提供什么"], cells.get("电话")
        )
        key = (cells["提供单位"].strip(), cells["名称"].strip())
        if not problems and key in seen:
            problems["name"] = f"与第{seen[key]}行重复"
        seen.setdefault(key, number)
        for name, message in problems.items():
            result.errors.append(RowError(number, COLUMN_OF.get(name, name), message))
        checked.append((kind, cells))
    if result.errors:
        return result
    for kind, cells in checked:
        key = (cells["提供单位"].strip(), cells["名称"].strip())
        found: Resource | None = existing.get(key)
        if found is None:
            add_resource(
                session,
                community_id=community_id,
                kind=kind,
                name=cells["名称"],
                owner=cells["提供单位"],
                offer=cells["能提供什么"],
                contact_name=cells.get("联系人"),
                contact_phone=cells.get("电话"),
                actor=actor,
                now=now,
            )
            result.created += 1
            continue
        found.kind = kind
        found.offer = cells["能提供什么"].strip()[:2000]
        found.contact_name = (cells.get("联系人") or "").strip()[:64] or None
        found.contact_phone = (cells.get("电话") or "").strip()[:32] or None
        found.active = True
        found.updated_at = now
        record_event(session, ENTITY, found.id, actor=actor, to_state="active", note="Excel导入")
        result.updated += 1
    return result


__all__ = ["HEADERS", "ResourceImport", "SheetError", "export_xlsx", "import_resources"]
