"""Background jobs of the three lists: chasing projects past their deadline (督)."""

from __future__ import annotations

from datetime import datetime

from bot.runtime import get_runtime
from storage.models import utcnow
from storage.projects.chase import chase_overdue


def chase_projects(now: datetime | None = None) -> int:
    """Tell the grid's work group about each active project past its deadline, once."""
    runtime = get_runtime()
    with runtime.session_factory() as session:
        told = chase_overdue(session, now or utcnow())
        runtime.commit(session)
    return told
