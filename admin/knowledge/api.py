"""Staff teach the assistant: 办事指南 entries and extra words (JSON API, admins only).

Changes take effect in every process within seconds (bot/lexicon_provider.py polls the
version stamp), without a restart.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from sqlalchemy import select

from admin.audit import audit_staff
from admin.deps import ADMIN, Staff, client_ip, require_role
from admin.knowledge.schemas import EntryIn, EntryPublic, EntryUpdate, WordIn, WordPublic
from admin.render import ConsoleRoute
from bot.deps import SessionDep, commit
from storage.knowledge import service as knowledge
from storage.models import KnowledgeEntry, LexiconWord

AdminStaff = Annotated[Staff, Depends(require_role(ADMIN))]


def entry_json(entry: KnowledgeEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "question": entry.question,
        "answer": entry.answer,
        "keywords": entry.keywords,
        "active": entry.active,
        "updated_by": entry.updated_by,
        "updated_at": entry.updated_at.isoformat(),
    }


def word_json(word: LexiconWord) -> dict[str, Any]:
    return {
        "id": word.id,
        "word": word.word,
        "target": word.target,
        "weight": word.weight,
        "active": word.active,
        "added_by": word.added_by,
    }


def build_knowledge_router() -> APIRouter:
    router = APIRouter(prefix="/admin/api", route_class=ConsoleRoute, tags=["knowledge"])

    @router.get("/knowledge", response_model=list[EntryPublic])
    def list_entries(staff: AdminStaff, session: SessionDep) -> list[dict[str, Any]]:
        rows = session.scalars(select(KnowledgeEntry).order_by(KnowledgeEntry.id))
        return [entry_json(e) for e in rows]

    @router.post("/knowledge", status_code=201, response_model=EntryPublic)
    def create_entry(
        body: EntryIn, staff: AdminStaff, session: SessionDep, request: Request
    ) -> dict[str, Any]:
        entry = knowledge.create_entry(
            session,
            question=body.question,
            answer=body.answer,
            keywords=body.keywords,
            by=staff.username,
        )
        audit_staff(
            session,
            staff,
            "knowledge_create",
            client_ip(request),
            "knowledge",
            entry.id,
            body.question,
        )
        commit(session)
        return entry_json(entry)

    @router.post("/knowledge/{entry_id}", response_model=EntryPublic)
    def update_entry(
        entry_id: int, body: EntryUpdate, staff: AdminStaff, session: SessionDep, request: Request
    ) -> dict[str, Any]:
        entry = session.get(KnowledgeEntry, entry_id)
        if entry is None:
            raise HTTPException(status_code=404, detail="没有这条办事指南")
        changes = body.model_dump(exclude_none=True)
        knowledge.update_entry(session, entry, changes, staff.username)
        audit_staff(
            session,
            staff,
            "knowledge_update",
            client_ip(request),
            "knowledge",
            entry.id,
            ", ".join(sorted(changes)),
        )
        commit(session)
        return entry_json(entry)

    @router.get("/lexicon", response_model=list[WordPublic])
    def list_words(staff: AdminStaff, session: SessionDep) -> list[dict[str, Any]]:
        return [word_json(w) for w in session.scalars(select(LexiconWord).order_by(LexiconWord.id))]

    @router.post("/lexicon", status_code=201, response_model=WordPublic)
    def add_word(
        body: WordIn, staff: AdminStaff, session: SessionDep, request: Request
    ) -> dict[str, Any]:
        word = knowledge.add_word(
            session, word=body.word, target=body.target, weight=body.weight, by=staff.username
        )
        audit_staff(
            session,
            staff,
            "lexicon_add",
            client_ip(request),
            "lexicon",
            word.id,
            f"{body.word} → {body.target}",
        )
        commit(session)
        return word_json(word)

    @router.post("/lexicon/{word_id}/retire", response_model=WordPublic)
    def retire_word(
        word_id: int, staff: AdminStaff, session: SessionDep, request: Request
    ) -> dict[str, Any]:
        word = session.get(LexiconWord, word_id)
        if word is None:
            raise HTTPException(status_code=404, detail="没有这个词")
        knowledge.retire_word(session, word)
        audit_staff(
            session, staff, "lexicon_retire", client_ip(request), "lexicon", word.id, word.word
        )
        commit(session)
        return word_json(word)

    return router
