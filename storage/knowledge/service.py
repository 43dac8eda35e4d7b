"""The 办事指南 knowledge base and staff-added words, and the version that tells every
process when they changed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import KnowledgeEntry, LexiconWord
from storage.orm import utcnow

SEED_FILE = Path(__file__).with_name("knowledge_seed.json")


def seed_knowledge(session: Session) -> int:
    """Add the ~20 common 办事指南 entries when the table is empty. The caller commits."""
    if session.scalar(select(func.count()).select_from(KnowledgeEntry)):
        return 0
    entries = json.loads(SEED_FILE.read_text(encoding="utf-8"))
    for entry in entries:
        session.add(
            KnowledgeEntry(
                question=entry["question"], answer=entry["answer"], keywords=entry["keywords"]
            )
        )
    return len(entries)


def active_entries(session: Session) -> list[KnowledgeEntry]:
    return list(session.scalars(select(KnowledgeEntry).where(KnowledgeEntry.active)))


def active_words(session: Session) -> list[tuple[str, str, float]]:
    rows = session.execute(
        select(LexiconWord.word, LexiconWord.target, LexiconWord.weight)
        .where(LexiconWord.active)
        .order_by(LexiconWord.id)
    )
    return [(word, target, float(weight)) for word, target, weight in rows]


def content_version(session: Session) -> str:
    """Changes whenever staff add, edit or retire a word or an entry."""
    parts = []
    for model in (KnowledgeEntry, LexiconWord):
        count, latest = session.execute(
            select(func.count(), func.max(model.updated_at)).select_from(model)
        ).one()
        parts.append(f"{count}@{latest.isoformat() if latest else '-'}")
    return "|".join(parts)


# -- staff edits ---------------------------------------------------------------------------


def create_entry(
    session: Session, *, question: str, answer: str, keywords: list[str], by: str
) -> KnowledgeEntry:
    entry = KnowledgeEntry(question=question, answer=answer, keywords=keywords, updated_by=by)
    session.add(entry)
    session.flush()
    return entry


ENTRY_FIELDS = frozenset({"question", "answer", "keywords", "active"})


def update_entry(session: Session, entry: KnowledgeEntry, changes: dict[str, Any], by: str) -> None:
    unknown = set(changes) - ENTRY_FIELDS
    if unknown:
        raise ValueError(f"not an entry field: {sorted(unknown)}")
    for name, value in changes.items():
        setattr(entry, name, value)
    entry.updated_by, entry.updated_at = by, utcnow()
    session.flush()


def add_word(session: Session, *, word: str, target: str, weight: float, by: str) -> LexiconWord:
    """A new word, or the same word and target brought back with the new weight."""
    row = session.scalar(
        select(LexiconWord).where(LexiconWord.word == word, LexiconWord.target == target)
    )
    if row is None:
        row = LexiconWord(word=word, target=target)
        session.add(row)
    row.weight, row.active, row.added_by, row.updated_at = weight, True, by, utcnow()
    session.flush()
    return row


def retire_word(session: Session, word: LexiconWord) -> None:
    word.active, word.updated_at = False, utcnow()
    session.flush()
