"""The resident's situation, loaded once per message: what is open for them right now.

Handlers decide from this snapshot (never by querying in `matches()`), and understanding
uses it as a prior: an open ticket makes 有人管吗 a status question, a pending rating makes
不满意 a low rating, an offered task makes 好的我去 an acceptance.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Date,
    Integer,
    String,
    bindparam,
    case,
    cast,
    literal_column,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from storage.models import (
    Handover,
    JobApplication,
    JobPosting,
    JobSeeker,
    MealOrder,
    Poll,
    PollTarget,
    RequestSubscriber,
    ServiceRequest,
    TaskOffer,
    VolunteerProfile,
    VolunteerTask,
)
from storage.orm import UTCDateTime
from storage.requests.rules import OPEN_STATUSES, RESOLVED

OPEN_ORDER_STATUSES = ("pending", "confirmed")
OPEN_TASK_STATUSES = ("open",)
ACTIVE_TASK_STATUSES = ("assigned",)
OPEN_POLL_STATUSES = ("chat", "answering")


@dataclass(frozen=True)
class TicketBrief:
    id: int
    code: str
    category: str
    status: str
    urgent: bool
    created_at: datetime
    mine: bool  # reported by this resident (else followed)


@dataclass(frozen=True)
class OrderBrief:
    id: int
    code: str
    meal_date: date
    slot: str
    status: str


@dataclass(frozen=True)
class TaskBrief:
    id: int
    code: str
    status: str
    pickup_at: datetime


@dataclass(frozen=True)
class PollBrief:
    """The poll question the resident was asked by chat and has not answered yet."""

    target_id: int
    kind: str  # choice | score | text
    options: tuple[str, ...]


@dataclass(frozen=True)
class Situation:
    resident_id: int
    bound: bool
    open_tickets: tuple[TicketBrief, ...] = ()
    pending_rating: TicketBrief | None = None
    open_orders: tuple[OrderBrief, ...] = ()
    volunteer_status: str | None = None  # active | paused | pending | left
    offered_tasks: tuple[TaskBrief, ...] = ()
    active_tasks: tuple[TaskBrief, ...] = ()
    open_handover_id: int | None = None
    seeker: bool = False
    open_applications: tuple[str, ...] = ()  # posting codes with an application in progress
    open_poll: PollBrief | None = None
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def own_open_tickets(self) -> tuple[TicketBrief, ...]:
        return tuple(t for t in self.open_tickets if t.mine)

    @property
    def is_volunteer(self) -> bool:
        return self.volunteer_status not in (None, "left")


# One UNION ALL per message, built once: every row is (kind, id, code, text1, text2, flag,
# at, at2, day, n); the branches below say what each column holds for their kind. Codes
# that are properties of their models (MealOrder.code "D…", VolunteerTask.code "T…",
# JobPosting.code "J…") are formed from the ids the same way.
_RID = bindparam("rid", type_=Integer)


def _null(type_: Any) -> Any:
    return cast(null(), type_)


def _kind(tag: str) -> Any:
    return literal_column(f"'{tag}'")


@lru_cache(maxsize=1)
def _statement() -> Any:
    s, v, o, t, f = ServiceRequest, VolunteerProfile, MealOrder, VolunteerTask, TaskOffer
    followed = select(RequestSubscriber.request_id).where(RequestSubscriber.resident_id == _RID)
    tickets = (
        select(
            s.id, s.code, s.category, s.status,
            case((s.urgent, 1), else_=0).label("urgent"), s.created_at, s.resident_id,
        )
        .where(
            or_(s.resident_id == _RID, s.id.in_(followed)),
            or_(
                s.status.in_(OPEN_STATUSES),
                (s.status == RESOLVED) & s.rating_state.in_(("asked", "reminded")),
            ),
        )
        .order_by(s.created_at.desc())
        .limit(20)
        .subquery()
    )  # fmt: skip
    dt, day = UTCDateTime(), Date()
    branches = [
        select(
            _kind("t").label("kind"), tickets.c.id, tickets.c.code,
            tickets.c.category.label("text1"), tickets.c.status.label("text2"),
            tickets.c.urgent.label("flag"), tickets.c.created_at.label("at"),
            _null(dt).label("at2"), _null(day).label("day"), tickets.c.resident_id.label("n"),
        ),
        select(
            _kind("o"), o.id, _null(String), o.slot, o.status, literal_column("0"), _null(dt),
            _null(dt), o.meal_date, literal_column("0"),
        ).where(o.resident_id == _RID, o.status.in_(OPEN_ORDER_STATUSES)),
        select(
            _kind("v"), v.id, _null(String), v.status, _null(String), literal_column("0"),
            _null(dt), _null(dt), _null(day), literal_column("0"),
        ).where(v.resident_id == _RID),
        select(
            _kind("f"), t.id, _null(String), t.status, _null(String), literal_column("0"),
            t.pickup_at, f.offered_at, _null(day), f.id,
        )
        .join(f, f.task_id == t.id)
        .join(v, v.id == f.volunteer_id)
        .where(
            v.resident_id == _RID,
            t.status.in_(OPEN_TASK_STATUSES),
            f.attempt == t.attempt,
        ),
        select(
            _kind("a"), t.id, _null(String), t.status, _null(String), literal_column("0"),
            t.pickup_at, _null(dt), _null(day), literal_column("0"),
        )
        .join(v, v.id == t.volunteer_id)
        .where(v.resident_id == _RID, t.status.in_(ACTIVE_TASK_STATUSES)),
        select(
            _kind("h"), Handover.id, _null(String), _null(String), _null(String),
            literal_column("0"), _null(dt), _null(dt), _null(day), literal_column("0"),
        ).where(Handover.resident_id == _RID, Handover.status.in_(("open", "claimed"))),
        select(
            _kind("s"), JobSeeker.id, _null(String), _null(String), _null(String),
            literal_column("0"), _null(dt), _null(dt), _null(day), literal_column("0"),
        ).where(JobSeeker.resident_id == _RID),
        select(
            _kind("p"), JobApplication.id, _null(String), _null(String), _null(String),
            literal_column("0"), _null(dt), _null(dt), _null(day), JobPosting.id,
        )
        .join(JobPosting, JobPosting.id == JobApplication.posting_id)
        .join(JobSeeker, JobSeeker.id == JobApplication.seeker_id)
        .where(JobSeeker.resident_id == _RID, JobApplication.status == "applied"),
        select(
            _kind("q"), PollTarget.id, _null(String), _null(String), _null(String),
            literal_column("0"), _null(dt), _null(dt), _null(day), PollTarget.next_question,
        ).where(PollTarget.resident_id == _RID, PollTarget.status.in_(OPEN_POLL_STATUSES)),
    ]  # fmt: skip
    return union_all(*branches)


@lru_cache(maxsize=1)
def _poll_questions() -> Any:
    return (
        select(Poll.questions)
        .join(PollTarget, PollTarget.poll_id == Poll.id)
        .where(PollTarget.id == bindparam("target", type_=Integer))
    )


def _open_poll(session: Session, targets: list[Any]) -> PollBrief | None:
    """The newest open poll target (found by the situation's statement); its poll's
    questions are read only when there is one."""
    if not targets:
        return None
    row = max(targets, key=lambda r: r.id)
    questions = session.scalar(_poll_questions(), {"target": row.id})
    if questions is None or row.n >= len(questions):
        return None
    question = questions[row.n]
    return PollBrief(row.id, str(question["kind"]), tuple(question.get("options") or ()))


def load_situation(session: Session, resident_id: int, bound: bool) -> Situation:
    """Everything open for the resident, in one statement (one round trip)."""
    rows: dict[str, list[Any]] = {k: [] for k in "tovfahspq"}
    for row in session.execute(_statement(), {"rid": resident_id}):
        rows[row[0]].append(row)
    tickets = sorted(rows["t"], key=lambda r: r.at, reverse=True)
    briefs = [
        TicketBrief(r.id, r.code, r.text1, r.text2, bool(r.flag), r.at, r.n == resident_id)
        for r in tickets
    ]
    open_tickets = tuple(b for b in briefs if b.status in OPEN_STATUSES)
    rating = next((b for b in briefs if b.status == RESOLVED and b.mine), None)
    orders = tuple(
        OrderBrief(r.id, f"D{r.id}", r.day, r.text1, r.text2)
        for r in sorted(rows["o"], key=lambda r: (r.day, r.id))
    )
    profile = rows["v"][0] if rows["v"] else None
    seen: dict[int, TaskBrief] = {}
    for r in sorted(rows["f"], key=lambda r: (r.at2, r.n), reverse=True):
        seen.setdefault(r.id, TaskBrief(r.id, f"T{r.id}", r.text1, r.at))
    active = tuple(
        TaskBrief(r.id, f"T{r.id}", r.text1, r.at) for r in sorted(rows["a"], key=lambda r: r.at)
    )
    handovers = [r.id for r in rows["h"]]
    applications = tuple(f"J{r.n}" for r in sorted(rows["p"], key=lambda r: r.id, reverse=True))
    return Situation(
        open_poll=_open_poll(session, rows["q"]),
        resident_id=resident_id,
        bound=bound,
        open_tickets=open_tickets,
        pending_rating=rating,
        open_orders=orders,
        volunteer_status=profile.text1 if profile is not None else None,
        offered_tasks=tuple(seen.values()) if profile is not None else (),
        active_tasks=active if profile is not None else (),
        open_handover_id=max(handovers) if handovers else None,
        seeker=bool(rows["s"]),
        open_applications=applications if rows["s"] else (),
    )
