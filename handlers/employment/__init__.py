"""Jobs: the job-seeker dialogue, applications by reply, and opting out of notices."""

from __future__ import annotations

from handlers.base import Handler
from handlers.employment.apply import JobApplyHandler, JobWithdrawHandler
from handlers.employment.optout import JobNoticeOptOutHandler
from handlers.employment.seek import JobSeekHandler


def employment_handlers() -> list[Handler]:
    """In priority order. Each claims only its own flow, the job intents, a 退订 from a
    seeker, or a cancel that speaks of an open application, so listing them before other
    features keeps answers inside the job dialogue (e.g. "开车") from being read as
    something else."""
    return [JobNoticeOptOutHandler(), JobWithdrawHandler(), JobApplyHandler(), JobSeekHandler()]


__all__ = [
    "JobApplyHandler",
    "JobNoticeOptOutHandler",
    "JobSeekHandler",
    "JobWithdrawHandler",
    "employment_handlers",
]
