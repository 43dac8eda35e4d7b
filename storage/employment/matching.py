"""Matching seekers and postings: pure, deterministic, explainable (no I/O).

A pair first passes the hard rules (eligible), then scores points, each with the reason
a resident reads ("匹配原因：会开车、全天"):

  rule                                           points   reason
  each shared skill (at most two count)            30     会开车
  the kind of work the seeker asked for            20     想去扶贫车间
  the hours the seeker can work                    10     全天 / 半天
  in the seeker's compound / else grid             15/10  就在本小区 / 在本网格
  keeps a home constraint (not full-day, or local) 10     方便接送孩子
  training without prerequisites                    5     不需要基础
  training followed by a firm's orders              5     培训后有XX订单

Hard rules: the seeker is 可就业; a half-day seeker gets no full-day work; a seeker tied
to home gets no migrant work; a job needing skills needs one of them (a training does
not); a seeker who named kinds of work gets only those kinds.
Ties are broken by id, so the same data always gives the same order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from storage.employment.profile import HOME_CONSTRAINTS, KIND_LABELS

SKILL_POINTS = 30
MAX_SKILLS_COUNTED = 2
KIND_POINTS = 20
HOURS_POINTS = 10
COMPOUND_POINTS = 15
GRID_POINTS = 10
CONSTRAINT_POINTS = 10
TRAINING_POINTS = 5
ORDERS_POINTS = 5
# A new posting is pushed only to seekers it suits this well (a skill or the wanted kind).
NOTIFY_MIN_SCORE = 20

SKILL_REASONS = {
    "厨师": "会做饭（厨师）",
    "保安": "能做保安",
    "保洁": "能做保洁",
    "养殖": "懂养殖",
    "家政": "能做家政",
    "建筑": "会建筑活",
    "搬运": "能干搬运",
}
KIND_REASONS = {
    "workshop": "想去扶贫车间",
    "county": "想在县内务工",
    "migrant": "愿意外出务工",
    "flexible": "想打零工",
    "training": "想参加培训",
}
HOURS_REASONS = {"full": "全天", "half": "半天"}


@dataclass(frozen=True)
class SeekerView:
    id: int
    labour_status: str
    skills: frozenset[str]
    kinds: frozenset[str]
    hours: str  # full | half | any
    constraints: frozenset[str]
    compound_id: int | None = None
    grid_id: int | None = None


@dataclass(frozen=True)
class PostingView:
    id: int
    kind: str
    skills: frozenset[str]
    hours: str  # full | half | any
    compound_id: int | None = None
    grid_id: int | None = None
    order_firm: str | None = None


@dataclass(frozen=True)
class Match:
    seeker_id: int
    posting_id: int
    score: int
    reasons: tuple[str, ...]

    @property
    def explanation(self) -> str:
        return "匹配原因：" + "、".join(self.reasons) if self.reasons else "匹配原因：符合条件"


def eligible(seeker: SeekerView, posting: PostingView) -> bool:
    if seeker.labour_status != "available":
        return False
    if seeker.hours == "half" and posting.hours == "full":
        return False
    if seeker.constraints & HOME_CONSTRAINTS and posting.kind == "migrant":
        return False
    training = posting.kind == "training"
    if posting.skills and not training and not (posting.skills & seeker.skills):
        return False
    return not (seeker.kinds and posting.kind not in seeker.kinds)


def score(seeker: SeekerView, posting: PostingView) -> Match | None:
    """The match of one seeker and one posting, or None when a hard rule excludes it."""
    if not eligible(seeker, posting):
        return None
    points = 0
    reasons: list[str] = []
    for skill in sorted(posting.skills & seeker.skills)[:MAX_SKILLS_COUNTED]:
        points += SKILL_POINTS
        reasons.append(SKILL_REASONS.get(skill, f"会{skill}"))
    if posting.kind in seeker.kinds:
        points += KIND_POINTS
        reasons.append(KIND_REASONS.get(posting.kind, f"想做{KIND_LABELS[posting.kind]}"))
    if seeker.hours in HOURS_REASONS and posting.hours in (seeker.hours, "any"):
        points += HOURS_POINTS
        reasons.append(HOURS_REASONS[seeker.hours])
    local = False
    if posting.compound_id is not None and posting.compound_id == seeker.compound_id:
        points += COMPOUND_POINTS
        reasons.append("就在本小区")
        local = True
    elif posting.grid_id is not None and posting.grid_id == seeker.grid_id:
        points += GRID_POINTS
        reasons.append("在本网格")
        local = True
    home = sorted(seeker.constraints & HOME_CONSTRAINTS)
    if home and (posting.hours != "full" or local):
        points += CONSTRAINT_POINTS
        reasons.append(f"方便{home[0]}")
    if posting.kind == "training":
        if not posting.skills:
            points += TRAINING_POINTS
            reasons.append("不需要基础")
        if posting.order_firm:
            points += ORDERS_POINTS
            reasons.append(f"培训后有{posting.order_firm}订单")
    return Match(seeker.id, posting.id, points, tuple(reasons))


def best_postings(
    seeker: SeekerView, postings: Iterable[PostingView], limit: int = 3
) -> list[Match]:
    """The seeker's best postings, highest score first, then oldest posting first."""
    found = [m for m in (score(seeker, p) for p in postings) if m is not None]
    found.sort(key=lambda m: (-m.score, m.posting_id))
    return found[:limit]


def matching_seekers(
    posting: PostingView, seekers: Iterable[SeekerView], min_score: int = NOTIFY_MIN_SCORE
) -> list[Match]:
    """Seekers a posting suits at least `min_score`, best first, then by seeker id."""
    found = [
        m for m in (score(s, posting) for s in seekers) if m is not None and m.score >= min_score
    ]
    found.sort(key=lambda m: (-m.score, m.seeker_id))
    return found
