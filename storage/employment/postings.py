"""The officer's side of a posting: publishing it (and planning the notice to seekers who
suit it) and closing it. Every change is an event row; callers audit and commit."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from storage.employment.profile import KIND_LABELS
from storage.events import record_event
from storage.models import JobPosting
from storage.outbound.jobs import Job
from storage.outbound.queues import DEFAULT_QUEUE, enqueue_job
from storage.writes import update_if


class PostingRefused(ValueError):
    """A posting that cannot be published as asked (`message` says why, for staff)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def publish_posting(
    session: Session, *, community_id: int, created_by: str, actor: str, fields: dict[str, Any]
) -> JobPosting:
    if fields.get("order_firm") and fields.get("kind") != "training":
        raise PostingRefused("只有培训才能填写订单企业（培训+订单）")
    posting = JobPosting(community_id=community_id, created_by=created_by, **fields)
    session.add(posting)
    session.flush()
    record_event(
        session,
        "job_posting",
        posting.id,
        actor=actor,
        to_state="open",
        note=f"发布{KIND_LABELS[posting.kind]} {posting.code} {posting.title}",
    )
    enqueue_job(session, DEFAULT_QUEUE, Job.NOTIFY_NEW_POSTING, posting.id)
    return posting


def close_posting(session: Session, posting: JobPosting, *, actor: str) -> bool:
    """Stop applications; False when it was already closed (by someone else, perhaps)."""
    closed = update_if(
        session,
        JobPosting,
        JobPosting.id == posting.id,
        JobPosting.status != "closed",
        status="closed",
    )
    if not closed:
        return False
    posting.status = "closed"
    record_event(
        session,
        "job_posting",
        posting.id,
        actor=actor,
        from_state="open",
        to_state="closed",
        note="停止报名",
    )
    return True
