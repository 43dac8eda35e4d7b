"""A same-problem reporter starts following a request: two Core statements built once
(the report path runs them for every repeated report; no ORM flush or refresh)."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, insert, update
from sqlalchemy.orm import Session

from storage.models import RequestSubscriber, ServiceRequest

_SUBSCRIBERS = cast(Table, RequestSubscriber.__table__)
_REQUESTS = cast(Table, ServiceRequest.__table__)
_ADD = insert(_SUBSCRIBERS).values(
    request_id=bindparam("rid"),
    resident_id=bindparam("resident"),
    text=bindparam("text"),
    created_at=bindparam("at"),
)
_COUNT = (
    update(_REQUESTS)
    .where(_REQUESTS.c.id == bindparam("rid"))
    .values(same_count=_REQUESTS.c.same_count + 1)
    .returning(_REQUESTS.c.same_count, _REQUESTS.c.status)
)


def add_follower(
    session: Session, request_id: int, resident_id: int, text: str, now: datetime
) -> tuple[int, str]:
    """Insert the follower and count them in: the request's new same_count and its status."""
    values = {"rid": request_id, "resident": resident_id, "text": text, "at": now}
    connection = session.connection()
    connection.execute(_ADD, values)
    count, status = connection.execute(_COUNT, values).one()
    return int(count), str(status)
