"""结对帮扶 in chat: volunteers' visit records, families' questions about visits, and the
newcomer's neighbour offer (asked from the address flow)."""

from __future__ import annotations

from handlers.base import Handler
from handlers.pairs.family import FamilyVisitsHandler
from handlers.pairs.visits import VisitRecordHandler


def pair_handlers() -> list[Handler]:
    return [VisitRecordHandler(), FamilyVisitsHandler()]
