"""The expectations of a story step that read the database: records that must exist and
messages the platform must (not) have received."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

import storage.models as models
from bot.stories.model import RecordCheck, SentCheck, Step
from storage.models import Base, Resident, SandboxRecord

Fill = Callable[[str], str]


def describe_sent(sent: list[SandboxRecord]) -> str:
    if not sent:
        return "nothing"
    return "; ".join(f"[{row.kind} → {row.target}] «{_text(row)[:160]}»" for row in sent)


def _text(row: SandboxRecord) -> str:
    return row.text or json.dumps(row.payload, ensure_ascii=False)


def _matches(row: SandboxRecord, check: SentCheck, fill: Fill) -> bool:
    if check.to is not None and row.target != fill(check.to):
        return False
    if check.kind is not None and row.kind != check.kind:
        return False
    return all(fill(fragment) in _text(row) for fragment in check.has)


def check_sent(step: Step, sent: list[SandboxRecord], fill: Fill, nothing: bool) -> list[str]:
    failures = []
    for check in step.sent:
        if not any(_matches(row, check, fill) for row in sent):
            failures.append(f"nothing sent to {check.to or 'anyone'} with {check.has}")
    for check in step.not_sent:
        for row in sent:
            if _matches(row, check, fill):
                failures.append(f"must not send to {row.target}: «{_text(row)[:160]}»")
    if nothing and sent:
        failures.append(f"expected nothing sent, but {len(sent)} message(s) went out")
    return failures


def check_records(
    session: Session, checks: list[RecordCheck], fill: Fill, fill_json: Callable[[Any], Any]
) -> list[str]:
    failures = []
    for check in checks:
        model = getattr(models, check.model, None)
        if not (isinstance(model, type) and issubclass(model, Base)):
            failures.append(f"no such model: {check.model}")
            continue
        try:
            query = _filtered(session, model, fill_json(check.where))
        except ValueError as exc:
            failures.append(str(exc))
            continue
        count = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        wanted = f"{check.model} where {check.where}"
        if check.count is None and count == 0:
            failures.append(f"no {wanted}")
        elif check.count is not None and count != check.count:
            failures.append(f"{count} × {wanted}, expected {check.count}")
    return failures


def _typed(column: Any, value: Any) -> Any:
    """A filled-in placeholder is text; PostgreSQL compares only like with like."""
    if not isinstance(value, str):
        return value
    try:
        kind = column.type.python_type
    except (AttributeError, NotImplementedError):
        return value
    if kind is bool:
        return value.lower() in ("true", "1", "yes")
    if kind is int:
        return int(value)
    if kind in (date, datetime):
        return kind.fromisoformat(value)
    return value


def _filtered(session: Session, model: type[Base], where: dict[str, Any]) -> Select[Any]:
    query = select(model)
    for key, value in where.items():
        if key == "resident":
            resident_id = session.scalar(select(Resident.id).where(Resident.openid == value))
            if resident_id is None:
                raise ValueError(f"no resident {value}")
            column = getattr(model, "resident_id", None)
            if column is None:
                raise ValueError(f"{model.__name__} has no resident_id")
            query = query.where(column == resident_id)
            continue
        name, _, operator = key.partition("__")
        column = getattr(model, name, None)
        if column is None:
            raise ValueError(f"{model.__name__} has no column {name}")
        if operator == "contains":
            query = query.where(column.contains(value))
        elif operator == "ne":
            query = query.where(column != _typed(column, value))
        elif operator == "null":
            query = query.where(column.is_(None) if value else column.is_not(None))
        elif operator == "":
            query = query.where(column == _typed(column, value))
        else:
            raise ValueError(f"unknown operator __{operator} (contains, ne, null)")
    return query
