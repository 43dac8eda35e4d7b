"""What the console's poll actions do once the request is parsed (shared by the pages and
the JSON API): run the storage service, turn a PollError into a 400, write the audit row
and end the unit of work with `bot.deps.commit`."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException
from sqlalchemy.orm import Session

from admin.audit import audit_staff
from admin.deps import Staff
from admin.polls.view import community_id, load_target
from bot.deps import commit
from storage.models import utcnow
from storage.outbound.jobs import Job
from storage.outbound.queues import enqueue_job
from storage.polls.models import Poll
from storage.polls.questions import PollError, load
from storage.polls.service import Recorded, activate, create_poll, pause, record_call


def create_and_audit(session: Session, staff: Staff, ip: str, *, body: dict[str, Any]) -> Poll:
    try:
        poll = create_poll(
            session,
            community_id=community_id(session),
            title=str(body.get("title") or ""),
            intro=str(body.get("intro") or ""),
            questions=list(body.get("questions") or []),
            population=dict(body.get("population") or {}),
            cadence_days=body.get("cadence_days"),
            allowed_grids=None if staff.sees_all_grids else list(staff.grid_ids),
            actor=staff.actor,
            now=utcnow(),
        )
    except PollError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from exc
    audit_staff(session, staff, "poll_create", ip, "poll", poll.id, poll.title)
    commit(session)
    return poll


def start_and_audit(session: Session, staff: Staff, ip: str, poll: Poll) -> None:
    """Start a draft (its first round is sent now, by a background job) or resume a paused
    poll on its cadence (a round already due is sent now)."""
    now = utcnow()
    resumed = poll.status == "paused"
    due = poll.next_round_at if resumed and poll.next_round_at and poll.next_round_at > now else now
    if not activate(session, poll, actor=staff.actor, first_round_at=due):
        raise HTTPException(status_code=409, detail="这个民调已经在进行中或已结束")
    if due <= now:
        enqueue_job(session, "default", Job.START_POLL_ROUND, poll.id)
    audit_staff(session, staff, "poll_resume" if resumed else "poll_start", ip, "poll", poll.id)
    commit(session)


def pause_and_audit(session: Session, staff: Staff, ip: str, poll: Poll) -> None:
    """No new rounds until resumed; the open round's answers and phone list stay."""
    if not pause(session, poll, actor=staff.actor):
        raise HTTPException(status_code=409, detail="只有进行中的民调可以暂停")
    audit_staff(session, staff, "poll_pause", ip, "poll", poll.id)
    commit(session)


def parse_answers(poll: Poll, raw: dict[int, Any]) -> dict[int, tuple[int | None, str | None]]:
    """Form or JSON answers by question index → (number, words), checked against the
    question's kind; an empty answer is left out."""
    parsed: dict[int, tuple[int | None, str | None]] = {}
    questions = load(poll.questions)
    for index, value in raw.items():
        if not 0 <= index < len(questions) or value in (None, ""):
            continue
        question = questions[index]
        if question.kind == "text":
            parsed[index] = (None, str(value).strip()[:1000] or None)
            continue
        try:
            number = int(value)
        except (TypeError, ValueError) as exc:
            raise HTTPException(status_code=400, detail=f"第{index + 1}题请选数字") from exc
        top = len(question.options) if question.kind == "choice" else 5
        if not 1 <= number <= top:
            raise HTTPException(status_code=400, detail=f"第{index + 1}题的回答超出范围")
        parsed[index] = (number, None)
    return parsed


def call_and_audit(
    session: Session,
    staff: Staff,
    ip: str,
    target_id: int,
    *,
    outcome: str,
    answers: dict[int, Any],
    note: str,
) -> tuple[Any, list[Recorded]]:
    target = load_target(session, staff, target_id)
    poll = session.get(Poll, target.poll_id)
    assert poll is not None
    given = parse_answers(poll, answers) if outcome == "answered" else {}
    try:
        stored = record_call(
            session,
            target,
            outcome=outcome,
            answers=given,
            note=note,
            actor=staff.actor,
            now=utcnow(),
        )
    except PollError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from exc
    audit_staff(session, staff, "poll_call", ip, "poll_target", target.id, outcome)
    commit(session)
    return target, stored
