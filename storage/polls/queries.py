"""Reading polls for the console: the list, a round's progress, the phone list and the
results (by grid, by building, by round). `grid_ids` None means every grid; otherwise
only targets of those grids are counted or listed."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Building, Grid, Household, Resident, ServiceRequest, Unit
from storage.polls.models import Poll, PollAnswer, PollRound, PollTarget
from storage.polls.questions import Question, answer_label, load
from storage.polls.service import STATUS_LABELS


def _scoped(query: Any, grid_ids: Sequence[int] | None) -> Any:
    return query if grid_ids is None else query.where(PollTarget.grid_id.in_(list(grid_ids)))


def visible_polls(session: Session, grid_ids: Sequence[int] | None) -> list[Poll]:
    polls = list(session.scalars(select(Poll).order_by(Poll.id.desc()).limit(200)))
    if grid_ids is None:
        return polls
    mine = set(grid_ids)
    return [p for p in polls if not p.grid_ids or mine & {int(g) for g in p.grid_ids}]


def rounds_of(session: Session, poll_id: int) -> list[PollRound]:
    query = select(PollRound).where(PollRound.poll_id == poll_id).order_by(PollRound.number)
    return list(session.scalars(query))


def progress(session: Session, round_id: int, grid_ids: Sequence[int] | None) -> dict[str, int]:
    """Households of a round per status (and the total)."""
    query = _scoped(select(PollTarget.status).where(PollTarget.round_id == round_id), grid_ids)
    counts = Counter(session.scalars(query))
    result = {status: counts.get(status, 0) for status in STATUS_LABELS}
    result["total"] = sum(counts.values())
    return result


def channel_split(
    session: Session, round_id: int, grid_ids: Sequence[int] | None
) -> dict[str, int]:
    query = _scoped(select(PollTarget.channel).where(PollTarget.round_id == round_id), grid_ids)
    return dict(Counter(session.scalars(query)))


@dataclass(frozen=True)
class Row:
    target: PollTarget
    poll: Poll
    round_number: int
    address: str
    building: str
    grid: str
    name: str | None
    phone: str | None


def target_rows(
    session: Session,
    grid_ids: Sequence[int] | None,
    *,
    poll_id: int | None = None,
    round_id: int | None = None,
    statuses: Sequence[str] | None = None,
    open_rounds_only: bool = False,
    limit: int = 2000,
) -> list[Row]:
    query = (
        select(
            PollTarget,
            Poll,
            PollRound.number,
            Household.room,
            Unit.number,
            Building.number,
            Grid.name,
            Resident.name,
            Resident.phone,
        )
        .join(Poll, PollTarget.poll_id == Poll.id)
        .join(PollRound, PollTarget.round_id == PollRound.id)
        .join(Household, PollTarget.household_id == Household.id)
        .join(Unit, Household.unit_id == Unit.id)
        .join(Building, PollTarget.building_id == Building.id)
        .join(Grid, PollTarget.grid_id == Grid.id)
        .outerjoin(Resident, PollTarget.resident_id == Resident.id)
        .order_by(Building.id, Unit.number, Household.room, PollTarget.id)
    )
    if poll_id is not None:
        query = query.where(PollTarget.poll_id == poll_id)
    if round_id is not None:
        query = query.where(PollTarget.round_id == round_id)
    if statuses:
        query = query.where(PollTarget.status.in_(list(statuses)))
    if open_rounds_only:
        query = query.where(PollRound.status == "open")
    rows = session.execute(_scoped(query, grid_ids).limit(limit)).all()
    return [
        Row(target, poll, number, f"{b}号楼{u}单元{room}", b, grid, name, phone)
        for target, poll, number, room, u, b, grid, name, phone in rows
    ]


def phone_list(session: Session, grid_ids: Sequence[int] | None) -> list[Row]:
    """Households of open rounds that only a call can reach (or that did not answer)."""
    return target_rows(session, grid_ids, statuses=("phone",), open_rounds_only=True)


def answers_by_target(session: Session, target_ids: Sequence[int]) -> dict[int, list[PollAnswer]]:
    found: dict[int, list[PollAnswer]] = defaultdict(list)
    for start in range(0, len(target_ids), 900):
        chunk = list(target_ids[start : start + 900])
        query = (
            select(PollAnswer).where(PollAnswer.target_id.in_(chunk)).order_by(PollAnswer.question)
        )
        for answer in session.scalars(query):
            found[answer.target_id].append(answer)
    return found


def _answers(session: Session, poll_id: int, grid_ids: Sequence[int] | None):
    query = (
        select(
            PollAnswer,
            PollTarget.grid_id,
            PollTarget.building_id,
            PollRound.number,
            Grid.name,
            Building.number,
            ServiceRequest.code,
        )
        .join(PollTarget, PollAnswer.target_id == PollTarget.id)
        .join(PollRound, PollTarget.round_id == PollRound.id)
        .join(Grid, PollTarget.grid_id == Grid.id)
        .join(Building, PollTarget.building_id == Building.id)
        .outerjoin(ServiceRequest, PollAnswer.request_id == ServiceRequest.id)
        .where(PollAnswer.poll_id == poll_id)
        .order_by(PollAnswer.id)
    )
    return session.execute(_scoped(query, grid_ids)).all()


def _mean(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def results(session: Session, poll: Poll, grid_ids: Sequence[int] | None) -> list[dict[str, Any]]:
    """Per question: for scores the mean by grid, by building and by round; for choices the
    count per option by round; for words the latest answers (and the request each raised)."""
    questions = load(poll.questions)
    rows = _answers(session, poll.id, grid_ids)
    out: list[dict[str, Any]] = []
    for index, question in enumerate(questions):
        mine = [r for r in rows if r[0].question == index]
        out.append(_question_result(index, question, mine))
    return out


def _question_result(index: int, question: Question, rows: list[Any]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "index": index,
        "kind": question.kind,
        "text": question.text,
        "count": len(rows),
        "by_grid": [],
        "by_building": [],
        "by_round": [],
        "options": [],
        "words": [],
    }
    if question.kind == "score":
        for key, position in (("by_grid", 4), ("by_building", 5), ("by_round", 3)):
            groups: dict[Any, list[int]] = defaultdict(list)
            for r in rows:
                if r[0].number is not None:
                    groups[r[position]].append(r[0].number)
            labels = sorted(groups, key=lambda k: (len(str(k)), str(k)))
            result[key] = [
                {
                    "label": _label(key, k),
                    "mean": _mean(groups[k]),
                    "count": len(groups[k]),
                    "low": sum(1 for v in groups[k] if v <= 2),
                }
                for k in labels
            ]
    elif question.kind == "choice":
        counts = Counter(r[0].number for r in rows)
        result["options"] = [
            {"label": f"{i} {o}", "count": counts.get(i, 0)}
            for i, o in enumerate(question.options, 1)
        ]
        per_round: dict[int, Counter[int]] = defaultdict(Counter)
        for r in rows:
            per_round[r[3]][r[0].number] += 1
        result["by_round"] = [
            {
                "label": f"第{n}轮",
                "counts": [per_round[n].get(i, 0) for i in range(1, len(question.options) + 1)],
            }
            for n in sorted(per_round)
        ]
    # What residents said in words, and every answer that raised a request (low scores).
    words = [r for r in rows if r[0].text or r[0].request_id]
    result["words"] = [
        {
            "text": answer_label(question, r[0].number, r[0].text),
            "building": f"{r[5]}号楼",
            "round": r[3],
            "request_code": r[6],
        }
        for r in words[-50:]
    ]
    return result


def _label(key: str, value: Any) -> str:
    if key == "by_building":
        return f"{value}号楼"
    if key == "by_round":
        return f"第{value}轮"
    return str(value)
