"""The employment board (/admin/employment): postings, seekers and applications.

Read-only rendering; the 已录用 / 未录用 buttons post JSON to the existing API
(/admin/api/employment/applications/{id}/decision) with the page's CSRF token, so
decisions, notifications and audit rows are exactly those of the API.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from admin.deps import ADMIN, EMPLOYMENT, Staff, require_role
from admin.render import ConsoleRoute, render
from admin.timefmt import local_time
from bot.deps import SessionDep
from storage.employment.profile import HOURS_LABELS, KIND_LABELS
from storage.employment.service import (
    APPLICATION_LABELS,
    closed_reason,
    describe_seeker,
    filled_counts,
    local_today,
)
from storage.models import JobApplication, JobPosting, JobSeeker, utcnow

Officer = Annotated[Staff, Depends(require_role(EMPLOYMENT, ADMIN))]


def postings_view(session: Session) -> list[dict[str, Any]]:
    rows = list(session.scalars(select(JobPosting).order_by(JobPosting.id.desc()).limit(300)))
    filled = filled_counts(session)
    today = local_today(utcnow())
    return [
        {
            "code": p.code,
            "title": p.title,
            "employer": p.employer,
            "kind": KIND_LABELS.get(p.kind, p.kind),
            "hours": HOURS_LABELS.get(p.hours, p.hours),
            "place": p.place,
            "pay": p.pay,
            "openings": p.openings,
            "filled": filled.get(p.id, 0),
            "deadline": p.deadline.isoformat() if p.deadline else "",
            "status": p.status,
            "closed_reason": closed_reason(p, filled.get(p.id, 0), today),
        }
        for p in rows
    ]


def applications_view(session: Session) -> list[dict[str, Any]]:
    query = (
        select(JobApplication)
        .options(
            joinedload(JobApplication.seeker).joinedload(JobSeeker.household),
            joinedload(JobApplication.posting),
        )
        .order_by(JobApplication.id.desc())
        .limit(300)
    )
    result = []
    for a in session.scalars(query):
        seeker = a.seeker
        result.append(
            {
                "id": a.id,
                "posting": f"{a.posting.code} {a.posting.title}",
                "name": seeker.name or "未登记姓名",
                "address": seeker.household.address if seeker.household else "未登记住址",
                "phone": seeker.phone or (seeker.resident.phone if seeker.resident else ""),
                "status": a.status,
                "status_label": APPLICATION_LABELS.get(a.status, a.status),
                "created": local_time(a.created_at),
            }
        )
    return result


def seekers_view(session: Session) -> list[dict[str, Any]]:
    query = select(JobSeeker).options(joinedload(JobSeeker.household)).order_by(JobSeeker.id)
    return [
        {
            "name": s.name or "未登记姓名",
            "address": s.household.address if s.household else "未登记住址",
            "source": s.source,
            "profile": describe_seeker(s),
        }
        for s in session.scalars(query.limit(500))
    ]


def build_employment_pages_router() -> APIRouter:
    router = APIRouter(prefix="/admin", route_class=ConsoleRoute, include_in_schema=False)

    @router.get("/employment", response_class=HTMLResponse)
    def board(request: Request, staff: Officer, session: SessionDep) -> HTMLResponse:
        context = {
            "postings": postings_view(session),
            "applications": applications_view(session),
            "seekers": seekers_view(session),
        }
        return render(request, "employment_board.html", context, staff)

    return router
