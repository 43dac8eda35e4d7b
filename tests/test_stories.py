"""Every dialogue story in tests/stories/ plays and passes (one test per story, each on
a fresh copy of the seeded database and an emptied Redis)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.stories.player import play_story

STORIES = Path(__file__).parent / "stories"
FILES = sorted(STORIES.rglob("*.yaml"))


def test_there_are_stories_for_every_flow_and_defect() -> None:
    assert len(FILES) >= 60, f"only {len(FILES)} stories"


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(STORIES)) for p in FILES])
def test_story(path: Path, database_url: str, redis_url: str, tmp_path: Path) -> None:
    result = play_story(path, database_url, redis_url, tmp_path)
    assert result.passed, "\n".join([result.line(), *result.failures])
