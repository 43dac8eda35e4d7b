"""Small write helpers that let the database settle races instead of the application."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, insert, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.models import InboundMessage


def insert_if_new(session: Session, values: dict[str, Any]) -> int | None:
    """Insert an inbound message unless its dedup key exists; the new id, or None."""
    dialect = session.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        make = sqlite_insert if dialect == "sqlite" else pg_insert
        statement = (
            make(InboundMessage)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["dedup_key"])
            .returning(InboundMessage.id)
        )
        return session.scalar(statement)
    return session.scalar(insert(InboundMessage).values(**values).returning(InboundMessage.id))


def update_if(session: Session, model: Any, *where: ColumnElement[bool], **values: Any) -> bool:
    """`UPDATE model SET values WHERE where`: True when a row changed. Callers name the
    state they saw in `where`, so of two racing changes exactly one wins."""
    result = session.execute(
        update(model).where(*where).values(**values).execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
