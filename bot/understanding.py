"""Adapter from the pure nlp engine to what handlers consume."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

import nlp
from bot.lexicon_provider import LexiconProvider
from handlers.base import Understood
from storage.clock import china_today


def make_understander(
    provider: LexiconProvider | None = None, compounds: Sequence[str] = ()
) -> Callable[..., Understood]:
    names = tuple(compounds)

    def understand(text: str, today: date | None = None) -> Understood:
        """`today` is China's date (the caller's clock); None means now in China."""
        lexicon = provider.lexicon() if provider is not None else None
        day = today or china_today()
        result = nlp.understand(text, lexicon=lexicon, compounds=names, today=day)
        return Understood(
            intent=result.intent,
            confidence=result.confidence,
            entities=dict(result.entities),
            evidence=tuple(result.evidence),
            alternatives=tuple(result.alternatives),
        )

    return understand
