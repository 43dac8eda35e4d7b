"""understand(): normalise, extract entities, score intents, apply rules."""

from __future__ import annotations

import math
from datetime import date

from nlp.entities import extract_address, extract_codes, extract_compound
from nlp.lexicon import Hit, Lexicon, load_lexicon
from nlp.timeexpr import china_today, extract_when
from nlp.types import Understanding

REPORT = "report_problem"
_WHEN_INTENTS = {
    "meal_request",
    "cancel",
    "task_accept",
    "task_done",
    "volunteer_signup",
    "status_query",
}


def understand(
    text: str,
    lexicon: Lexicon | None = None,
    *,
    today: date | None = None,
    compounds: tuple[str, ...] | None = None,
) -> Understanding:
    """Intent, confidence, entities and evidence for one resident message.

    ``today`` is the resident's calendar day, which dates such as 明天/下周一
    count from: the caller passes China's date from its own clock (the
    service's injectable Asia/Shanghai clock).  None falls back to the current
    date at UTC+8, never the server's local date.

    Only the first ``max_chars`` characters (rules.json) are read, so any
    input is understood in bounded time; the caller keeps the full text.
    """
    lex = lexicon if lexicon is not None else load_lexicon()
    raw = text if isinstance(text, str) else ""
    truncated = len(raw) > lex.max_chars
    s = lex.normalizer(raw[: lex.max_chars] if truncated else raw)
    if today is None:
        today = china_today()

    ents, blocked = extract_codes(s)
    addr = extract_address(s, blocked)
    for key in ("building", "unit", "room"):
        value = getattr(addr, key)
        if value:
            ents[key] = value
    if compounds is not None:
        compounds = tuple(lex.normalizer(c) for c in compounds if c)
    compound = extract_compound(s, compounds, lex.tokens)
    if compound:
        ents["compound"] = compound
    rating, rating_text = lex.ratings.find(s)
    if rating:
        ents["rating"] = rating
    ents.update(extract_when(s, today))

    hits = lex.match(s)
    scores, categories, evidence = _score(hits, s, lex)
    if truncated:
        evidence.insert(0, f"截断:只读前{lex.max_chars}字")
    hit_intents = {k for k, v in scores.items() if v > 0}
    if rating_text:
        evidence.append(f"评分:{rating_text}→{rating}")
    _apply_rules(lex, s, ents, scores, hit_intents, evidence)

    ranked = sorted(((k, v) for k, v in scores.items() if v > 0), key=lambda kv: (-kv[1], kv[0]))
    if not ranked or ranked[0][1] < lex.threshold:
        top = ranked[0][1] if ranked else 0.0
        conf = round(1.0 - min(top / lex.threshold, 1.0) * 0.5, 3)
        return Understanding(
            "unknown",
            conf,
            _public_entities("unknown", ents, categories),
            tuple(evidence),
            tuple((k, round(v, 3)) for k, v in ranked[:3]),
        )
    intent, best = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    conf = (best / (best + second)) * (1.0 - math.exp(-best / 1.5))
    alternatives = tuple((k, round(v, 3)) for k, v in ranked[1:4])
    return Understanding(
        intent,
        round(conf, 3),
        _public_entities(intent, ents, categories),
        tuple(evidence),
        alternatives,
    )


def _negated(lex: Lexicon, s: str, hit: Hit):
    target = hit.entry.target
    for neg in lex.negations:
        if neg.intents is not None and target not in neg.intents:
            continue
        lo = max(0, hit.start - neg.window - len(neg.word))
        idx = s.rfind(neg.word, lo, hit.start)
        if idx < 0 or idx + len(neg.word) > hit.start:
            continue
        if len(neg.word) >= 2 and idx > 0 and s[idx - 1] == neg.word[1]:
            continue  # 是不是 / 有没有 / 要不要 / 用不用: a question, not a negation
        if any(c in "，。！？,.!?;；" for c in s[idx + len(neg.word) : hit.start]):
            continue
        return neg
    return None


def _score(hits: list[Hit], s: str, lex: Lexicon):
    scores: dict[str, float] = {}
    categories: dict[str, float] = {}
    first_pos: dict[str, int] = {}
    evidence: list[str] = []
    for h in hits:
        e = h.entry
        if e.is_category:
            categories[e.target] = categories.get(e.target, 0.0) + e.weight
            first_pos.setdefault(e.target, h.start)
            scores[REPORT] = scores.get(REPORT, 0.0) + e.weight * lex.category_factor
            evidence.append(f"{h.phrase}→{e.target}")
            continue
        neg = _negated(lex, s, h)
        if neg is not None:
            if neg.effect == "cancel":
                scores["cancel"] = scores.get("cancel", 0.0) + e.weight
                evidence.append(f"{neg.word}…{h.phrase}→cancel")
            else:
                evidence.append(f"{neg.word}…{h.phrase}(否定)")
            continue
        scores[e.target] = scores.get(e.target, 0.0) + e.weight
        evidence.append(f"{h.phrase}→{e.target}")
    if categories:
        # strongest category; ties go to the one mentioned first
        categories = dict(sorted(categories.items(), key=lambda kv: (-kv[1], first_pos[kv[0]])))
    return scores, categories, evidence


def _apply_rules(
    lex: Lexicon, s: str, ents: dict, scores: dict, hit_intents: set, evidence: list[str]
) -> None:
    n = len(s)
    keys = ents.keys()
    for rule in lex.compiled_rules:
        if n < rule.min_len or n > rule.max_len:
            continue
        if rule.entities and not rule.entities <= keys:
            continue
        if rule.any_entity and keys.isdisjoint(rule.any_entity):
            continue
        if rule.hit and not rule.hit <= hit_intents:
            continue
        if rule.no_hit and not rule.no_hit.isdisjoint(hit_intents):
            continue
        if rule.score_at_least and any(scores.get(k, 0.0) < v for k, v in rule.score_at_least):
            continue
        if rule.score_below and any(scores.get(k, 0.0) >= v for k, v in rule.score_below):
            continue
        if rule.only is not None:
            others = sum(v for k, v in scores.items() if k not in rule.only)
            if others > rule.others_max:
                continue
        for k, v in rule.mul:
            if k in scores:
                scores[k] *= v
        for k, v in rule.add:
            scores[k] = scores.get(k, 0.0) + v
        if rule.add:
            evidence.append(f"规则:{rule.name}")


def _public_entities(intent: str, ents: dict, categories: dict) -> dict[str, str]:
    out = {
        k: v for k, v in ents.items() if k not in ("rating", "when_date", "when_slot", "when_text")
    }
    if intent == REPORT:
        out["category"] = next(iter(categories), "其他")
    if "rating" in ents and intent in ("rate", "status_query"):
        out["rating"] = ents["rating"]
    if intent in _WHEN_INTENTS:
        for k in ("when_date", "when_slot", "when_text"):
            if k in ents:
                out[k] = ents[k]
    return out
