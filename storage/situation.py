"""The resident's situation, loaded once per message: what is open for them right now.

Handlers decide from this snapshot (never by querying in `matches()`), and understanding
uses it as a prior: an open ticket makes 有人管吗 a status question, a pending rating makes
不满意 a low rating, an offered task makes 好的我去 an acceptance.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import or_, select
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
from storage.requests.rules import OPEN_STATUSES, RESOLVED

OPEN_ORDER_STATUSES = ("pending", "confirmed")
OPEN_TASK_STATUSES = ("open",)
ACTIVE_TASK_STATUSES = ("assigned",)


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


def _brief(request: ServiceRequest, resident_id: int) -> TicketBrief:
    return TicketBrief(
        id=request.id,
        code=request.code,
        category=request.category,
        status=request.status,
        urgent=request.urgent,
        created_at=request.created_at,
        mine=request.resident_id == resident_id,
    )


def _open_poll(session: Session, resident_id: int) -> PollBrief | None:
    row = session.execute(
        select(PollTarget.id, PollTarget.next_question, Poll.questions)
        .join(Poll, PollTarget.poll_id == Poll.id)
        .where(PollTarget.resident_id == resident_id, PollTarget.status.in_(("chat", "answering")))
        .order_by(PollTarget.id.desc())
        .limit(1)
    ).first()
    if row is None or row.next_question >= len(row.questions):
        return None
    question = row.questions[row.next_question]
    return PollBrief(row.id, str(question["kind"]), tuple(question.get("options") or ()))


def load_situation(session: Session, resident_id: int, bound: bool) -> Situation:
    followed = select(RequestSubscriber.request_id).where(
        RequestSubscriber.resident_id == resident_id
    )
    tickets = session.scalars(
        select(ServiceRequest)
        .where(
            or_(ServiceRequest.resident_id == resident_id, ServiceRequest.id.in_(followed)),
            or_(
                ServiceRequest.status.in_(OPEN_STATUSES),
                (ServiceRequest.status == RESOLVED)
                & ServiceRequest.rating_state.in_(("asked", "reminded")),
            ),
        )
        .order_by(ServiceRequest.created_at.desc())
        .limit(20)
    ).all()
    open_tickets = tuple(_brief(t, resident_id) for t in tickets if t.status in OPEN_STATUSES)
    rating = next(
        (
            _brief(t, resident_id)
            for t in tickets
            if t.status == RESOLVED and t.resident_id == resident_id
        ),
        None,
    )
    orders = tuple(
        OrderBrief(o.id, o.code, o.meal_date, o.slot, o.status)
        for o in session.scalars(
            select(MealOrder)
            .where(
                MealOrder.resident_id == resident_id,
                MealOrder.status.in_(OPEN_ORDER_STATUSES),
            )
            .order_by(MealOrder.meal_date, MealOrder.id)
        )
    )
    profile = session.scalar(
        select(VolunteerProfile).where(VolunteerProfile.resident_id == resident_id)
    )
    offered: tuple[TaskBrief, ...] = ()
    active: tuple[TaskBrief, ...] = ()
    if profile is not None:
        seen: dict[int, TaskBrief] = {}
        for t in session.scalars(
            select(VolunteerTask)
            .join(TaskOffer, TaskOffer.task_id == VolunteerTask.id)
            .where(
                TaskOffer.volunteer_id == profile.id,
                VolunteerTask.status.in_(OPEN_TASK_STATUSES),
                TaskOffer.attempt == VolunteerTask.attempt,
            )
            .order_by(TaskOffer.offered_at.desc(), TaskOffer.id.desc())
        ):
            seen.setdefault(t.id, TaskBrief(t.id, t.code, t.status, t.pickup_at))
        offered = tuple(seen.values())
        active = tuple(
            TaskBrief(t.id, t.code, t.status, t.pickup_at)
            for t in session.scalars(
                select(VolunteerTask)
                .where(
                    VolunteerTask.volunteer_id == profile.id,
                    VolunteerTask.status.in_(ACTIVE_TASK_STATUSES),
                )
                .order_by(VolunteerTask.pickup_at)
            )
        )
    handover_id = session.scalar(
        select(Handover.id)
        .where(Handover.resident_id == resident_id, Handover.status.in_(("open", "claimed")))
        .order_by(Handover.id.desc())
        .limit(1)
    )
    seeker = session.scalar(select(JobSeeker.id).where(JobSeeker.resident_id == resident_id))
    applications: tuple[str, ...] = ()
    if seeker is not None:
        applications = tuple(
            posting.code
            for posting in session.scalars(
                select(JobPosting)
                .join(JobApplication, JobApplication.posting_id == JobPosting.id)
                .where(JobApplication.seeker_id == seeker, JobApplication.status == "applied")
                .order_by(JobApplication.id.desc())
            )
        )
    return Situation(
        open_poll=_open_poll(session, resident_id),
        resident_id=resident_id,
        bound=bound,
        open_tickets=open_tickets,
        pending_rating=rating,
        open_orders=orders,
        volunteer_status=profile.status if profile else None,
        offered_tasks=offered,
        active_tasks=active,
        open_handover_id=handover_id,
        seeker=seeker is not None,
        open_applications=applications,
    )
