"""Adapter from the pure nlp engine to what handlers consume."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import nlp
from handlers.base import Understood


def make_understander(compounds: Sequence[str] = ()) -> Callable[[str], Understood]:
    names = tuple(compounds)

    def understand(text: str) -> Understood:
        result = nlp.understand(text, compounds=names)
        return Understood(
            intent=result.intent,
            confidence=result.confidence,
            entities=dict(result.entities),
            evidence=tuple(result.evidence),
            alternatives=tuple(result.alternatives),
        )

    return understand
