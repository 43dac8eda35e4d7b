"""Staff-edited words and 办事指南 entries, live in every process without a restart.

Each process polls a cheap version stamp from the database every few seconds. When it
changed, one thread builds a *new* Lexicon (jieba's add_word is not thread-safe, so a
shared tokenizer is never mutated) and swaps the reference; readers keep using the old
one until then.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

import nlp
from storage.knowledge.service import active_entries, active_words, content_version

log = logging.getLogger(__name__)

KNOWLEDGE_WEIGHT = 1.0


@dataclass(frozen=True)
class KnowledgeItem:
    id: int
    question: str
    answer: str
    keywords: tuple[str, ...]


class LexiconProvider:
    def __init__(self, factory: sessionmaker[Session], check_every: float = 5.0) -> None:
        self._factory = factory
        self._check_every = check_every
        self._lexicon: nlp.Lexicon = nlp.load_lexicon()
        self._knowledge: tuple[KnowledgeItem, ...] = ()
        self._version: str | None = None
        self._checked = 0.0
        self._refreshing = threading.Lock()
        self.refresh()

    def lexicon(self) -> nlp.Lexicon:
        return self._lexicon

    def knowledge(self) -> tuple[KnowledgeItem, ...]:
        return self._knowledge

    def maybe_refresh(self) -> None:
        """Look for staff changes if `check_every` has passed; call it outside a session."""
        if time.monotonic() - self._checked < self._check_every:
            return
        if self._refreshing.acquire(blocking=False):
            try:
                self._refresh_locked()
            finally:
                self._refreshing.release()

    def refresh(self) -> None:
        with self._refreshing:
            self._refresh_locked()

    def _refresh_locked(self) -> None:
        self._checked = time.monotonic()
        try:
            with self._factory() as session:
                version = content_version(session)
                if version == self._version:
                    return
                words = active_words(session)
                entries = active_entries(session)
                knowledge = tuple(
                    KnowledgeItem(
                        e.id,
                        e.question,
                        e.answer,
                        tuple(nlp.normalize(k) for k in e.keywords or ()),
                    )
                    for e in entries
                )
        except SQLAlchemyError as exc:
            log.warning("lexicon refresh skipped: %s", exc)
            return
        # A keyword staff gave an answer for is itself a sign of a 办事 question.
        words = words + [
            (keyword, "consult", KNOWLEDGE_WEIGHT)
            for item in knowledge
            for keyword in item.keywords
        ]
        lexicon = self._build(words)
        self._lexicon, self._knowledge, self._version = lexicon, knowledge, version
        log.info(
            "lexicon loaded: %d staff word(s), %d knowledge entries", len(words), len(knowledge)
        )

    @staticmethod
    def _build(words: list[tuple[str, str, float]]) -> nlp.Lexicon:
        try:
            return nlp.load_lexicon(extra_words=words) if words else nlp.load_lexicon()
        except ValueError:
            pass  # find the bad word(s) one by one, keep the rest
        good = []
        for word, target, weight in words:
            try:
                nlp.load_lexicon(extra_words=[(word, target, weight)])
            except ValueError as exc:
                log.warning("staff word %r → %r ignored: %s", word, target, exc)
                continue
            good.append((word, target, weight))
        return nlp.load_lexicon(extra_words=good) if good else nlp.load_lexicon()
