"""Every `shequ` command builds the whole parser first: the worker and the scheduler start
without importing the app, the console or the story player (each process paid a second of
CPU for them)."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("bot.app", "bot.stories.player", "admin", "handlers", "bot.jobs.meals")


def test_building_the_command_line_imports_nothing_heavy() -> None:
    probe = (
        "import sys; from bot.cli import build_parser; build_parser(); "
        f"print(sorted(m for m in sys.modules if m.startswith({HEAVY!r})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
