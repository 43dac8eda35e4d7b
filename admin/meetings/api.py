"""Console JSON API of residents' council meetings under /admin/api/meetings: the drafted
agenda, meetings, attendance, decisions and publishing (same rules as the pages)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from admin.deps import WorkerStaff, client_ip
from admin.meetings.actions import (
    attend_and_audit,
    create_and_audit,
    decide_and_audit,
    load_item,
    publish_and_audit,
    topic_and_audit,
)
from admin.meetings.schemas import (
    AgendaDraft,
    AttendanceIn,
    ItemDecisionIn,
    MeetingDetail,
    MeetingIn,
    MeetingPublished,
    MeetingSummary,
    TopicIn,
)
from admin.meetings.view import (
    ensure_scope,
    list_meetings,
    load_meeting,
    meeting_view,
    split_scope,
)
from admin.render import ConsoleRoute
from admin.timefmt import require_aware
from bot.deps import RuntimeDep, SessionDep
from storage.meetings.items import Votes
from storage.meetings.service import Topic, draft_agenda
from storage.models import utcnow


def _votes(body: ItemDecisionIn) -> Votes | None:
    counts = (body.votes_for, body.votes_against, body.votes_abstain)
    if all(n is None for n in counts):
        return None
    return Votes(*(n or 0 for n in counts))


def build_meetings_api_router() -> APIRouter:
    router = APIRouter(prefix="/admin/api/meetings", route_class=ConsoleRoute, tags=["meetings"])

    @router.get("", response_model=list[MeetingSummary])
    def meetings(staff: WorkerStaff, session: SessionDep) -> list[dict[str, Any]]:
        return list_meetings(session, staff)

    @router.get("/draft", response_model=AgendaDraft)
    def draft(staff: WorkerStaff, session: SessionDep, scope: str) -> dict[str, Any]:
        kind, scope_id = split_scope(scope)
        ensure_scope(staff, kind, scope_id)
        return {"scope": scope, "items": draft_agenda(session, kind, scope_id, utcnow())}

    @router.post("", status_code=201, response_model=MeetingDetail)
    def create(
        request: Request, body: MeetingIn, staff: WorkerStaff, session: SessionDep
    ) -> dict[str, Any]:
        kind, scope_id = split_scope(body.scope)
        ensure_scope(staff, kind, scope_id)
        meeting = create_and_audit(
            session,
            staff,
            client_ip(request),
            scope=kind,
            scope_id=scope_id,
            title=body.title,
            held_at=require_aware(body.held_at),
            place=body.place,
            request_ids=body.request_ids,
            topics=[Topic(t.title, t.description) for t in body.topics],
        )
        return meeting_view(session, meeting)

    @router.get("/{meeting_id}", response_model=MeetingDetail)
    def detail(meeting_id: int, staff: WorkerStaff, session: SessionDep) -> dict[str, Any]:
        return meeting_view(session, load_meeting(session, staff, meeting_id))

    @router.post("/{meeting_id}/attendance", response_model=MeetingDetail)
    def attendance(
        request: Request,
        meeting_id: int,
        body: AttendanceIn,
        staff: WorkerStaff,
        session: SessionDep,
    ) -> dict[str, Any]:
        meeting = load_meeting(session, staff, meeting_id)
        attend_and_audit(
            session, staff, client_ip(request), meeting, names=body.names, count=body.count
        )
        return meeting_view(session, meeting)

    @router.post("/{meeting_id}/items/{item_id}/decision", response_model=MeetingDetail)
    def decision(
        request: Request,
        meeting_id: int,
        item_id: int,
        body: ItemDecisionIn,
        staff: WorkerStaff,
        session: SessionDep,
    ) -> dict[str, Any]:
        meeting, item = load_item(session, staff, meeting_id, item_id)
        decide_and_audit(
            session,
            staff,
            client_ip(request),
            meeting,
            item,
            action=body.action,
            owner_staff_id=body.owner_staff_id,
            owner_name=body.owner_name,
            due_at=require_aware(body.due_at),
            votes=_votes(body),
        )
        return meeting_view(session, meeting)

    @router.post("/{meeting_id}/topics", status_code=201, response_model=MeetingDetail)
    def topic(
        request: Request,
        meeting_id: int,
        body: TopicIn,
        staff: WorkerStaff,
        session: SessionDep,
    ) -> dict[str, Any]:
        """Add a topic of the meeting's own (not from the problem list) before publishing."""
        meeting = load_meeting(session, staff, meeting_id)
        topic_and_audit(
            session, staff, client_ip(request), meeting, Topic(body.title, body.description)
        )
        return meeting_view(session, meeting)

    @router.post("/{meeting_id}/publish", response_model=MeetingPublished)
    def publish_results(
        request: Request,
        meeting_id: int,
        staff: WorkerStaff,
        session: SessionDep,
        runtime: RuntimeDep,
    ) -> dict[str, Any]:
        meeting = load_meeting(session, staff, meeting_id)
        counts = publish_and_audit(session, runtime, staff, client_ip(request), meeting)
        return {**meeting_view(session, meeting), "published": counts}

    return router
