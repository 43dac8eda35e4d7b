"""The event-history pattern: every state change of a record is a new row."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Event


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


def history(session: Session, entity_type: str, entity_id: int) -> list[Event]:
    query = (
        select(Event)
        .where(Event.entity_type == entity_type, Event.entity_id == entity_id)
        .order_by(Event.id)
    )
    return list(session.scalars(query))
