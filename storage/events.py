"""The event-history pattern: every state change of a record is a new row."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import Index, String, Table, Text, insert, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.orm import Base, utcnow


class Event(Base):
    """History row for any record: who changed what, when, from → to. Never updated."""

    __tablename__ = "event"
    __table_args__ = (Index("ix_event_entity", "entity_type", "entity_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_type: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int]
    actor: Mapped[str] = mapped_column(String(100))
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)


def record_event(
    session: Session,
    entity_type: str,
    entity_id: int,
    *,
    actor: str,
    to_state: str,
    from_state: str | None = None,
    note: str | None = None,
) -> Event:
    event = Event(
        entity_type=entity_type,
        entity_id=entity_id,
        actor=actor,
        from_state=from_state,
        to_state=to_state,
        note=note,
    )
    session.add(event)
    return event


_INSERT = insert(cast(Table, Event.__table__))


def insert_event(
    session: Session,
    entity_type: str,
    entity_id: int,
    *,
    actor: str,
    to_state: str,
    from_state: str | None = None,
    note: str | None = None,
) -> None:
    """`record_event` for the message path: the row is inserted at once by a Core statement
    built once (no ORM object, nothing left for the commit's flush). Bulk callers keep
    `record_event`, whose rows the flush batches."""
    row = {
        "entity_type": entity_type,
        "entity_id": entity_id,
        "actor": actor,
        "from_state": from_state,
        "to_state": to_state,
        "note": note,
        "at": utcnow(),
    }
    session.connection().execute(_INSERT, row)


def history(session: Session, entity_type: str, entity_id: int) -> list[Event]:
    query = (
        select(Event)
        .where(Event.entity_type == entity_type, Event.entity_id == entity_id)
        .order_by(Event.id)
    )
    return list(session.scalars(query))
