"""Console JSON API of the employment officer (就业专干) under /admin/api/employment:
postings and trainings, applications and decisions, the seeker registry, figures, and
the household survey (摸排登记) as Excel. Routes commit; the services never do."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from admin.audit import audit_staff
from admin.deps import ADMIN, EMPLOYMENT, Staff, client_ip, require_role
from admin.employment.schemas import (
    ApplicationDecisionIn,
    ApplicationPublic,
    EmploymentFigures,
    PostingDetail,
    PostingIn,
    PostingPublic,
    SeekerPublic,
    SurveyImported,
    SurveyRejected,
)
from admin.render import ConsoleRoute
from bot.deps import RuntimeDep, SessionDep, commit
from storage.employment import postings as posting_service
from storage.employment.figures import employment_figures
from storage.employment.matching import NOTIFY_MIN_SCORE, matching_seekers
from storage.employment.notify import notify_decision
from storage.employment.postings import PostingRefused
from storage.employment.profile import HOURS_LABELS, KIND_LABELS, STATUS_LABELS
from storage.employment.service import (
    APPLICATION_LABELS,
    closed_reason,
    decide,
    describe_seeker,
    filled_counts,
    local_today,
    posting_view,
    seeker_view,
)
from storage.employment.survey_excel import SurveyFileError, export_survey, import_survey
from storage.models import Building, Household, JobApplication, JobPosting, JobSeeker, Unit, utcnow
from storage.outbound.platform_rules import template_allowed
from storage.residents.queries import community_for_account

Officer = Annotated[Staff, Depends(require_role(EMPLOYMENT, ADMIN))]
MAX_UPLOAD = 5 * 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NOT_FOUND_POSTING = "没有找到这个岗位"
NOT_FOUND_APPLICATION = "没有找到这条报名"


def _posting_json(posting: JobPosting, filled: int, applied: int, today: date) -> dict[str, Any]:
    return {
        "id": posting.id,
        "code": posting.code,
        "kind": posting.kind,
        "kind_label": KIND_LABELS[posting.kind],
        "title": posting.title,
        "employer": posting.employer,
        "skills": posting.skills,
        "hours": posting.hours,
        "hours_label": HOURS_LABELS[posting.hours],
        "place": posting.place,
        "compound_id": posting.compound_id,
        "grid_id": posting.grid_id,
        "pay": posting.pay,
        "openings": posting.openings,
        "filled": filled,
        "applications": applied,
        "deadline": posting.deadline.isoformat() if posting.deadline else None,
        "order_firm": posting.order_firm,
        "description": posting.description,
        "status": posting.status,
        "closed_reason": closed_reason(posting, filled, today),
        "created_at": posting.created_at.isoformat(),
    }


def _application_json(application: JobApplication) -> dict[str, Any]:
    seeker = application.seeker
    household = seeker.household
    return {
        "id": application.id,
        "posting_code": application.posting.code,
        "seeker_id": seeker.id,
        "name": seeker.name or "未登记姓名",
        "address": household.address if household else "未登记住址",
        "phone": seeker.phone or (seeker.resident.phone if seeker.resident else None),
        "profile": describe_seeker(seeker),
        "status": application.status,
        "status_label": APPLICATION_LABELS[application.status],
        "created_at": application.created_at.isoformat(),
    }


def _applied_counts(session: Session) -> dict[int, int]:
    query = select(JobApplication.posting_id, func.count()).group_by(JobApplication.posting_id)
    return {
        pid: int(n) for pid, n in session.execute(query.where(JobApplication.status != "withdrawn"))
    }


def _get_posting(session: Session, posting_id: int) -> JobPosting:
    posting = session.get(JobPosting, posting_id)
    if posting is None:
        raise HTTPException(status_code=404, detail=NOT_FOUND_POSTING)
    return posting


def _matches(session: Session, posting: JobPosting, limit: int = 50) -> list[dict[str, Any]]:
    rows = session.execute(
        select(JobSeeker, Building.compound_id, Building.grid_id)
        .outerjoin(Household, JobSeeker.household_id == Household.id)
        .outerjoin(Unit, Household.unit_id == Unit.id)
        .outerjoin(Building, Unit.building_id == Building.id)
        .where(JobSeeker.labour_status == "available")
    ).all()
    by_id = {seeker.id: seeker for seeker, _c, _g in rows}
    views = [seeker_view(seeker, c, g) for seeker, c, g in rows]
    found = matching_seekers(posting_view(posting), views, min_score=1)[:limit]
    return [
        {
            "seeker_id": m.seeker_id,
            "name": by_id[m.seeker_id].name or "未登记姓名",
            "profile": describe_seeker(by_id[m.seeker_id]),
            "score": m.score,
            "explanation": m.explanation,
            "notified": m.score >= NOTIFY_MIN_SCORE,
        }
        for m in found
    ]


def build_employment_router() -> APIRouter:
    router = APIRouter(
        prefix="/admin/api/employment", route_class=ConsoleRoute, tags=["employment"]
    )

    @router.get("/postings", response_model=list[PostingPublic])
    def postings(staff: Officer, session: SessionDep) -> list[dict[str, Any]]:
        rows = list(session.scalars(select(JobPosting).order_by(JobPosting.id.desc()).limit(500)))
        filled, applied = filled_counts(session), _applied_counts(session)
        today = local_today(utcnow())
        return [_posting_json(p, filled.get(p.id, 0), applied.get(p.id, 0), today) for p in rows]

    @router.post("/postings", status_code=201, response_model=PostingPublic)
    def create_posting(
        request: Request, body: PostingIn, staff: Officer, session: SessionDep, runtime: RuntimeDep
    ) -> dict[str, Any]:
        community = community_for_account(session, None)
        if community is None:
            raise HTTPException(status_code=400, detail="还没有建立社区")
        try:
            posting = posting_service.publish_posting(
                session,
                community_id=community.id,
                created_by=staff.username,
                actor=staff.actor,
                fields=body.model_dump(),
            )
        except PostingRefused as exc:
            raise HTTPException(status_code=400, detail=exc.message) from None
        audit_staff(session, staff, "job_post", client_ip(request), "job_posting", posting.id)
        commit(session)
        return _posting_json(posting, 0, 0, local_today(utcnow()))

    @router.get("/postings/{posting_id}", response_model=PostingDetail)
    def posting_detail(posting_id: int, staff: Officer, session: SessionDep) -> dict[str, Any]:
        posting = _get_posting(session, posting_id)
        filled = filled_counts(session, [posting.id]).get(posting.id, 0)
        applications = list(
            session.scalars(
                select(JobApplication)
                .options(joinedload(JobApplication.seeker).joinedload(JobSeeker.household))
                .where(JobApplication.posting_id == posting.id)
                .order_by(JobApplication.id)
            )
        )
        data = _posting_json(posting, filled, len(applications), local_today(utcnow()))
        data["application_list"] = [_application_json(a) for a in applications]
        data["matching_seekers"] = _matches(session, posting)
        return data

    @router.post("/postings/{posting_id}/close", response_model=PostingPublic)
    def close_posting(
        request: Request, posting_id: int, staff: Officer, session: SessionDep
    ) -> dict[str, Any]:
        posting = _get_posting(session, posting_id)
        if posting_service.close_posting(session, posting, actor=staff.actor):
            audit_staff(session, staff, "job_close", client_ip(request), "job_posting", posting.id)
            commit(session)
        return _posting_json(
            posting,
            filled_counts(session, [posting.id]).get(posting.id, 0),
            0,
            local_today(utcnow()),
        )

    @router.post("/applications/{application_id}/decision", response_model=ApplicationPublic)
    def decision(
        request: Request,
        application_id: int,
        body: ApplicationDecisionIn,
        staff: Officer,
        session: SessionDep,
        runtime: RuntimeDep,
    ) -> dict[str, Any]:
        application = session.get(JobApplication, application_id)
        if application is None:
            raise HTTPException(status_code=404, detail=NOT_FOUND_APPLICATION)
        now = utcnow()
        before = application.status
        error = decide(session, application, body.decision, staff.actor, now)
        if error:
            session.rollback()
            raise HTTPException(status_code=409, detail=error)
        if application.status != before:
            notify_decision(
                session,
                application,
                now,
                template_allowed(runtime.settings.account_type, runtime.settings.account_verified),
            )
            audit_staff(
                session,
                staff,
                f"job_{body.decision}",
                client_ip(request),
                "job_application",
                application.id,
            )
        commit(session)
        return _application_json(application)

    @router.get("/seekers", response_model=list[SeekerPublic])
    def seekers(staff: Officer, session: SessionDep, status: str = "") -> list[dict[str, Any]]:
        query = select(JobSeeker).options(joinedload(JobSeeker.household)).order_by(JobSeeker.id)
        if status in STATUS_LABELS:
            query = query.where(JobSeeker.labour_status == status)
        return [
            {
                "id": s.id,
                "name": s.name or "未登记姓名",
                "address": s.household.address if s.household else "未登记住址",
                "source": s.source,
                "labour_status": s.labour_status,
                "profile": describe_seeker(s),
                "notify": s.notify,
            }
            for s in session.scalars(query.limit(2000))
        ]

    @router.get("/figures", response_model=EmploymentFigures)
    def figures(staff: Officer, session: SessionDep) -> dict[str, Any]:
        return employment_figures(session)

    @router.post(
        "/survey/import",
        response_model=SurveyImported,
        responses={422: {"model": SurveyRejected, "description": "有行填写有误，全部未导入"}},
    )
    async def survey_import(
        request: Request, file: UploadFile, staff: Officer, session: SessionDep
    ) -> dict[str, Any] | JSONResponse:
        data = await file.read(MAX_UPLOAD + 1)
        if len(data) > MAX_UPLOAD:
            raise HTTPException(status_code=413, detail="文件太大（最大5MB），请分批导入")
        community = community_for_account(session, None)
        if community is None:
            raise HTTPException(status_code=400, detail="还没有建立社区")
        try:
            result = import_survey(session, community.id, data, staff.actor, utcnow())
        except SurveyFileError as exc:
            raise HTTPException(status_code=400, detail=str(exc)) from exc
        if not result.ok:
            session.rollback()
            return JSONResponse(
                status_code=422,
                content={
                    "detail": f"有{len({e.row for e in result.errors})}行填写有误，全部未导入，请改正后重新上传",
                    "errors": [e.to_json() for e in result.errors],
                },
            )
        audit_staff(
            session,
            staff,
            "survey_import",
            client_ip(request),
            detail=(f"{file.filename}：新增{result.created}人，更新{result.updated}人"),
        )
        commit(session)
        return {"created": result.created, "updated": result.updated, "rows": result.rows}

    @router.get(
        "/survey/export",
        response_class=Response,
        responses={200: {"content": {XLSX: {}}, "description": "摸排登记表（Excel）"}},
    )
    def survey_export(request: Request, staff: Officer, session: SessionDep) -> Response:
        name = f"survey-{local_today(utcnow()).isoformat()}.xlsx"
        content, people = export_survey(session)
        audit_staff(
            session, staff, "export", client_ip(request), "export", "survey", f"xlsx {people}行"
        )
        commit(session)
        return Response(
            content=content,
            media_type=XLSX,
            headers={
                "Content-Disposition": f'attachment; filename="{name}"',
                "Cache-Control": "no-store",
            },
        )

    return router
