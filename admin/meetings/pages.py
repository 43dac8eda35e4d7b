"""Residents' council meeting pages (居民议事会): list, new meeting from the drafted
agenda, attendance, a decision per item, publishing. Forms post back with the CSRF token;
every action writes an audit row and the route commits."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from admin.deps import WorkerStaff, client_ip
from admin.meetings.actions import (
    attend_and_audit,
    create_and_audit,
    decide_and_audit,
    load_item,
    parse_votes,
    publish_and_audit,
    topic_and_audit,
)
from admin.meetings.view import (
    default_due,
    ensure_scope,
    list_meetings,
    load_meeting,
    local_input,
    meeting_view,
    owner_choices,
    scope_choices,
    split_scope,
)
from admin.render import ConsoleRoute, render
from admin.timefmt import parse_local
from bot.deps import RuntimeDep, SessionDep
from storage.meetings.minutes import minutes_docx, minutes_of
from storage.meetings.service import Topic, draft_agenda, scope_label
from storage.models import utcnow
from storage.requests.rules import china_day

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FLASH = {
    "created": "议事会已创建，议题已从问题清单中列入。",
    "attendance": "参会情况已登记。",
    "decided": "议题决定已保存。",
    "topic": "议题已添加。",
    "published": "议事会结果已公布，相关楼栋群和反映人将收到通知，问题已派单。",
}


def split_names(text: str) -> list[str]:
    for sep in "，,、;；\n":
        text = text.replace(sep, " ")
    return [n for n in text.split(" ") if n]


def split_topics(text: str) -> list[Topic]:
    """One topic a line; 「名称：说明」 gives the topic a description."""
    topics = []
    for line in text.splitlines():
        title, _, description = line.strip().partition("：")
        if title.strip():
            topics.append(Topic(title.strip(), description.strip()))
    return topics


def build_meetings_pages_router() -> APIRouter:
    router = APIRouter(prefix="/admin/meetings", route_class=ConsoleRoute, include_in_schema=False)

    @router.get("", response_class=HTMLResponse)
    def meetings(request: Request, staff: WorkerStaff, session: SessionDep) -> HTMLResponse:
        rows = list_meetings(session, staff)
        return render(request, "meetings.html", {"rows": rows}, staff)

    @router.get("/new", response_class=HTMLResponse)
    def new_meeting(
        request: Request, staff: WorkerStaff, session: SessionDep, scope: str = ""
    ) -> HTMLResponse:
        choices = scope_choices(session, staff)
        chosen = scope or (choices[0]["value"] if choices else "")
        agenda: list[dict[str, object]] = []
        title = ""
        now = utcnow()
        if chosen:
            kind, scope_id = split_scope(chosen)
            ensure_scope(staff, kind, scope_id)
            agenda = draft_agenda(session, kind, scope_id, now)
            day = china_day(now)
            title = f"{scope_label(session, kind, scope_id)}居民议事会（{day[4:6]}月{day[6:]}日）"
        context = {
            "choices": choices,
            "scope": chosen,
            "agenda": agenda,
            "title": title,
            "held_at": local_input(now),
        }
        return render(request, "meetings_new.html", context, staff)

    @router.post("")
    async def create(
        request: Request,
        staff: WorkerStaff,
        session: SessionDep,
        scope: Annotated[str, Form(max_length=40)],
        title: Annotated[str, Form(min_length=1, max_length=100)],
        held_at: Annotated[str, Form(max_length=40)],
        place: Annotated[str, Form(max_length=100)] = "",
        topics: Annotated[str, Form(max_length=5000)] = "",
    ) -> Response:
        kind, scope_id = split_scope(scope)
        ensure_scope(staff, kind, scope_id)
        form = await request.form()
        try:
            ids = [int(str(v)) for v in form.getlist("request_id")]
        except ValueError as exc:
            raise HTTPException(status_code=400, detail="议题选择有误") from exc
        meeting = create_and_audit(
            session,
            staff,
            client_ip(request),
            scope=kind,
            scope_id=scope_id,
            title=title,
            held_at=parse_local(held_at),
            place=place,
            request_ids=ids,
            topics=split_topics(topics),
        )
        return RedirectResponse(f"/admin/meetings/{meeting.id}?flash=created", status_code=303)

    @router.get("/{meeting_id}", response_class=HTMLResponse)
    def meeting_page(
        request: Request, meeting_id: int, staff: WorkerStaff, session: SessionDep, flash: str = ""
    ) -> HTMLResponse:
        meeting = load_meeting(session, staff, meeting_id)
        context = {
            "m": meeting_view(session, meeting),
            "owners": owner_choices(session),
            "default_due": default_due(utcnow()),
            "flash": FLASH.get(flash),
        }
        return render(request, "meetings_detail.html", context, staff)

    @router.post("/{meeting_id}/attendance")
    def attendance(
        request: Request,
        meeting_id: int,
        staff: WorkerStaff,
        session: SessionDep,
        names: Annotated[str, Form(max_length=2000)] = "",
        count: Annotated[str, Form(max_length=6)] = "",
    ) -> Response:
        meeting = load_meeting(session, staff, meeting_id)
        number = int(count) if count.strip().isdigit() else None
        attend_and_audit(
            session, staff, client_ip(request), meeting, names=split_names(names), count=number
        )
        return RedirectResponse(f"/admin/meetings/{meeting_id}?flash=attendance", status_code=303)

    @router.post("/{meeting_id}/items/{item_id}/decision")
    def decision(
        request: Request,
        meeting_id: int,
        item_id: int,
        staff: WorkerStaff,
        session: SessionDep,
        action: Annotated[str, Form(min_length=1, max_length=1000)],
        due_at: Annotated[str, Form(max_length=40)],
        owner_staff_id: Annotated[str, Form(max_length=12)] = "",
        owner_name: Annotated[str, Form(max_length=64)] = "",
        votes_for: Annotated[str, Form(max_length=6)] = "",
        votes_against: Annotated[str, Form(max_length=6)] = "",
        votes_abstain: Annotated[str, Form(max_length=6)] = "",
    ) -> Response:
        meeting, item = load_item(session, staff, meeting_id, item_id)
        votes = parse_votes(votes_for, votes_against, votes_abstain)
        decide_and_audit(
            session,
            staff,
            client_ip(request),
            meeting,
            item,
            action=action,
            owner_staff_id=int(owner_staff_id) if owner_staff_id.isdigit() else None,
            owner_name=owner_name,
            due_at=parse_local(due_at),
            votes=votes,
        )
        return RedirectResponse(
            f"/admin/meetings/{meeting_id}?flash=decided#item-{item_id}", status_code=303
        )

    @router.post("/{meeting_id}/topics")
    def topic(
        request: Request,
        meeting_id: int,
        staff: WorkerStaff,
        session: SessionDep,
        title: Annotated[str, Form(min_length=1, max_length=100)],
        description: Annotated[str, Form(max_length=2000)] = "",
    ) -> Response:
        meeting = load_meeting(session, staff, meeting_id)
        item = topic_and_audit(
            session, staff, client_ip(request), meeting, Topic(title, description)
        )
        return RedirectResponse(
            f"/admin/meetings/{meeting_id}?flash=topic#item-{item.id}", status_code=303
        )

    @router.get("/{meeting_id}/minutes", response_class=HTMLResponse)
    def minutes_page(
        request: Request, meeting_id: int, staff: WorkerStaff, session: SessionDep
    ) -> HTMLResponse:
        """The minutes as a page to print (print CSS: no console header or buttons)."""
        meeting = load_meeting(session, staff, meeting_id)
        context = {"minutes": minutes_of(session, meeting)}
        return render(request, "meetings_minutes.html", context, staff)

    @router.get("/{meeting_id}/minutes.docx")
    def minutes_file(meeting_id: int, staff: WorkerStaff, session: SessionDep) -> Response:
        """The minutes as a Word document."""
        minutes = minutes_of(session, load_meeting(session, staff, meeting_id))
        name = quote(minutes.file_name)
        return Response(
            minutes_docx(minutes),
            media_type=DOCX,
            headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"},
        )

    @router.post("/{meeting_id}/publish")
    def publish_page(
        request: Request,
        meeting_id: int,
        staff: WorkerStaff,
        session: SessionDep,
        runtime: RuntimeDep,
    ) -> Response:
        meeting = load_meeting(session, staff, meeting_id)
        publish_and_audit(session, runtime, staff, client_ip(request), meeting)
        return RedirectResponse(f"/admin/meetings/{meeting_id}?flash=published", status_code=303)

    return router
