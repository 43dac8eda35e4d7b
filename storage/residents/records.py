"""Staff corrections to a resident's record: name and phone, and the household's care tags."""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy.orm import Session

from storage.events import record_event
from storage.models import Household, Resident
from storage.residents.households_excel import CARE_TAGS

PHONE = re.compile(r"^1\d{10}$")


class RecordError(ValueError):
    """The correction is refused; the message is shown to staff."""


def update_contact(session: Session, resident: Resident, *, name: str, phone: str) -> str:
    """Set the name and phone (empty clears them); returns "before → after" for the audit."""
    phone = phone.strip()
    if phone and not PHONE.match(phone):
        raise RecordError("手机号应为11位数字")
    before = f"{resident.name or ''}/{resident.phone or ''}"
    resident.name = name.strip() or None
    resident.phone = phone or None
    session.flush()
    return f"{before} → {resident.name or ''}/{resident.phone or ''}"


def set_care_tags(
    session: Session, household: Household, chosen: Iterable[str], *, actor: str
) -> str | None:
    """The household's care tags, in the register's order; returns the history note, or
    None when nothing changed."""
    chosen = list(chosen)
    if any(tag not in CARE_TAGS for tag in chosen):
        raise RecordError("未知的关怀标签")
    before = list(household.tags or [])
    after = [tag for tag in CARE_TAGS if tag in chosen]
    if before == after:
        return None
    household.tags = after
    note = f"关怀标签：{'、'.join(before) or '无'} → {'、'.join(after) or '无'}"
    record_event(
        session,
        "household",
        household.id,
        actor=actor,
        from_state="tags",
        to_state="tags",
        note=note,
    )
    return note
