"""Console JSON API of polls under /admin/api/polls: compose, the targets preview, start,
progress, results, the phone list and recording a call (same rules as the pages)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from admin.deps import WorkerStaff, client_ip
from admin.polls.actions import call_and_audit, create_and_audit, pause_and_audit, start_and_audit
from admin.polls.schemas import (
    CallIn,
    CallRecorded,
    PhoneItem,
    PollDetail,
    PollIn,
    PollResults,
    PollSummary,
)
from admin.polls.view import detail, list_polls, load_poll, phone_items
from admin.render import ConsoleRoute
from bot.deps import SessionDep, SettingsDep
from storage.models import ServiceRequest, utcnow
from storage.polls.queries import results
from storage.polls.service import STATUS_LABELS


def build_polls_api_router() -> APIRouter:
    router = APIRouter(prefix="/admin/api/polls", route_class=ConsoleRoute, tags=["polls"])

    @router.get("", response_model=list[PollSummary])
    def polls(staff: WorkerStaff, session: SessionDep) -> list[dict[str, Any]]:
        return list_polls(session, staff)

    @router.post("", response_model=PollDetail, status_code=201)
    def create(
        body: PollIn,
        request: Request,
        staff: WorkerStaff,
        session: SessionDep,
        settings: SettingsDep,
    ) -> dict[str, Any]:
        poll = create_and_audit(session, staff, client_ip(request), body=body.model_dump())
        return detail(session, staff, poll, settings, utcnow())

    @router.get("/phone-list", response_model=list[PhoneItem])
    def phone(staff: WorkerStaff, session: SessionDep) -> list[dict[str, Any]]:
        return phone_items(session, staff)

    @router.post("/targets/{target_id}/call", response_model=CallRecorded)
    def call(
        target_id: int, body: CallIn, request: Request, staff: WorkerStaff, session: SessionDep
    ) -> dict[str, Any]:
        target, stored = call_and_audit(
            session,
            staff,
            client_ip(request),
            target_id,
            outcome=body.outcome,
            answers=dict(body.answers),
            note=body.note,
        )
        codes = []
        for item in stored:
            if item.request is not None:
                found = session.get(ServiceRequest, item.request.id)
                codes.append(found.code if found else item.request.code)
        return {
            "target_id": target.id,
            "status": target.status,
            "status_label": STATUS_LABELS.get(target.status, target.status),
            "answers": len(stored),
            "request_codes": codes,
        }

    @router.get("/{poll_id}", response_model=PollDetail)
    def one(
        poll_id: int, staff: WorkerStaff, session: SessionDep, settings: SettingsDep
    ) -> dict[str, Any]:
        poll = load_poll(session, staff, poll_id)
        return detail(session, staff, poll, settings, utcnow())

    @router.post("/{poll_id}/start", response_model=PollDetail)
    def start(
        poll_id: int,
        request: Request,
        staff: WorkerStaff,
        session: SessionDep,
        settings: SettingsDep,
    ) -> dict[str, Any]:
        poll = load_poll(session, staff, poll_id)
        start_and_audit(session, staff, client_ip(request), poll)
        return detail(session, staff, load_poll(session, staff, poll_id), settings, utcnow())

    @router.post("/{poll_id}/pause", response_model=PollDetail)
    def pause(
        poll_id: int,
        request: Request,
        staff: WorkerStaff,
        session: SessionDep,
        settings: SettingsDep,
    ) -> dict[str, Any]:
        poll = load_poll(session, staff, poll_id)
        pause_and_audit(session, staff, client_ip(request), poll)
        return detail(session, staff, load_poll(session, staff, poll_id), settings, utcnow())

    @router.get("/{poll_id}/results", response_model=PollResults)
    def poll_results(poll_id: int, staff: WorkerStaff, session: SessionDep) -> dict[str, Any]:
        poll = load_poll(session, staff, poll_id)
        return {
            "id": poll.id,
            "title": poll.title,
            "questions": results(session, poll, staff.visible_grid_ids()),
        }

    return router
