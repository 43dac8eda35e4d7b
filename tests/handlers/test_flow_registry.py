"""The flow registry is complete and documented: every flow that handlers start is declared,
and docs/conversations.md lists each one."""

from __future__ import annotations

import re
from pathlib import Path

from handlers.registry import build_flows

ROOT = Path(__file__).resolve().parents[2]


def test_every_declared_flow_is_documented() -> None:
    doc = (ROOT / "docs" / "conversations.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `([a-z_]+)` \|", doc, flags=re.MULTILINE))
    assert listed == set(build_flows().names())


def test_every_flow_started_in_code_is_declared() -> None:
    names = set(build_flows().names())
    started: set[str] = set()
    for path in [*(ROOT / "handlers").rglob("*.py"), *(ROOT / "bot").rglob("*.py")]:
        text = path.read_text(encoding="utf-8")
        constants = dict(re.findall(r'^([A-Z_]*FLOW) = "([a-z_]+)"', text, flags=re.MULTILINE))
        started |= set(constants.values())
    assert started and started <= names, started - names


def test_each_flow_has_steps_a_timeout_and_a_cancel_meaning() -> None:
    for flow in build_flows():
        assert flow.steps and flow.timeout.total_seconds() > 0
        assert flow.cancel_text or flow.on_cancel is not None, flow.name
