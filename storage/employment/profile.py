"""Reading a job seeker's profile out of free text (chat messages, survey cells). No I/O
beyond loading the word list once; the words live in job_words.json so staff can extend
them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

WORDS_FILE = Path(__file__).parent / "job_words.json"
NEGATORS = ("不会", "不能", "不想", "不用", "不要", "不去", "没有", "不", "没")

KIND_LABELS = {
    "workshop": "扶贫车间",
    "county": "县内务工",
    "migrant": "劳务输转/外出",
    "flexible": "灵活就业/零工",
    "training": "培训",
}
HOURS_LABELS = {"full": "全天", "half": "半天", "any": "全天半天都行"}
STATUS_LABELS = {"available": "可就业", "employed": "已就业", "unable": "暂不能就业"}
# Constraints that tie a seeker to home (no migrant work, local or part-time preferred).
HOME_CONSTRAINTS = frozenset({"接送孩子", "照顾家人"})
FAMILY_REASONS = {"照顾孩子", "照顾老人"}


@cache
def words() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(WORDS_FILE.read_text(encoding="utf-8"))
    return data


@dataclass
class ParsedProfile:
    labour_status: str | None = None
    unable_reason: str | None = None
    skills: list[str] = field(default_factory=list)
    no_skills: bool = False  # said 没有/不会 (an answer, not a gap)
    kinds: list[str] = field(default_factory=list)
    hours: str | None = None
    constraints: list[str] = field(default_factory=list)
    anything: bool = False  # 都行: any kind, any hours
    seeking: bool = False  # says they want work

    @property
    def details(self) -> bool:
        """Says more than "I want work"."""
        return bool(
            self.skills
            or self.no_skills
            or self.kinds
            or self.hours
            or self.constraints
            or self.anything
            or self.labour_status in ("employed", "unable")
        )

    @property
    def empty(self) -> bool:
        return not (
            self.labour_status
            or self.skills
            or self.no_skills
            or self.kinds
            or self.hours
            or self.constraints
            or self.anything
            or self.seeking
        )


def _negated(text: str, start: int) -> bool:
    before = text[max(0, start - 2) : start]
    return any(before.endswith(neg) for neg in NEGATORS)


def _find(text: str, synonyms: list[str]) -> bool | None:
    """True if a synonym occurs un-negated, False if only negated, None if absent."""
    seen_negated = False
    for word in sorted(synonyms, key=len, reverse=True):
        start = text.find(word)
        while start != -1:
            if not _negated(text, start):
                return True
            seen_negated = True
            start = text.find(word, start + 1)
    return False if seen_negated else None


def _groups(text: str, table: dict[str, list[str]]) -> list[str]:
    return [name for name, synonyms in table.items() if _find(text, [name, *synonyms])]


SEEKING_WORDS = ("找工作", "找活", "找份工", "想上班", "想干活", "想打工", "招人", "想挣钱", "就业")


def parse_profile(text: str) -> ParsedProfile:
    """Everything the text says about labour status, skills, kinds, hours, constraints."""
    w = words()
    text = text.replace(" ", "").replace("，", ",")
    parsed = ParsedProfile()
    parsed.skills = _groups(text, w["skills"])
    parsed.kinds = _groups(text, w["kinds"])
    hours = _groups(text, w["hours"])
    # "只能干半天" names both 半天 and its synonyms; a stated half day wins over 白天.
    parsed.hours = "half" if "half" in hours else ("full" if "full" in hours else None)
    parsed.constraints = _groups(text, w["constraints"])
    parsed.seeking = any(word in text for word in SEEKING_WORDS)
    parsed.anything = any(word in text for word in w["anything"])
    parsed.no_skills = not parsed.skills and any(
        text.strip(",。.!！") == word or text.startswith(word) for word in w["none"]
    )
    reasons = _groups(text, w["unable_reasons"])
    explicit_unable = _find(text, w["unable"]) is True
    if _find(text, w["employed"]) is True:
        parsed.labour_status = "employed"
    elif explicit_unable or (
        reasons
        and not FAMILY_REASONS.issuperset(reasons)
        and not (parsed.skills or parsed.hours or parsed.kinds or parsed.seeking)
    ):
        parsed.labour_status = "unable"
        parsed.unable_reason = reasons[0] if reasons else "其他"
    else:
        if any(r in FAMILY_REASONS for r in reasons) and "照顾家人" not in parsed.constraints:
            parsed.constraints.append("照顾家人")
        if parsed.seeking or parsed.skills or parsed.kinds or parsed.hours:
            parsed.labour_status = "available"
    return parsed


def split_list(cell: str) -> list[str]:
    """A survey cell such as "开车、电工" or "开车,电工 保洁" as separate items."""
    for sep in ("、", "，", ",", "；", ";", "/", " "):
        cell = cell.replace(sep, "|")
    return [item.strip() for item in cell.split("|") if item.strip()]


def canonical_skill(word: str) -> str | None:
    for name, synonyms in words()["skills"].items():
        if word == name or word in synonyms:
            return str(name)
    return None


def canonical_kind(word: str) -> str | None:
    if word in KIND_LABELS:
        return word
    for code, label in KIND_LABELS.items():
        if word in label.split("/") or word == label:
            return code
    for code, synonyms in words()["kinds"].items():
        if word in synonyms:
            return str(code)
    return None


def canonical_hours(word: str) -> str | None:
    word = word.strip()
    if word in HOURS_LABELS:
        return word
    for code, label in HOURS_LABELS.items():
        if word == label:
            return code
    if word in ("", "都行", "都可以", "不限"):
        return "any"
    for code, synonyms in words()["hours"].items():
        if word in synonyms:
            return str(code)
    return None


def canonical_status(word: str) -> str | None:
    word = word.strip()
    for code, label in STATUS_LABELS.items():
        if word in (code, label):
            return code
    return {"待就业": "available", "失业": "available", "务工": "employed"}.get(word)
