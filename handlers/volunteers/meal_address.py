"""Where a meal goes: the household named in the order, completed by asking only for the
missing part (「送到8号楼几单元402？」), never silently replaced by the orderer's home."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

import nlp
from handlers.address import ADDRESS_KEYS
from handlers.base import Context
from storage.models import Building, Household, Unit

Parts = dict[str, str]
BARE_NUMBER = re.compile(r"^\s*(\d{1,4})\s*(?:号|室)?\s*[。.!！]?\s*$")
HOME_WORDS = re.compile(
    r"^(就)?(送)?(到)?(我|我们)?(家|家里|我家|家里头|老地方)(就行|就好|吧)?[。.!！]?$"
)


@dataclass(frozen=True)
class Place:
    """Either the household, or the question to ask (with the parts known so far)."""

    household: Household | None
    parts: Parts
    question: str = ""


def named_parts(ctx: Context) -> Parts:
    """The address parts the message names (digit strings)."""
    entities = ctx.understood.entities
    return {k: str(entities[k]).lstrip("0") or "0" for k in ADDRESS_KEYS if entities.get(k)}


def answer_parts(ctx: Context, known: Parts) -> Parts:
    """An answer to 「送到8号楼几单元402？」: named parts, or a bare number for the one part
    that is missing (「2」 → unit 2)."""
    parts = named_parts(ctx)
    if parts:
        return parts
    missing = [k for k in ADDRESS_KEYS if k not in known]
    bare = BARE_NUMBER.match(nlp.normalize(ctx.message.text or ""))
    if bare and len(missing) == 1:
        return {missing[0]: bare.group(1).lstrip("0") or "0"}
    return {}


def means_home(text: str) -> bool:
    return bool(HOME_WORDS.match(text.strip()))


def home_parts(household: Household) -> Parts:
    unit = household.unit
    return {"building": unit.building.number, "unit": unit.number, "room": household.room}


def spoken(parts: Parts) -> str:
    """ "8号楼几单元402": what we know, and 几 for what we don't."""
    building = f"{parts['building']}号楼" if "building" in parts else "几号楼"
    unit = f"{parts['unit']}单元" if "unit" in parts else "几单元"
    room = parts.get("room", "几号房")
    return f"{building}{unit}{room}"


def _households(session: Session, community_id: int, parts: Parts) -> list[Household]:
    query = (
        select(Household)
        .join(Unit, Household.unit_id == Unit.id)
        .join(Building, Unit.building_id == Building.id)
        .where(Building.community_id == community_id)
        .order_by(Household.id)
        .limit(50)
    )
    if "building" in parts:
        query = query.where(Building.number == parts["building"])
    if "unit" in parts:
        query = query.where(Unit.number == parts["unit"])
    if "room" in parts:
        query = query.where(Household.room == parts["room"])
    return list(session.scalars(query))


def _exists(session: Session, community_id: int, parts: Parts) -> bool:
    return bool(_households(session, community_id, parts)[:1])


def resolve(session: Session, community_id: int, parts: Parts, home: Household | None) -> Place:
    """The household these parts name; else what to ask (one short question)."""
    if home is not None and parts and all(home_parts(home).get(k) == v for k, v in parts.items()):
        return Place(
            home, parts
        )  # what they named is their own home (「送到8号楼402」 from 8-1-402)
    # Drop what does not exist, from the building down, and say why.
    why, failed = "", ""
    checked: Parts = {}
    for key in ADDRESS_KEYS:
        if key not in parts:
            continue
        trial = {**checked, key: parts[key]}
        if not _exists(session, community_id, trial):
            why, failed = f"没有找到{_named(trial)}。", key
            break
        checked = trial
    # Keep what was named besides the part that does not exist: ask only for that part.
    known = {k: v for k, v in parts.items() if k != failed} if why else dict(parts)
    if not why and all(k in known for k in ADDRESS_KEYS):
        found = _households(session, community_id, known)
        return Place(found[0], known)
    if not why and "building" in known and "room" in known:
        found = _households(session, community_id, known)
        if len(found) == 1:  # the building has one unit with that room: no need to ask
            return Place(found[0], home_parts(found[0]))
    return Place(None, known, f"{why}送到{spoken(known)}？")


def _named(parts: Parts) -> str:
    out = f"{parts['building']}号楼" if "building" in parts else ""
    out += f"{parts['unit']}单元" if "unit" in parts else ""
    out += f"{parts['room']}室" if "room" in parts else ""
    return out
