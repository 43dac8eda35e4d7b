"""Dashboard fixtures: reuse the meeting tests' console and report helpers."""

from __future__ import annotations

from tests.meetings.conftest import console, work

__all__ = ["console", "work"]
