"""Small write helpers that let the database settle races instead of the application."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, insert, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.models import InboundMessage


@lru_cache(maxsize=4)
def _insert_inbound(dialect: str) -> Any:
    """Built once per dialect (the message path runs it for every message); the values
    come as execution parameters, so the compiled form is cached too."""
    table = cast(Table, InboundMessage.__table__)
    if dialect in ("sqlite", "postgresql"):
        make = sqlite_insert if dialect == "sqlite" else pg_insert
        return (
            make(table).on_conflict_do_nothing(index_elements=["dedup_key"]).returning(table.c.id)
        )
    return insert(table).returning(table.c.id)


def insert_if_new(session: Session, values: dict[str, Any]) -> int | None:
    """Insert an inbound message unless its dedup key exists; the new id, or None.
    A Core statement on the session's connection: the same transaction, no ORM work."""
    connection = session.connection()
    statement = _insert_inbound(connection.dialect.name)
    new_id = connection.execute(statement, values).scalar()
    return int(new_id) if new_id is not None else None


def update_if(session: Session, model: Any, *where: ColumnElement[bool], **values: Any) -> bool:
    """`UPDATE model SET values WHERE where`: True when a row changed. Callers name the
    state they saw in `where`, so of two racing changes exactly one wins."""
    result = session.execute(
        update(model).where(*where).values(**values).execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
