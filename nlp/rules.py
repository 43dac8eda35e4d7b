"""Priority rules of ``data/rules.json``, checked and pre-digested for speed.

Applied by the engine after keyword scoring (see the ``_doc`` of rules.json).
"""

from __future__ import annotations

from dataclasses import dataclass

from nlp.types import INTENTS


@dataclass(frozen=True)
class Rule:
    """A priority rule of rules.json, pre-digested for speed."""

    name: str
    min_len: int
    max_len: int
    entities: frozenset[str]
    any_entity: frozenset[str]
    hit: frozenset[str]
    no_hit: frozenset[str]
    score_at_least: tuple[tuple[str, float], ...]
    score_below: tuple[tuple[str, float], ...]
    only: frozenset[str] | None
    others_max: float
    mul: tuple[tuple[str, float], ...]
    add: tuple[tuple[str, float], ...]


_RULE_KEYS = {
    "entities",
    "any_entity",
    "hit",
    "no_hit",
    "min_len",
    "max_len",
    "score_at_least",
    "score_below",
    "only",
    "others_max",
}


def compile_rule(r: dict) -> Rule:
    w = r.get("when", {})
    unknown = set(w) - _RULE_KEYS
    if unknown:
        raise ValueError(f"rule {r.get('name')!r}: unknown condition {sorted(unknown)}")
    for name in list(r.get("mul", {})) + list(r.get("add", {})) + list(w.get("hit", [])):
        if name not in INTENTS:
            raise ValueError(f"rule {r.get('name')!r}: unknown intent {name!r}")
    return Rule(
        name=r.get("name", "?"),
        min_len=int(w.get("min_len", 0)),
        max_len=int(w.get("max_len", 10**9)),
        entities=frozenset(w.get("entities", ())),
        any_entity=frozenset(w.get("any_entity", ())),
        hit=frozenset(w.get("hit", ())),
        no_hit=frozenset(w.get("no_hit", ())),
        score_at_least=tuple((k, float(v)) for k, v in w.get("score_at_least", {}).items()),
        score_below=tuple((k, float(v)) for k, v in w.get("score_below", {}).items()),
        only=frozenset(w["only"]) if "only" in w else None,
        others_max=float(w.get("others_max", 0.0)),
        mul=tuple((k, float(v)) for k, v in r.get("mul", {}).items()),
        add=tuple((k, float(v)) for k, v in r.get("add", {}).items()),
    )
