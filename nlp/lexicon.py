"""The Lexicon: an immutable bundle of everything understanding needs —
keyword tables per intent and per problem category, negation and priority
rules, the normaliser, the rating table and a dedicated jieba tokenizer.

Staff-added words produce a *new* Lexicon (``with_words``); a Lexicon and its
tokenizer are never mutated after construction, so one can be shared by
threads and swapped in atomically by the caller.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from types import MappingProxyType

from nlp._deps import jieba
from nlp.data_files import data_path, read_tsv
from nlp.entities import RatingTable, load_rating_table
from nlp.normalize import Normalizer, default_normalizer
from nlp.rules import compile_rule
from nlp.types import CATEGORIES, INTENTS

MAIN_DICT = "jieba_small.txt"
USER_DICT = "userdict.txt"


@dataclass(frozen=True)
class Entry:
    """One keyword: its target (intent or category), weight and flags."""

    target: str
    is_category: bool
    weight: float
    whole_token: bool = False  # flag "w": must be a whole jieba token
    whole_message: bool = False  # flag "=": must be the whole message


@dataclass(frozen=True)
class Negation:
    word: str
    intents: frozenset[str] | None  # None: every intent
    effect: str  # "cancel" | "drop"
    window: int


@dataclass(frozen=True)
class Pattern:
    """A regular expression of patterns.tsv (forms a word list cannot spell,
    such as 都3天了); it counts like a keyword, once per message."""

    target: str
    regex: re.Pattern
    entry: Entry


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    phrase: str
    entry: Entry


class Lexicon:
    """Immutable; build with :func:`load_lexicon` or :meth:`with_words`."""

    def __init__(
        self,
        *,
        entries: dict[str, tuple[Entry, ...]],
        negations: tuple[Negation, ...],
        rules: dict,
        normalizer: Normalizer,
        ratings: RatingTable,
        tokenizer: jieba.Tokenizer,
        extra_words: tuple = (),
        patterns: tuple[Pattern, ...] = (),
    ):
        self.entries = MappingProxyType(dict(entries))
        self.negations = negations
        self.rules = MappingProxyType(dict(rules))
        self.threshold = float(rules.get("threshold", 1.2))
        self.category_factor = float(rules.get("category_factor", 0.8))
        self.max_chars = int(rules.get("max_chars", 2000))
        self.compiled_rules = tuple(compile_rule(r) for r in rules.get("rules", ()))
        self.normalizer = normalizer
        self.ratings = ratings
        self.tokenizer = tokenizer
        self.extra_words = tuple(extra_words)
        self.patterns = tuple(patterns)
        first: dict[str, set[int]] = {}
        for phrase in self.entries:
            first.setdefault(phrase[0], set()).add(len(phrase))
        self._first = {c: tuple(sorted(ls, reverse=True)) for c, ls in first.items()}
        self._max_len = max((len(p) for p in self.entries), default=1)

    # -- matching ---------------------------------------------------------
    def match(self, s: str) -> list[Hit]:
        """All keyword hits in normalised text ``s``; a hit lying inside a
        longer hit is dropped (送餐志愿 hides 送餐, 不满意 hides 满意)."""
        found: list[Hit] = []
        extra: list[Hit] = []  # pattern hits: neither hide nor are hidden
        n = len(s)
        first = self._first
        entries = self.entries
        for i in range(n):
            lengths = first.get(s[i])
            if not lengths:
                continue
            for L in lengths:
                if i + L > n:
                    continue
                phrase = s[i : i + L]
                es = entries.get(phrase)
                if es:
                    for e in es:
                        found.append(Hit(i, i + L, phrase, e))
        for pat in self.patterns:
            m = pat.regex.search(s)
            if m:
                extra.append(Hit(m.start(), m.end(), m.group(), pat.entry))
        if len(found) <= 1:
            return self._check_flags(s, found) + extra
        # Drop hits contained in a longer hit, and a hit overlapping an earlier
        # kept hit of the same target (it counts once).  Hits come in order of
        # start, so both checks look only a phrase length back: linear in the
        # number of hits, whatever the length of the text.
        longest_from: dict[int, int] = {}
        for h in found:
            if h.end > longest_from.get(h.start, -1):
                longest_from[h.start] = h.end
        reach = self._max_len
        kept_end: dict[str, int] = {}
        keep: list[Hit] = []
        for h in found:
            hs, he = h.start, h.end
            inside = False
            for a in range(max(0, he - reach), hs + 1):
                b = longest_from.get(a, -1)
                if b >= he and b - a > he - hs:
                    inside = True
                    break
            target = h.entry.target
            if inside or kept_end.get(target, -1) > hs:
                continue
            keep.append(h)
            kept_end[target] = max(he, kept_end.get(target, -1))
        return self._check_flags(s, keep) + extra

    def _check_flags(self, s: str, hits: list[Hit]) -> list[Hit]:
        if not any(h.entry.whole_token or h.entry.whole_message for h in hits):
            return hits
        bounds = None
        core = s.strip(" ,.!?;:，。！？、…~")
        out = []
        for h in hits:
            if h.entry.whole_message and h.phrase not in (core, s.strip()):
                continue
            if h.entry.whole_token:
                if bounds is None:
                    bounds = self.token_bounds(s)
                if h.start not in bounds or h.end not in bounds:
                    continue
            out.append(h)
        return out

    def token_bounds(self, s: str) -> set[int]:
        pos, bounds = 0, {0}
        for tok in self.tokenizer.cut(s, HMM=False):
            pos += len(tok)
            bounds.add(pos)
        return bounds

    def tokens(self, s: str) -> list[str]:
        return self.tokenizer.lcut(s, HMM=False)

    # -- extension --------------------------------------------------------
    def with_words(self, words) -> Lexicon:
        """A NEW Lexicon with extra ``(word, intent_or_category, weight)``
        entries; this one (and its tokenizer) is left untouched."""
        words = tuple(_check_word(w) for w in words)
        if not words:
            return self
        entries = {k: list(v) for k, v in self.entries.items()}
        _add_entries(entries, words, self.normalizer)
        tk = _copy_tokenizer(self.tokenizer)
        for word, _target, _weight in words:
            w = self.normalizer(word)
            if len(w) >= 2:
                tk.add_word(w)
        return Lexicon(
            entries={k: tuple(v) for k, v in entries.items()},
            negations=self.negations,
            rules=dict(self.rules),
            normalizer=self.normalizer,
            ratings=self.ratings,
            tokenizer=tk,
            extra_words=self.extra_words + words,
            patterns=self.patterns,
        )


# -- loading ----------------------------------------------------------------


def _check_word(item) -> tuple[str, str, float]:
    word, target, weight = item
    if target not in INTENTS and target not in CATEGORIES:
        raise ValueError(f"unknown intent or category {target!r} for word {word!r}")
    if not str(word).strip():
        raise ValueError("empty word")
    return str(word).strip(), target, float(weight)


def _add_entries(
    entries: dict[str, list[Entry]], rows, normalizer: Normalizer, flags_of=lambda row: ""
) -> None:
    for row in rows:
        word, target, weight = row[0], row[1], float(row[2])
        flags = flags_of(row)
        phrase = normalizer(word)
        if not phrase:
            continue
        entries.setdefault(phrase, []).append(
            Entry(
                target=target,
                is_category=target in CATEGORIES,
                weight=weight,
                whole_token="w" in flags,
                whole_message="=" in flags,
            )
        )


def _read_keywords(name: str) -> list[tuple[str, str, float, str]]:
    rows = []
    for r in read_tsv(name):
        if len(r) < 3:
            raise ValueError(f"{name}: bad row {r!r}")
        target, phrase, weight = r[0], r[1], float(r[2])
        flags = r[3] if len(r) > 3 else ""
        if target not in INTENTS and target not in CATEGORIES:
            raise ValueError(f"{name}: unknown target {target!r}")
        rows.append((phrase, target, weight, flags))
    return rows


def _read_patterns() -> tuple[Pattern, ...]:
    out = []
    for r in read_tsv("patterns.tsv"):
        target, regex, weight = r[0], r[1], float(r[2])
        if target not in INTENTS and target not in CATEGORIES:
            raise ValueError(f"patterns.tsv: unknown target {target!r}")
        entry = Entry(target=target, is_category=target in CATEGORIES, weight=weight)
        out.append(Pattern(target, re.compile(regex), entry))
    return tuple(out)


def _read_negations() -> tuple[Negation, ...]:
    out = []
    for r in read_tsv("negations.tsv"):
        intents = None if r[1] == "*" else frozenset(x.strip() for x in r[1].split(","))
        out.append(Negation(r[0], intents, r[2], int(r[3])))
    return tuple(out)


def _copy_tokenizer(base: jieba.Tokenizer) -> jieba.Tokenizer:
    tk = jieba.Tokenizer(dictionary=base.dictionary)
    tk.tmp_dir = base.tmp_dir
    tk.FREQ = dict(base.FREQ)
    tk.total = base.total
    tk.user_word_tag_tab = dict(base.user_word_tag_tab)
    tk.initialized = True
    return tk


def _build_tokenizer(cache_dir: str | None) -> jieba.Tokenizer:
    tk = jieba.Tokenizer(dictionary=str(data_path(MAIN_DICT)))
    if cache_dir:
        tk.tmp_dir = cache_dir
    tk.initialize()  # eager: before any worker forks
    with open(data_path(USER_DICT), "rb") as f:  # jieba would leave its own handle open
        tk.load_userdict(f)
    return tk


_DEFAULT: Lexicon | None = None
_DEFAULT_LOCK = threading.Lock()


def load_lexicon(extra_words=(), extra_rules=None, cache_dir: str | None = None) -> Lexicon:
    """Build an immutable Lexicon from the packaged data files.

    ``extra_words``: ``(word, intent_or_category, weight)`` triples (e.g. staff
    additions from the database).  ``extra_rules``: a dict merged over
    ``rules.json`` (its ``rules`` list is appended).  ``cache_dir``: where
    jieba keeps its dictionary cache (default: jieba's, the temp dir).
    The default lexicon (no arguments) is built once and cached.
    """
    global _DEFAULT
    plain = not extra_words and not extra_rules and cache_dir is None
    if plain and _DEFAULT is not None:
        return _DEFAULT
    with _DEFAULT_LOCK:
        if plain and _DEFAULT is not None:
            return _DEFAULT
        base = _DEFAULT if (_DEFAULT is not None and cache_dir is None) else None
        lex = base or _build(cache_dir)
        if plain:
            _DEFAULT = lex
            return lex
        if extra_rules:
            rules = dict(lex.rules)
            merged = dict(extra_rules)
            rules["rules"] = list(rules.get("rules", [])) + list(merged.pop("rules", []))
            rules.update(merged)
            lex = Lexicon(
                entries=dict(lex.entries),
                negations=lex.negations,
                rules=rules,
                normalizer=lex.normalizer,
                ratings=lex.ratings,
                tokenizer=lex.tokenizer,
                extra_words=lex.extra_words,
                patterns=lex.patterns,
            )
        return lex.with_words(extra_words)


def _build(cache_dir: str | None) -> Lexicon:
    normalizer = default_normalizer()
    entries: dict[str, list[Entry]] = {}
    for name in ("intents.tsv", "categories.tsv"):
        _add_entries(entries, _read_keywords(name), normalizer, flags_of=lambda r: r[3])
    with open(data_path("rules.json"), encoding="utf-8") as f:
        rules = json.load(f)
    return Lexicon(
        entries={k: tuple(v) for k, v in entries.items()},
        negations=_read_negations(),
        rules=rules,
        normalizer=normalizer,
        ratings=load_rating_table(),
        tokenizer=_build_tokenizer(cache_dir),
        patterns=_read_patterns(),
    )
