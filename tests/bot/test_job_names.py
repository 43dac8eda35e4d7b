"""Storage and handlers plan background jobs by dotted name (they may not import `bot`);
every such name must still be a function a worker can import, so a rename breaks here
rather than when a worker first runs the job."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
JOB_NAME = re.compile(r"""["'](bot\.(?:jobs\.\w+|reaper)\.\w+)["']""")


def job_names() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for package in ("storage", "handlers", "bot", "admin"):
        for path in (ROOT / package).rglob("*.py"):
            for name in JOB_NAME.findall(path.read_text(encoding="utf-8")):
                found.setdefault(name, []).append(str(path.relative_to(ROOT)))
    return found


def test_every_planned_job_name_is_an_importable_function() -> None:
    names = job_names()
    assert len(names) >= 15  # the scan sees the jobs storage, handlers and the scheduler plan
    missing = []
    for name, where in sorted(names.items()):
        module_name, _, attribute = name.rpartition(".")
        target = getattr(importlib.import_module(module_name), attribute, None)
        if not callable(target):
            missing.append(f"{name} (named in {', '.join(where)})")
    assert not missing, missing
