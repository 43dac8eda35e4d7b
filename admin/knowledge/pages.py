"""办事指南 and 词库 pages (/admin/knowledge), community admins only.

The page lists entries and words; its forms and buttons post JSON to the existing API
(/admin/api/knowledge, /admin/api/lexicon) with the page's CSRF token, so validation,
audit rows and the version stamp residents' replies follow are those of the API.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

import nlp
from admin.deps import ADMIN, Staff, require_role
from admin.labels import INTENT_LABELS
from admin.render import ConsoleRoute, render
from bot.deps import SessionDep
from storage.models import KnowledgeEntry, LexiconWord

AdminStaff = Annotated[Staff, Depends(require_role(ADMIN))]


def targets() -> list[tuple[str, str]]:
    """(value, label) for the 词库 target select: intents, then report categories."""
    intents = [(name, f"意图：{INTENT_LABELS.get(name, name)}") for name in nlp.INTENTS]
    return intents + [(name, f"问题类别：{name}") for name in nlp.CATEGORIES]


def build_knowledge_pages_router() -> APIRouter:
    router = APIRouter(prefix="/admin", route_class=ConsoleRoute, include_in_schema=False)

    @router.get("/knowledge", response_class=HTMLResponse)
    def knowledge(
        request: Request, staff: AdminStaff, session: SessionDep, tab: str = "entries"
    ) -> HTMLResponse:
        entries = list(
            session.scalars(
                select(KnowledgeEntry).order_by(KnowledgeEntry.active.desc(), KnowledgeEntry.id)
            )
        )
        words = list(
            session.scalars(select(LexiconWord).order_by(LexiconWord.active.desc(), LexiconWord.id))
        )
        target_list = targets()
        context = {
            "entries": entries,
            "words": words,
            "targets": target_list,
            "target_labels": dict(target_list),
            "tab": tab if tab in ("entries", "words") else "entries",
        }
        return render(request, "knowledge.html", context, staff)

    return router
