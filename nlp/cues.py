"""Small yes/no questions the conversation layer asks about one message.

Each helper takes the resident's raw text and answers from ``data/cues.json``
(phrases and patterns staff can extend): is it a question about an earlier
report, is the resident dissatisfied or satisfied with a result, is a
volunteer saying a delivery is done, is it a yes or a no, is it an emergency
(and of which kind).  They are pure, never raise and read at most the first
``MAX_CHARS`` characters.

The text is cut into clauses at punctuation and spaces, and each clause is
normalised like :func:`nlp.normalize` before matching, so guards (a negator
just before a phrase, a question, a hypothetical or past event earlier in the
clause) stay within the clause they belong to.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache

from nlp.data_files import data_path
from nlp.normalize import default_normalizer

MAX_CHARS = 2000
CUES_FILE = "cues.json"

_BOUNDARY = re.compile(r"[\s,，。.!！?？;；、~～…:：()（）【】\[\]]+")
_STRIP = " ,.!?;:，。！？、…~～"


@dataclass(frozen=True)
class Clause:
    text: str  # normalised
    asked: bool  # followed by a question mark or ending in a question word


@dataclass(frozen=True)
class CueSet:
    phrases: tuple[str, ...]
    patterns: tuple[re.Pattern, ...]
    message_patterns: tuple[re.Pattern, ...]  # on the clauses joined by "|"
    blank: re.Pattern | None  # "not" phrases, blanked out before matching
    negators: bool
    question: bool
    hypothetical: bool


@dataclass(frozen=True)
class Cues:
    negators: tuple[str, ...]
    negator_window: int
    question_endings: tuple[str, ...]
    hypothetical: tuple[str, ...]
    sets: dict[str, CueSet]
    emergencies: tuple[tuple[str, CueSet], ...]
    yes_words: frozenset[str]
    yes_particles: frozenset[str]
    no_words: tuple[str, ...]
    no_whole: frozenset[str]
    no_blank: re.Pattern | None
    no_max_len: int


def _alternation(words) -> re.Pattern | None:
    words = sorted({w for w in words if w}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, words))) if words else None


def _cue_set(spec: dict) -> CueSet:
    norm = default_normalizer()
    guards = set(spec.get("guards", ()))
    unknown = guards - {"negators", "question", "hypothetical"}
    if unknown:
        raise ValueError(f"{CUES_FILE}: unknown guards {sorted(unknown)}")
    return CueSet(
        phrases=tuple(p for p in (norm(x) for x in spec.get("phrases", ())) if p),
        patterns=tuple(re.compile(x) for x in spec.get("patterns", ())),
        message_patterns=tuple(re.compile(x) for x in spec.get("message_patterns", ())),
        blank=_alternation(norm(x) for x in spec.get("not", ())),
        negators="negators" in guards,
        question="question" in guards,
        hypothetical="hypothetical" in guards,
    )


@lru_cache(maxsize=1)
def load_cues() -> Cues:
    """The cue tables of ``data/cues.json`` (read once)."""
    with open(data_path(CUES_FILE), encoding="utf-8") as f:
        data = json.load(f)
    norm = default_normalizer()
    guards = data["guards"]
    yes = data["affirmation"]
    no = data["negation"]
    return Cues(
        negators=tuple(sorted(guards["negators"], key=len, reverse=True)),
        negator_window=int(guards.get("negator_window", 2)),
        question_endings=tuple(guards["question_endings"]),
        hypothetical=tuple(guards["hypothetical"]),
        sets={
            name: _cue_set(data[name])
            for name in ("status", "dissatisfied", "satisfied", "completion")
        },
        emergencies=tuple((k["kind"], _cue_set(k)) for k in data["emergency"]["kinds"]),
        yes_words=frozenset(w.upper() for w in yes["words"]),
        yes_particles=frozenset(w.upper() for w in yes.get("particles", ())),
        no_words=tuple(norm(w) for w in no["words"]),
        no_whole=frozenset(w.upper() for w in no["whole"]),
        no_blank=_alternation(norm(x) for x in no.get("not", ())),
        no_max_len=int(no.get("max_len", 20)),
    )


def _clauses(text: str) -> list[Clause]:
    raw = text[:MAX_CHARS] if isinstance(text, str) else ""
    cues = load_cues()
    norm = default_normalizer()
    out: list[Clause] = []
    pos = 0
    pieces = []
    for m in _BOUNDARY.finditer(raw):
        pieces.append((raw[pos : m.start()], "?" in m.group() or "？" in m.group()))
        pos = m.end()
    pieces.append((raw[pos:], False))
    for piece, marked in pieces:
        s = norm(piece)
        if s:
            out.append(Clause(s, marked or s.endswith(cues.question_endings)))
    return out


def _guarded(cues: Cues, cue: CueSet, clause: Clause, start: int) -> bool:
    s = clause.text
    if cue.question and clause.asked:
        return True
    if cue.negators:
        for k in range(cues.negator_window + 1):
            end = start - k
            if end <= 0:
                break
            if s[:end].endswith(cues.negators):
                return True
    return cue.hypothetical and any(w in s[:start] for w in cues.hypothetical)


def _matches(cue: CueSet, clause: Clause, cues: Cues) -> bool:
    s = clause.text
    if cue.blank is not None:
        s = cue.blank.sub("|", s)
    probe = Clause(s, clause.asked)
    for phrase in cue.phrases:
        i = s.find(phrase)
        while i >= 0:
            if not _guarded(cues, cue, probe, i):
                return True
            i = s.find(phrase, i + 1)
    for rx in cue.patterns:
        for m in rx.finditer(s):
            if not _guarded(cues, cue, probe, m.start()):
                return True
    return False


def _found(cue: CueSet, clauses: list[Clause], cues: Cues) -> bool:
    if any(_matches(cue, c, cues) for c in clauses):
        return True
    if not cue.message_patterns:
        return False
    whole = Clause("|".join(c.text for c in clauses), False)
    negators_only = CueSet((), (), (), None, cue.negators, False, False)
    return any(
        not _guarded(cues, negators_only, whole, m.start())
        for rx in cue.message_patterns
        for m in rx.finditer(whole.text)
    )


def _any_clause(name: str, text: str) -> bool:
    cues = load_cues()
    return _found(cues.sets[name], _clauses(text), cues)


def is_status_cue(text: str) -> bool:
    """Asking after something already reported: 有人管吗 / 怎么样了 / 咋还没修 /
    都三天了没人来.  With an open ticket this is a status question about it."""
    return _any_clause("status", text)


def is_dissatisfied(text: str) -> bool:
    """Not satisfied with a result: 不满意 / 还是不行 / 没修好 / 又坏了 / 还是咯噔咯噔响."""
    return _any_clause("dissatisfied", text)


def is_satisfied(text: str) -> bool:
    """Satisfied with a result (满意 / 修好了 / 谢谢); never when dissatisfied or asking."""
    return not is_dissatisfied(text) and _any_clause("satisfied", text)


def is_completion_cue(text: str) -> bool:
    """A delivery reported done: 送到了 / 交到老人手上了 / 已送达 / 放门口了;
    not 还没送到, not 送到了吗."""
    return _any_clause("completion", text)


def _yes_pieces(s: str, words: frozenset[str], particles: frozenset[str]) -> bool:
    """``s`` is a run of yes words and particles with at least one yes word."""
    vocab = sorted(words | particles, key=len, reverse=True)
    longest = max((len(w) for w in vocab), default=1)
    # reachable[i]: (can s[:i] be split, does the split hold a yes word)
    reach: list[tuple[bool, bool]] = [(True, False)] + [(False, False)] * len(s)
    for i in range(len(s)):
        ok, has_yes = reach[i]
        if not ok:
            continue
        for L in range(1, min(longest, len(s) - i) + 1):
            piece = s[i : i + L]
            if piece in words or piece in particles:
                j = i + L
                prev_ok, prev_yes = reach[j]
                reach[j] = (True, prev_yes or has_yes or piece in words)
    return reach[len(s)] == (True, True)


def is_affirmation(text: str) -> bool:
    """The whole message says yes: 好 / 好的我去 / 行 / 没问题 / 嗯嗯 / OK / 这单我接."""
    cues = load_cues()
    raw = text[:MAX_CHARS] if isinstance(text, str) else ""
    if len(raw) > 40:
        return False
    stripped = raw.strip(_STRIP).upper()
    if stripped in cues.yes_words:
        return True  # before normalising: 嗯 is a voice filler there
    s = "".join(c.text for c in _clauses(raw)).upper()
    if not s or is_negation(raw):
        return False
    return s in cues.yes_words or _yes_pieces(s, cues.yes_words, cues.yes_particles)


def is_negation(text: str) -> bool:
    """A short message that says no: 不 / 不行 / 算了 / 没空 / 去不了 / 不用了 (not 没问题)."""
    cues = load_cues()
    raw = text[:MAX_CHARS] if isinstance(text, str) else ""
    s = "".join(c.text for c in _clauses(raw)).upper()
    if not s or len(s) > cues.no_max_len:
        return False
    if s in cues.no_whole:
        return True
    if cues.no_blank is not None:
        s = cues.no_blank.sub("|", s)
    return any(w in s for w in cues.no_words)


def is_emergency(text: str) -> str | None:
    """The kind of danger (elevator, gas, electric, fire, water, injury) when the
    message reports one happening now, else None.  Negated (没着火), hypothetical
    or past (防止着火, 新闻上说…着火, 昨天电梯困人) mentions do not count; a
    suspected gas leak always does."""
    cues = load_cues()
    clauses = _clauses(text)
    for kind, cue in cues.emergencies:
        if _found(cue, clauses, cues):
            return kind
    return None


__all__ = [
    "is_affirmation",
    "is_completion_cue",
    "is_dissatisfied",
    "is_emergency",
    "is_negation",
    "is_satisfied",
    "is_status_cue",
    "load_cues",
]
