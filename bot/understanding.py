"""Adapter from the pure nlp engine to what handlers consume."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import nlp
from bot.lexicon_provider import LexiconProvider
from handlers.base import Understood


def make_understander(
    provider: LexiconProvider | None = None, compounds: Sequence[str] = ()
) -> Callable[[str], Understood]:
    names = tuple(compounds)

    def understand(text: str) -> Understood:
        lexicon = provider.lexicon() if provider is not None else None
        result = nlp.understand(text, lexicon=lexicon, compounds=names)
        return Understood(
            intent=result.intent,
            confidence=result.confidence,
            entities=dict(result.entities),
            evidence=tuple(result.evidence),
            alternatives=tuple(result.alternatives),
        )

    return understand
