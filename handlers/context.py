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
from storage.situation import Situation

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


def _cue(name: str, text: str, fallback: tuple[str, ...]) -> bool:
    """nlp's context cue when it has one (data-driven), else a short built-in list."""
    fn = getattr(nlp, name, None)
    if fn is not None:
        return bool(fn(text))
    return any(word in text for word in fallback)


def is_status_cue(text: str) -> bool:
    return _cue(
        "is_status_cue",
        text,
        (
            "有人管吗",
            "怎么样了",
            "咋还没",
            "怎么还没",
            "进展",
            "进度",
            "都三天了",
            "还没人来",
            "有结果",
        ),
    )


def is_dissatisfied(text: str) -> bool:
    return _cue(
        "is_dissatisfied", text, ("不满意", "还是不行", "没修好", "没解决", "还是坏", "又坏了")
    )


def is_satisfied(text: str) -> bool:
    if is_dissatisfied(text):
        return False
    return _cue("is_satisfied", text, ("满意", "修好了", "解决了", "谢谢", "挺好"))


def is_completion_cue(text: str) -> bool:
    return _cue("is_completion_cue", text, ("送到了", "送达", "交到", "放门口", "已经给"))


def _as(understood: Understood, intent: str, why: str, **entities: str) -> Understood:
    return Understood(
        intent=intent,
        confidence=max(understood.confidence, 0.9),
        entities={**understood.entities, **entities},
        evidence=(*understood.evidence, why),
        alternatives=understood.alternatives,
    )


def in_situation(text: str, understood: Understood, situation: Situation | None) -> Understood:
    """The resident's situation as a prior: what is open for them colours what they mean."""
    if situation is None or understood.intent in ("cancel", "human", "register_address"):
        return understood
    specific = understood.entities.get("ticket_code") or understood.entities.get("task_code")
    rating = situation.pending_rating
    # "M…-0001 不满意" names the very ticket awaiting the rating: still its rating.
    names_rated = rating is not None and str(specific or "").upper() == rating.code
    if rating is not None and (not specific or names_rated):
        if is_dissatisfied(text) and understood.intent in ("rate", "report_problem", "unknown"):
            low = understood.entities.get("rating")
            return _as(
                understood,
                "rate",
                "dissatisfied with pending rating",
                rating=(low if low in ("1", "2") else "2"),
            )
        if understood.intent in ("unknown", "greeting_help") and is_satisfied(text):
            return _as(understood, "rate", "satisfied with pending rating", rating="5")
    offered = situation.offered_tasks
    if (
        offered
        and understood.intent in ("unknown", "rate", "greeting_help")
        and is_affirmative(text)
    ):
        return _as(understood, "task_accept", "yes to an offered task", task_code=offered[0].code)
    active = situation.active_tasks
    if (
        len(active) == 1
        and understood.intent in ("unknown", "report_problem", "rate")
        and is_completion_cue(text)
    ):
        return _as(
            understood, "task_done", "completion of the active task", task_code=active[0].code
        )
    # 我们楼的事有进展吗 asks about the building's projects; the project answer names the
    # resident's own open ticket too (handlers/projects/ask.py).
    asks_projects = understood.intent == "project_query" and understood.confidence >= 0.8
    if situation.open_tickets and not specific and not asks_projects and is_status_cue(text):
        category = understood.entities.get("category")
        same = [t for t in situation.open_tickets if t.category == category]
        if understood.intent != "report_problem" or not category or category == "其他" or same:
            return _as(understood, "status_query", "status cue with an open ticket")
        return _as(
            understood,
            "report_problem",
            "could be a status question",
            maybe_status=situation.open_tickets[0].code,
        )
    return understood


def contextualize(
    text: str,
    understood: Understood,
    dialogue: DialogueState | None,
    situation: Situation | None = None,
) -> Understood:
    understood = in_situation(text, understood, situation)
    if dialogue is None:
        return understood
    expects = dialogue.data.get("expects")
    carry = dict(dialogue.data.get("carry", {}))
    stripped = text.strip().rstrip("。.!！")
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
