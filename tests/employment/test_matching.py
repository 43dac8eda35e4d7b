"""Matching: hard rules, points and the explanation residents read; deterministic order."""

from __future__ import annotations

import random

from storage.employment.matching import (
    NOTIFY_MIN_SCORE,
    PostingView,
    SeekerView,
    best_postings,
    matching_seekers,
    score,
)
from storage.employment.profile import parse_profile


def seeker(**kw: object) -> SeekerView:
    base: dict[str, object] = dict(
        id=1,
        labour_status="available",
        skills=frozenset(),
        kinds=frozenset(),
        hours="any",
        constraints=frozenset(),
        compound_id=1,
        grid_id=1,
    )
    base.update(kw)
    return SeekerView(**base)  # type: ignore[arg-type]


def posting(**kw: object) -> PostingView:
    base: dict[str, object] = dict(id=10, kind="county", skills=frozenset(), hours="full")
    base.update(kw)
    return PostingView(**base)  # type: ignore[arg-type]


def test_explanation_lists_every_reason_in_order() -> None:
    s = seeker(skills=frozenset({"开车"}), kinds=frozenset({"county"}), hours="full")
    m = score(s, posting(skills=frozenset({"开车"}), grid_id=1))
    assert m is not None
    assert m.explanation == "匹配原因：会开车、想在县内务工、全天、在本网格"
    assert m.score == 30 + 20 + 10 + 10


def test_same_compound_beats_same_grid_and_home_constraint_counts() -> None:
    s = seeker(hours="half", constraints=frozenset({"接送孩子"}))
    near = score(s, posting(id=1, kind="workshop", hours="half", compound_id=1, grid_id=1))
    grid = score(s, posting(id=2, kind="workshop", hours="half", compound_id=2, grid_id=1))
    assert near is not None and grid is not None
    assert near.reasons == ("半天", "就在本小区", "方便接送孩子")
    assert grid.reasons == ("半天", "在本网格", "方便接送孩子")
    assert near.score > grid.score


def test_hard_rules_exclude() -> None:
    driver = posting(skills=frozenset({"开车"}))
    assert score(seeker(skills=frozenset({"缝纫"})), driver) is None  # lacks the skill
    assert score(seeker(skills=frozenset({"开车"}), hours="half"), driver) is None  # full day
    assert score(seeker(skills=frozenset({"开车"}), labour_status="employed"), driver) is None
    assert score(seeker(skills=frozenset({"开车"}), kinds=frozenset({"workshop"})), driver) is None
    home = seeker(constraints=frozenset({"接送孩子"}))
    assert score(home, posting(kind="migrant")) is None
    assert score(home, posting(kind="county")) is not None


def test_training_needs_no_skill_and_names_the_ordering_firm() -> None:
    training = posting(kind="training", skills=frozenset({"麻编"}), order_firm="麻编合作社")
    m = score(seeker(kinds=frozenset({"training"})), training)
    assert m is not None
    assert m.explanation == "匹配原因：想参加培训、培训后有麻编合作社订单"
    basic = score(seeker(), posting(kind="training"))
    assert basic is not None and basic.reasons == ("不需要基础",)


def test_order_is_deterministic_and_explained() -> None:
    postings = [
        posting(id=i, kind=kind, skills=frozenset(skills), hours=hours)
        for i, (kind, skills, hours) in enumerate(
            [
                ("county", {"开车"}, "full"),
                ("workshop", set(), "half"),
                ("county", {"开车"}, "any"),
                ("flexible", {"保洁"}, "half"),
                ("training", set(), "half"),
            ],
            start=1,
        )
    ]
    s = seeker(skills=frozenset({"开车"}), hours="half")
    first = best_postings(s, postings, limit=5)
    shuffled = postings[:]
    random.Random(7).shuffle(shuffled)
    assert best_postings(s, shuffled, limit=5) == first
    # The full-day job and the cleaning job are out; ties go to the older posting.
    assert [m.posting_id for m in first] == [3, 5, 2]
    assert first[0].explanation == "匹配原因：会开车、半天"


def test_notify_threshold_needs_a_skill_or_the_wanted_kind() -> None:
    p = posting(kind="workshop", hours="any")
    seekers = [
        seeker(id=1, hours="full"),  # only hours: 10 points
        seeker(id=2, kinds=frozenset({"workshop"})),  # wanted kind: 20
        seeker(id=3, kinds=frozenset({"workshop"}), hours="half"),  # 30
    ]
    found = matching_seekers(p, seekers)
    assert [m.seeker_id for m in found] == [3, 2]
    assert all(m.score >= NOTIFY_MIN_SCORE for m in found)


def test_profile_is_read_from_one_colloquial_message() -> None:
    p = parse_profile("想找工作，会开车，只能干半天要接孩子")
    assert (p.labour_status, p.skills, p.hours, p.constraints) == (
        "available",
        ["开车"],
        "half",
        ["接送孩子"],
    )
    assert parse_profile("不会开车，会缝纫").skills == ["缝纫"]
    unable = parse_profile("怀孕了，暂时不能工作")
    assert (unable.labour_status, unable.unable_reason) == ("unable", "怀孕")
    assert parse_profile("已经上班了").labour_status == "employed"
    assert parse_profile("我会电工和保安，想去县里").kinds == ["county"]
