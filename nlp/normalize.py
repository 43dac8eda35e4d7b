"""Text normalisation applied before any matching.

Steps, in order: full-width -> half-width, ASCII upper-case, traditional ->
simplified (OpenCC), typos/homophones from ``data/typos.tsv``, filler words of
voice transcripts from ``data/fillers.txt``, whitespace, Chinese numerals.
"""

from __future__ import annotations

import re
from functools import lru_cache

from nlp._deps import t2s
from nlp.data_files import read_lines, read_tsv
from nlp.numerals import convert_numerals

# Full-width ASCII block and the ideographic space.
_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20
_FULLWIDTH.update(
    {ord("—"): ord("-"), ord("－"): ord("-"), ord("–"): ord("-"), ord("＃"): ord("#")}
)

_CJK = "\u3400-\u9fff"
_SPACE_CJK = re.compile(rf"\s+(?=[{_CJK}，。！？、：；])|(?<=[{_CJK}，。！？、：；])\s+")
_SPACES = re.compile(r"\s+")
_SURROGATES = re.compile("[\ud800-\udfff]")
_INVISIBLE = re.compile("[\u200b-\u200f\u2060-\u2064\ufeff\u00ad]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class Normalizer:
    """Immutable normaliser built from typo and filler tables."""

    def __init__(self, typos: dict[str, str], fillers: tuple[str, ...]):
        self.typos = dict(typos)
        self.fillers = tuple(fillers)
        self._typo_re = _alternation(self.typos)
        self._filler_re = _alternation(self.fillers)

    def __call__(self, text: str) -> str:
        s = text.translate(_FULLWIDTH)
        if not s.isascii():
            # lone surrogates cannot be encoded for OpenCC; control characters
            # and zero-width marks only break words apart
            s = _SURROGATES.sub("\ufffd", s)
            s = _INVISIBLE.sub("", s)
        s = _CONTROL.sub(" ", s)
        s = s.upper() if s.isascii() else t2s(s).upper()
        if self._typo_re is not None:
            s = self._typo_re.sub(lambda m: self.typos[m.group()], s)
        if self._filler_re is not None:
            s = self._filler_re.sub(" ", s)
        # collapse runs first: the CJK-adjacent pattern is then linear
        s = _SPACES.sub(" ", s)
        s = _SPACE_CJK.sub("", s).strip()
        return convert_numerals(s)


def _alternation(words) -> re.Pattern | None:
    words = sorted({w for w in words if w}, key=len, reverse=True)
    if not words:
        return None
    return re.compile("|".join(map(re.escape, words)))


@lru_cache(maxsize=1)
def default_normalizer() -> Normalizer:
    typos = {row[0]: row[1] for row in read_tsv("typos.tsv") if len(row) >= 2}
    fillers = tuple(read_lines("fillers.txt"))
    return Normalizer(typos, fillers)


def normalize(text: str) -> str:
    """Normalise resident text for matching (see module docstring)."""
    return default_normalizer()(text or "")
