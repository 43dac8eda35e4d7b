"""Every dialogue story in tests/stories/ plays and passes (one test per story, each on
a fresh copy of the seeded database and an emptied Redis)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.stories.player import StoryService

STORIES = Path(__file__).parent / "stories"
FILES = sorted(STORIES.rglob("*.yaml"))


def test_there_are_stories_for_every_flow_and_defect() -> None:
    assert len(FILES) >= 60, f"only {len(FILES)} stories"


@pytest.fixture(scope="session")
def story_service(
    valkey_process: object, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StoryService]:
    url = f"redis://127.0.0.1:{valkey_process.port}/0"  # type: ignore[attr-defined]
    with StoryService(url, tmp_path_factory.mktemp("stories")) as service:
        yield service


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(STORIES)) for p in FILES])
def test_story(path: Path, database_url: str, redis_url: str, story_service: StoryService) -> None:
    result = story_service.play(path, database_url)
    assert result.passed, "\n".join([result.line(), *result.failures])
