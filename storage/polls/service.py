"""State changes of polls: composing and starting a poll, a resident's answer in chat,
stopping (停止 / 不答了 / 退订), and the grid worker's phone call (answered / not reachable
/ refused). A score of 1–2 or a complaint in words becomes a request linked to the answer.
Nothing here commits; every change writes an event row (entity "poll_target" / "poll")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from nlp.poll_answers import is_complaint
from storage.events import record_event
from storage.models import Household, Resident, ServiceRequest
from storage.polls.models import Poll, PollAnswer, PollOptOut, PollTarget
from storage.polls.population import DEFAULT_CADENCE, KINDS
from storage.polls.questions import LOW_SCORE, PollError, Question, answer_label, checked, load
from storage.requests.service import NewRequest, create_request
from storage.writes import update_if

ENTITY = "poll_target"
OPEN = ("chat", "answering")
CALL_OUTCOMES = {"answered": "已接通并回答", "unreachable": "未接通", "refused": "拒绝回答"}
STATUS_LABELS = {
    "chat": "已发微信，待回复",
    "answering": "正在微信作答",
    "answered": "已回答",
    "stopped": "中途停止",
    "phone": "待电话回访",
    "unreachable": "电话未接通",
    "refused": "拒绝回答",
    "missed": "本轮未完成",
}
POLL_STATUS = {"draft": "草稿", "active": "进行中", "paused": "已暂停", "closed": "已结束"}


def create_poll(
    session: Session,
    *,
    community_id: int,
    title: str,
    intro: str,
    questions: list[dict[str, Any]],
    population: dict[str, Any],
    cadence_days: int | None,
    allowed_grids: list[int] | None,
    actor: str,
    now: datetime,
) -> Poll:
    """A draft poll. `allowed_grids` (None = every grid) bounds the population's grids."""
    title = title.strip()
    if not title:
        raise PollError("请填写民调名称")
    kind = str(population.get("kind") or "")
    if kind not in KINDS:
        raise PollError("请选择调查对象")
    grid_ids = sorted({int(g) for g in population.get("grid_ids") or []})
    if allowed_grids is not None:
        if any(g not in allowed_grids for g in grid_ids):
            raise PollError("只能选择您负责的网格")
        grid_ids = grid_ids or sorted(allowed_grids)
    cleaned = {
        "kind": kind,
        "tags": [str(t) for t in population.get("tags") or []] if kind == "care" else [],
        "grid_ids": grid_ids,
        "building_ids": sorted({int(b) for b in population.get("building_ids") or []}),
    }
    cadence = cadence_days or DEFAULT_CADENCE[kind]
    if not 7 <= cadence <= 366:
        raise PollError("回访周期应在7到366天之间")
    poll = Poll(
        community_id=community_id,
        title=title[:100],
        intro=intro.strip()[:500],
        questions=[q.to_json() for q in checked(questions)],
        population=cleaned,
        grid_ids=grid_ids,
        cadence_days=cadence,
        status="draft",
        created_by=actor,
        created_at=now,
    )
    session.add(poll)
    session.flush()
    record_event(session, "poll", poll.id, actor=actor, to_state="draft", note=title[:100])
    return poll


def activate(session: Session, poll: Poll, *, actor: str, first_round_at: datetime) -> bool:
    """Start (or resume) the cadence: the scheduler sends the first round at
    `first_round_at`. False when the poll is not a draft or paused."""
    before = poll.status
    changed = update_if(
        session,
        Poll,
        Poll.id == poll.id,
        Poll.status.in_(("draft", "paused")),
        status="active",
        next_round_at=first_round_at,
    )
    if changed:
        session.refresh(poll)
        record_event(session, "poll", poll.id, actor=actor, from_state=before, to_state="active")
    return changed


def pause(session: Session, poll: Poll, *, actor: str) -> bool:
    changed = update_if(session, Poll, Poll.id == poll.id, Poll.status == "active", status="paused")
    if changed:
        session.refresh(poll)
        record_event(session, "poll", poll.id, actor=actor, from_state="active", to_state="paused")
    return changed


def questions_of(session: Session, target: PollTarget) -> list[Question]:
    poll = session.get(Poll, target.poll_id)
    assert poll is not None
    return load(poll.questions)


@dataclass(frozen=True)
class Recorded:
    answer: PollAnswer
    request: ServiceRequest | None


def record_answer(
    session: Session,
    target: PollTarget,
    question_index: int,
    *,
    number: int | None,
    text: str | None,
    raw: str | None,
    via: str,
    actor: str,
    now: datetime,
) -> Recorded:
    """Store one answer; a low score or a complaint in words files a request for it."""
    poll = session.get(Poll, target.poll_id)
    assert poll is not None
    question = load(poll.questions)[question_index]
    answer = PollAnswer(
        target_id=target.id,
        poll_id=target.poll_id,
        question=question_index,
        number=number,
        text=(text or None) and text[:1000],
        raw=(raw or None) and raw[:1000],
        via=via,
        answered_at=now,
    )
    session.add(answer)
    session.flush()
    request = None
    low = question.kind == "score" and number is not None and number <= LOW_SCORE
    worded = text if question.kind == "text" else (text if low else None)
    if low or (question.kind == "text" and text and is_complaint(text)):
        request = _file_request(session, poll, target, question, number, worded, actor, now)
        answer.request_id = request.id
    return Recorded(answer, request)


def _file_request(
    session: Session,
    poll: Poll,
    target: PollTarget,
    question: Question,
    number: int | None,
    text: str | None,
    actor: str,
    now: datetime,
) -> ServiceRequest:
    household = session.get(Household, target.household_id)
    assert household is not None
    said = answer_label(question, number, text)
    return create_request(
        session,
        NewRequest(
            community_id=poll.community_id,
            grid_id=target.grid_id,
            building_id=target.building_id,
            household_id=household.id,
            location=household.address,
            category="其他",
            description=f"民调回访（{poll.title}）：{question.text} —— {said}",
            urgent=False,
            resident_id=target.resident_id,
            source="poll",
        ),
        actor=actor,
        now=now,
    )


def _finish(session: Session, target: PollTarget, status: str, actor: str, now: datetime) -> bool:
    before = target.status
    changed = update_if(
        session,
        PollTarget,
        PollTarget.id == target.id,
        PollTarget.status == before,
        status=status,
        finished_at=now,
    )
    if changed:
        session.refresh(target)
        record_event(session, ENTITY, target.id, actor=actor, from_state=before, to_state=status)
    return changed


def answer_in_chat(
    session: Session,
    target: PollTarget,
    raw: str,
    number: int | None,
    text: str | None,
    *,
    actor: str,
    now: datetime,
) -> tuple[Recorded, bool]:
    """The resident's answer to the current question; (what was stored, whether the
    poll is now complete). The target moves on to the next question."""
    index = target.next_question
    recorded = record_answer(
        session, target, index, number=number, text=text, raw=raw, via="chat", actor=actor, now=now
    )
    total = len(questions_of(session, target))
    before = target.status
    target.next_question = index + 1
    target.via = "chat"
    if index + 1 >= total:
        target.status = "answered"
        target.finished_at = now
        record_event(
            session, ENTITY, target.id, actor=actor, from_state=before, to_state="answered"
        )
        return recorded, True
    if before == "chat":
        target.status = "answering"
        record_event(
            session, ENTITY, target.id, actor=actor, from_state=before, to_state="answering"
        )
    return recorded, False


def stop(session: Session, target: PollTarget, *, opt_out: bool, actor: str, now: datetime) -> bool:
    """The resident stopped answering (and with 退订, later rounds phone instead)."""
    changed = target.status in OPEN and _finish(session, target, "stopped", actor, now)
    if opt_out and target.resident_id is not None:
        exists = session.scalar(
            select(PollOptOut.id).where(PollOptOut.resident_id == target.resident_id)
        )
        if exists is None:
            session.add(PollOptOut(resident_id=target.resident_id, at=now))
    return bool(changed)


def record_call(
    session: Session,
    target: PollTarget,
    *,
    outcome: str,
    answers: dict[int, tuple[int | None, str | None]],
    note: str,
    actor: str,
    now: datetime,
) -> list[Recorded]:
    """The grid worker's call to a household on the phone list."""
    if outcome not in CALL_OUTCOMES:
        raise PollError("请选择通话结果")
    if target.status != "phone":
        raise PollError("这户已经处理过了")
    questions = questions_of(session, target)
    stored: list[Recorded] = []
    if outcome == "answered":
        given = {i: a for i, a in answers.items() if 0 <= i < len(questions) and any(a)}
        if not given:
            raise PollError("已接通的电话请至少记录一题的回答")
        done = set(
            session.scalars(select(PollAnswer.question).where(PollAnswer.target_id == target.id))
        )
        for index in sorted(given):
            if index in done:
                continue
            number, text = given[index]
            stored.append(
                record_answer(
                    session,
                    target,
                    index,
                    number=number,
                    text=text,
                    raw=None,
                    via="phone",
                    actor=actor,
                    now=now,
                )
            )
    if not _finish(session, target, outcome, actor, now):
        raise PollError("这户已经处理过了")
    target.via = "phone"
    target.called_by = actor
    target.call_note = note.strip()[:500] or None
    return stored


def resident_of(session: Session, target: PollTarget) -> Resident | None:
    return session.get(Resident, target.resident_id) if target.resident_id else None
