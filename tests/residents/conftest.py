"""Resident page fixtures: reuse the meeting tests' console factory."""

from __future__ import annotations

from tests.meetings.conftest import console

__all__ = ["console"]
