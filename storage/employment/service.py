"""Employment registry services: seekers, postings, matching, applications, figures.

Nothing here commits; the caller (processor, console route or RQ job) owns the unit of
work. Every state change of a seeker, posting or application is an event row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, joinedload

from storage.clock import china_today
from storage.employment.matching import Match, PostingView, SeekerView, best_postings
from storage.employment.profile import HOURS_LABELS, KIND_LABELS, STATUS_LABELS
from storage.events import record_event
from storage.models import (
    Building,
    Household,
    JobApplication,
    JobPosting,
    JobSeeker,
    Resident,
    Unit,
    utcnow,
)

APPLICATION_LABELS = {
    "applied": "已报名",
    "hired": "已录用",
    "rejected": "未录用",
    "withdrawn": "已撤回",
}
DECISIONS = ("hired", "rejected")


def local_today(now: datetime) -> date:
    """Deadlines are local (China) dates."""
    return china_today(now)


# -- views for the matcher ----------------------------------------------------------------


def posting_view(posting: JobPosting) -> PostingView:
    return PostingView(
        id=posting.id,
        kind=posting.kind,
        skills=frozenset(posting.skills or ()),
        hours=posting.hours,
        compound_id=posting.compound_id,
        grid_id=posting.grid_id,
        order_firm=posting.order_firm,
    )


def seeker_view(
    seeker: JobSeeker, compound_id: int | None = None, grid_id: int | None = None
) -> SeekerView:
    return SeekerView(
        id=seeker.id,
        labour_status=seeker.labour_status,
        skills=frozenset(seeker.skills or ()),
        kinds=frozenset(seeker.wanted_kinds or ()),
        hours=seeker.hours,
        constraints=frozenset(seeker.constraints or ()),
        compound_id=compound_id,
        grid_id=grid_id,
    )


def household_place(session: Session, household_id: int | None) -> tuple[int | None, int | None]:
    """(compound_id, grid_id) of a household."""
    if household_id is None:
        return None, None
    row = session.execute(
        select(Building.compound_id, Building.grid_id)
        .join(Unit, Unit.building_id == Building.id)
        .join(Household, Household.unit_id == Unit.id)
        .where(Household.id == household_id)
    ).first()
    return (row[0], row[1]) if row else (None, None)


# -- seekers ------------------------------------------------------------------------------


def find_seeker(session: Session, resident: Resident) -> JobSeeker | None:
    """The resident's registry entry; a survey row of their household and name is
    linked to them the first time they are seen in chat."""
    seeker = session.scalar(select(JobSeeker).where(JobSeeker.resident_id == resident.id))
    if seeker is not None or not (resident.household_id and resident.name):
        return seeker
    survey_row = session.scalar(
        select(JobSeeker).where(
            JobSeeker.household_id == resident.household_id,
            JobSeeker.name == resident.name,
            JobSeeker.resident_id.is_(None),
        )
    )
    if survey_row is not None:
        survey_row.resident_id = resident.id
    return survey_row


def save_profile(
    session: Session,
    resident: Resident,
    *,
    labour_status: str,
    unable_reason: str | None = None,
    skills: Sequence[str] = (),
    kinds: Sequence[str] = (),
    hours: str = "any",
    constraints: Sequence[str] = (),
    now: datetime | None = None,
) -> JobSeeker:
    seeker = find_seeker(session, resident)
    previous = seeker.labour_status if seeker else None
    if seeker is None:
        seeker = JobSeeker(resident_id=resident.id, source="chat")
        session.add(seeker)
    seeker.household_id = resident.household_id or seeker.household_id
    seeker.name = seeker.name or resident.name
    seeker.labour_status = labour_status
    seeker.unable_reason = unable_reason if labour_status == "unable" else None
    seeker.skills = sorted(set(skills))
    seeker.wanted_kinds = sorted(set(kinds))
    seeker.hours = hours
    seeker.constraints = sorted(set(constraints))
    seeker.updated_at = now or utcnow()
    session.flush()
    record_event(
        session,
        "job_seeker",
        seeker.id,
        actor=f"resident:{resident.openid}",
        from_state=previous,
        to_state=labour_status,
        note="居民登记求职信息：" + describe_seeker(seeker),
    )
    return seeker


def describe_seeker(seeker: JobSeeker) -> str:
    parts = [STATUS_LABELS.get(seeker.labour_status, seeker.labour_status)]
    if seeker.labour_status == "unable" and seeker.unable_reason:
        parts[0] += f"（{seeker.unable_reason}）"
    if seeker.skills:
        parts.append("会" + "、".join(seeker.skills))
    if seeker.wanted_kinds:
        parts.append("想做" + "、".join(KIND_LABELS[k] for k in seeker.wanted_kinds))
    if seeker.hours in ("full", "half"):
        parts.append(HOURS_LABELS[seeker.hours])
    if seeker.constraints:
        parts.append("需" + "、".join(seeker.constraints))
    return "，".join(parts)


def set_notify(session: Session, seeker: JobSeeker, notify: bool, actor: str) -> bool:
    """Opt in or out of new-posting notices; False when nothing changed."""
    if seeker.notify == notify:
        return False
    seeker.notify = notify
    record_event(
        session,
        "job_seeker",
        seeker.id,
        actor=actor,
        from_state="notify" if not notify else "muted",
        to_state="muted" if not notify else "notify",
        note="退订新岗位通知" if not notify else "恢复新岗位通知",
    )
    return True


# -- postings -----------------------------------------------------------------------------


def filled_counts(session: Session, posting_ids: Sequence[int] | None = None) -> dict[int, int]:
    query = (
        select(JobApplication.posting_id, func.count())
        .where(JobApplication.status == "hired")
        .group_by(JobApplication.posting_id)
    )
    if posting_ids is not None:
        query = query.where(JobApplication.posting_id.in_(posting_ids))
    return {pid: int(n) for pid, n in session.execute(query)}


def closed_reason(posting: JobPosting, filled: int, today: date) -> str | None:
    """Why a posting takes no applications (None when it is open)."""
    if posting.status != "open":
        return "已停止报名"
    if posting.deadline is not None and posting.deadline < today:
        return f"已于{posting.deadline.month}月{posting.deadline.day}日截止报名"
    if filled >= posting.openings:
        return "名额已满"
    return None


def open_postings(session: Session, today: date) -> list[JobPosting]:
    rows = list(
        session.scalars(
            select(JobPosting)
            .where(
                JobPosting.status == "open",
                (JobPosting.deadline.is_(None)) | (JobPosting.deadline >= today),
            )
            .order_by(JobPosting.id)
        )
    )
    filled = filled_counts(session, [p.id for p in rows])
    return [p for p in rows if filled.get(p.id, 0) < p.openings]


def posting_line(posting: JobPosting) -> str:
    """One line a resident reads: code, title, kind, hours, pay, place, deadline."""
    bits = [KIND_LABELS.get(posting.kind, posting.kind), HOURS_LABELS.get(posting.hours, "")]
    line = f"{posting.code} {posting.title}（{posting.employer}）\n{'·'.join(b for b in bits if b)}，{posting.pay}，{posting.place}"
    if posting.deadline is not None:
        line += f"，{posting.deadline.month}月{posting.deadline.day}日截止"
    if posting.order_firm:
        line += f"\n培训后由{posting.order_firm}下订单"
    return line


def find_posting(session: Session, code: str) -> JobPosting | None:
    digits = code.strip().upper().removeprefix("J")
    if not digits.isdigit():
        return None
    return session.get(JobPosting, int(digits))


def best_jobs(
    session: Session, seeker: JobSeeker, today: date, limit: int = 3
) -> list[tuple[JobPosting, Match]]:
    postings = {p.id: p for p in open_postings(session, today)}
    compound_id, grid_id = household_place(session, seeker.household_id)
    view = seeker_view(seeker, compound_id, grid_id)
    matches = best_postings(view, [posting_view(p) for p in postings.values()], limit)
    return [(postings[m.posting_id], m) for m in matches]


# -- applications -------------------------------------------------------------------------


@dataclass
class ApplyResult:
    outcome: str  # ok | unknown | closed | duplicate
    posting: JobPosting | None = None
    application: JobApplication | None = None
    reason: str | None = None


def apply_for(
    session: Session, seeker: JobSeeker, code: str, today: date, actor: str
) -> ApplyResult:
    posting = find_posting(session, code)
    if posting is None:
        return ApplyResult("unknown")
    existing = session.scalar(
        select(JobApplication).where(
            JobApplication.posting_id == posting.id, JobApplication.seeker_id == seeker.id
        )
    )
    if existing is not None and existing.status != "withdrawn":
        return ApplyResult("duplicate", posting, existing)
    reason = closed_reason(posting, filled_counts(session, [posting.id]).get(posting.id, 0), today)
    if reason is not None:
        return ApplyResult("closed", posting, reason=reason)
    previous = None
    if existing is None:
        existing = JobApplication(posting_id=posting.id, seeker_id=seeker.id, status="applied")
        session.add(existing)
        session.flush()
    else:
        previous, existing.status, existing.decided_at = existing.status, "applied", None
    record_event(
        session,
        "job_application",
        existing.id,
        actor=actor,
        from_state=previous,
        to_state="applied",
        note=f"报名 {posting.code} {posting.title}",
    )
    return ApplyResult("ok", posting, existing)


def latest_open_application(session: Session, seeker: JobSeeker) -> JobApplication | None:
    return session.scalar(
        select(JobApplication)
        .options(joinedload(JobApplication.posting))
        .where(JobApplication.seeker_id == seeker.id, JobApplication.status == "applied")
        .order_by(JobApplication.id.desc())
        .limit(1)
    )


def withdraw(session: Session, application: JobApplication, actor: str) -> bool:
    """False when the application was decided (or withdrawn) a moment ago: the officer's
    decision stands, and `application.status` says which it was."""
    if not _move_application(session, application, "applied", status="withdrawn"):
        return False
    record_event(
        session,
        "job_application",
        application.id,
        actor=actor,
        from_state="applied",
        to_state="withdrawn",
        note="居民撤回报名",
    )
    return True


def _move_application(
    session: Session, application: JobApplication, expected: str, **values: object
) -> bool:
    """One conditional UPDATE (status still `expected`), then refreshed either way."""
    done = session.execute(
        update(JobApplication)
        .where(JobApplication.id == application.id, JobApplication.status == expected)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    session.refresh(application)
    return bool(done.rowcount)  # type: ignore[attr-defined]


def decide(
    session: Session, application: JobApplication, decision: str, actor: str, now: datetime
) -> str | None:
    """Mark 已录用 / 未录用; returns an error text (Chinese) or None. A hire counts as a
    placement: the seeker becomes 已就业."""
    if decision not in DECISIONS:
        return "结果只能是已录用或未录用"
    if application.status == decision:
        return None
    if application.status not in ("applied", "hired", "rejected"):
        return (
            f"该报名{APPLICATION_LABELS.get(application.status, application.status)}，不能再改结果"
        )
    posting = application.posting
    if decision == "hired" and application.status != "hired":
        # Hires of one posting queue up here (a row lock; SQLite's write lock), so two
        # officers cannot both take the last opening.
        session.execute(
            update(JobPosting).where(JobPosting.id == posting.id).values(status=JobPosting.status)
        )
        filled = filled_counts(session, [posting.id]).get(posting.id, 0)
        if filled >= posting.openings:
            return f"{posting.code}名额（{posting.openings}人）已满"
    previous = application.status
    if not _move_application(session, application, previous, status=decision, decided_at=now):
        label = APPLICATION_LABELS.get(application.status, application.status)
        return f"该报名刚刚变为“{label}”，没有改结果，请刷新后再看"
    record_event(
        session,
        "job_application",
        application.id,
        actor=actor,
        from_state=previous,
        to_state=decision,
        note=f"{posting.code} {APPLICATION_LABELS[decision]}",
    )
    seeker = application.seeker
    if decision == "hired" and seeker.labour_status != "employed":
        record_event(
            session,
            "job_seeker",
            seeker.id,
            actor=actor,
            from_state=seeker.labour_status,
            to_state="employed",
            note=f"经{posting.code}录用（{posting.employer}）",
        )
        seeker.labour_status = "employed"
        seeker.updated_at = now
    return None
