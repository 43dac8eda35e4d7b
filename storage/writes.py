"""Small write helpers that let the database settle races instead of the application."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, bindparam, insert, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.models import InboundMessage, Resident


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


_INBOUND = cast(Table, InboundMessage.__table__)
_RESIDENT = cast(Table, Resident.__table__)
# The message path's own writes, as Core statements built once (no ORM work per message).
_FINISH = (
    update(_INBOUND)
    .where(_INBOUND.c.id == bindparam("row_id"))
    .values(
        status=bindparam("status"),
        reply_text=bindparam("reply_text"),
        replied_at=bindparam("replied_at"),
        intent=bindparam("intent"),
    )
)
_TOUCH = (
    update(_RESIDENT)
    .where(_RESIDENT.c.id == bindparam("rid"))
    .values(last_message_at=bindparam("last_message_at"), cs_quota_used=bindparam("cs_quota_used"))
)


def finish_inbound(
    session: Session,
    row_id: int,
    *,
    status: str,
    reply_text: str | None,
    replied_at: datetime,
    intent: str | None,
) -> None:
    """Record how a stored message was answered, in the session's transaction."""
    session.connection().execute(
        _FINISH,
        {
            "row_id": row_id,
            "status": status,
            "reply_text": reply_text,
            "replied_at": replied_at,
            "intent": intent,
        },
    )


def touch_resident(session: Session, resident: Resident) -> None:
    """Write the resident's message window as it is in memory (the message path sets it
    without marking it dirty, so that no early flush takes SQLite's write lock)."""
    session.connection().execute(
        _TOUCH,
        {
            "rid": resident.id,
            "last_message_at": resident.last_message_at,
            "cs_quota_used": resident.cs_quota_used,
        },
    )
