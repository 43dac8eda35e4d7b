"""Reading a message in the light of what the assistant just asked.

A bare "5" after a rating question is a rating; "好的我去" after a task offer accepts
that task; "1" after "您是想：1. … 2. …" picks the first meaning.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import nlp
from handlers.base import Understood
from handlers.dialogue import DialogueState

AFFIRMATIONS_FILE = Path(__file__).parent / "data" / "affirmations.txt"
NEGATIONS = ("不", "没空", "算了", "去不了", "来不了")


@cache
def affirmations() -> frozenset[str]:
    lines = AFFIRMATIONS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(
        line.strip().lower() for line in lines if line.strip() and not line.startswith("#")
    )


def is_affirmative(text: str) -> bool:
    raw = text.strip("。！!，,.~～ ").lower()
    if raw in affirmations():
        return True
    # Normalising first turns 好滴/ＯＫ/繁體 into the listed forms (and drops fillers).
    cleaned = nlp.normalize(text).strip("。！!，,.~～ ").lower()
    if not cleaned or any(neg in cleaned for neg in NEGATIONS):
        return False
    if cleaned in affirmations():
        return True
    # "好的我去" / "好的没问题我来": every piece is itself a yes.
    pieces = [p for p in _split_yes(cleaned) if p]
    return bool(pieces) and all(p in affirmations() for p in pieces)


def _split_yes(text: str) -> list[str]:
    words = sorted(affirmations(), key=len, reverse=True)
    out: list[str] = []
    rest = text
    while rest:
        for word in words:
            if rest.startswith(word):
                out.append(word)
                rest = rest[len(word) :]
                break
        else:
            return [text + "\0"]  # something that is not a yes
    return out


def contextualize(text: str, understood: Understood, dialogue: DialogueState | None) -> Understood:
    if dialogue is None:
        return understood
    expects = dialogue.data.get("expects")
    carry = dict(dialogue.data.get("carry", {}))
    stripped = text.strip().rstrip("。.!！")
    if expects == "choice":
        options = dialogue.data.get("options") or []
        if stripped in ("1", "2") and int(stripped) <= len(options):
            return Understood(
                intent=options[int(stripped) - 1],
                confidence=0.9,
                entities=carry,
                evidence=("clarified",),
            )
    if expects == "rate":
        rating = understood.entities.get("rating")
        if understood.intent == "rate" or rating:
            return Understood(
                intent="rate",
                confidence=max(understood.confidence, 0.9),
                entities={**carry, **understood.entities},
                evidence=(*understood.evidence, "awaiting rating"),
            )
    if expects == "task_accept" and (
        understood.intent == "task_accept"
        or (understood.intent in ("unknown", "rate") and is_affirmative(stripped))
    ):
        return Understood(
            intent="task_accept",
            confidence=0.9,
            entities={**carry, **understood.entities},
            evidence=(*understood.evidence, "answer to task offer"),
        )
    return understood
