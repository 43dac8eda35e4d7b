"""Notice pages (/admin/notices) and their JSON API (/admin/api/notices): compose, preview,
send now or schedule, watch the progress, see each recipient's outcome, retry failures."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from admin.deps import Staff, WorkerStaff, client_ip
from admin.notices import service as svc
from admin.notices.schemas import (
    NoticeDetail,
    NoticeDraft,
    NoticeIn,
    NoticeProgressStatus,
    NoticeRetried,
    NoticeSent,
    NoticeSummary,
    RecipientPublic,
    SendIn,
)
from admin.render import ConsoleRoute, render
from bot.deps import RedisDep, RuntimeDep, SessionDep, SettingsDep, commit
from storage.notices.drafts import EDITABLE
from storage.notices.outcome import failures, progress, recipients
from storage.notices.planning import Targets

FLASH = {
    "created": "草稿已保存，请核对下面的发送预览后再发送。",
    "sent": "已开始发送，下面是实时进度。",
    "scheduled": "已定时，到时间后系统会自动发送。",
    "retried": "失败的发送已重新排队。",
    "cancelled": "通知已取消。",
    "edited": "草稿已修改，请核对下面的发送预览后再发送。",
    "locked": "通知已开始发送或已取消，不能再修改。",
}
IntList = Annotated[list[int] | None, Form()]


def _detail_context(
    request: Request, staff: Staff, session: Any, settings: Any, redis: Any, notice_id: int
) -> dict[str, Any]:
    notice = svc.get_notice(session, staff, notice_id)
    status = request.query_params.get("status", "")
    context: dict[str, Any] = {
        "n": svc.summary(session, notice),
        "notice": notice,
        "events": svc.events(session, notice),
        "flash": FLASH.get(request.query_params.get("done", "")),
        "filter": status,
    }
    if notice.status in ("draft", "scheduled"):
        context["preview"] = svc.preview(session, notice, settings, redis)
    else:
        context["rows"] = recipients(session, notice.id, status or None)
        context["failed_rows"] = failures(session, notice.id)
    return context


def _draft_form(
    body: Annotated[str, Form(max_length=svc.MAX_BODY + 100)] = "",
    title: Annotated[str, Form(max_length=64)] = "",
    link: Annotated[str, Form(max_length=500)] = "",
    image_url: Annotated[str, Form(max_length=500)] = "",
    scope: Annotated[str, Form(max_length=16)] = "",
    grid_ids: IntList = None,
    compound_ids: IntList = None,
    building_ids: IntList = None,
    groups: Annotated[str, Form(max_length=4)] = "",
    people: Annotated[list[str] | None, Form()] = None,
) -> svc.Draft:
    """The compose form (new notice or an edited draft)."""
    ids = {"grids": grid_ids, "compounds": compound_ids, "buildings": building_ids}
    targets = Targets(scope, list(ids.get(scope) or []), groups == "1", list(people or []))
    return svc.Draft(title, body, link, image_url, targets)


DraftForm = Annotated[svc.Draft, Depends(_draft_form)]


def _compose_again(
    request: Request,
    staff: Staff,
    session: Any,
    draft: svc.Draft,
    error: Any,
    editing: Any,
) -> HTMLResponse:
    """The compose form again with what was typed and why it was refused."""
    options = svc.compose_options(session, staff)
    form = {**vars(draft), "targets": draft.targets.to_json()}
    context = {**options, "form": form, "error": error, "editing": editing}
    return render(request, "notices_new.html", context, staff, status_code=400)


def build_notices_router() -> APIRouter:
    router = APIRouter(route_class=ConsoleRoute)

    # -- Pages -------------------------------------------------------------------------

    @router.get("/admin/notices", response_class=HTMLResponse, include_in_schema=False)
    def notice_list(request: Request, staff: WorkerStaff, session: SessionDep) -> HTMLResponse:
        rows = svc.list_notices(session, staff)
        return render(request, "notices.html", {"rows": rows}, staff)

    @router.get("/admin/notices/new", response_class=HTMLResponse, include_in_schema=False)
    def notice_new(request: Request, staff: WorkerStaff, session: SessionDep) -> HTMLResponse:
        options = svc.compose_options(session, staff)
        return render(request, "notices_new.html", {**options, "form": {}, "error": None}, staff)

    @router.post("/admin/notices", include_in_schema=False)
    def notice_create(
        request: Request, staff: WorkerStaff, session: SessionDep, draft: DraftForm
    ) -> Response:
        try:
            notice = svc.create_draft(session, staff, draft, client_ip(request))
        except HTTPException as exc:
            if exc.status_code != 400:
                raise
            session.rollback()
            return _compose_again(request, staff, session, draft, exc.detail, None)
        commit(session)
        return RedirectResponse(f"/admin/notices/{notice.id}?done=created", status_code=303)

    @router.get(
        "/admin/notices/{notice_id}/edit", response_class=HTMLResponse, include_in_schema=False
    )
    def notice_edit_page(
        request: Request, notice_id: int, staff: WorkerStaff, session: SessionDep
    ) -> Response:
        notice = svc.get_notice(session, staff, notice_id)
        if notice.status not in EDITABLE:
            return RedirectResponse(f"/admin/notices/{notice_id}?done=locked", status_code=303)
        options = svc.compose_options(session, staff)
        context = {**options, "form": svc.draft_form(notice), "error": None, "editing": notice}
        return render(request, "notices_new.html", context, staff)

    @router.post("/admin/notices/{notice_id}/edit", include_in_schema=False)
    def notice_edit(
        request: Request, notice_id: int, staff: WorkerStaff, session: SessionDep, draft: DraftForm
    ) -> Response:
        notice = svc.get_notice(session, staff, notice_id)
        try:
            svc.edit_draft(session, staff, notice, draft, client_ip(request))
        except HTTPException as exc:
            if exc.status_code != 400:
                raise
            session.rollback()
            return _compose_again(request, staff, session, draft, exc.detail, notice)
        commit(session)
        return RedirectResponse(f"/admin/notices/{notice_id}?done=edited", status_code=303)

    @router.get("/admin/notices/{notice_id}", response_class=HTMLResponse, include_in_schema=False)
    def notice_page(
        request: Request,
        notice_id: int,
        staff: WorkerStaff,
        session: SessionDep,
        settings: SettingsDep,
        redis: RedisDep,
    ) -> HTMLResponse:
        context = _detail_context(request, staff, session, settings, redis, notice_id)
        return render(request, "notices_detail.html", context, staff)

    @router.post("/admin/notices/{notice_id}/send", include_in_schema=False)
    def notice_send(
        request: Request,
        notice_id: int,
        staff: WorkerStaff,
        session: SessionDep,
        runtime: RuntimeDep,
        when: Annotated[str, Form(max_length=8)] = "now",
        scheduled_at: Annotated[str, Form(max_length=40)] = "",
    ) -> Response:
        notice = svc.get_notice(session, staff, notice_id)
        at = svc.parse_local_time(scheduled_at) if when == "later" else None
        if when == "later" and at is None:
            raise HTTPException(status_code=400, detail="请选择定时发送的时间")
        outcome = svc.send(
            session, staff, notice, runtime.settings, runtime.redis, client_ip(request), at
        )
        commit(session)
        return RedirectResponse(f"/admin/notices/{notice_id}?done={outcome}", status_code=303)

    @router.post("/admin/notices/{notice_id}/retry", include_in_schema=False)
    def notice_retry(
        request: Request,
        notice_id: int,
        staff: WorkerStaff,
        session: SessionDep,
        runtime: RuntimeDep,
    ) -> Response:
        notice = svc.get_notice(session, staff, notice_id)
        svc.retry(session, staff, notice, client_ip(request))
        commit(session)
        return RedirectResponse(f"/admin/notices/{notice_id}?done=retried", status_code=303)

    @router.post("/admin/notices/{notice_id}/cancel", include_in_schema=False)
    def notice_cancel(
        request: Request, notice_id: int, staff: WorkerStaff, session: SessionDep
    ) -> Response:
        notice = svc.get_notice(session, staff, notice_id)
        svc.cancel_notice(session, staff, notice, client_ip(request))
        commit(session)
        return RedirectResponse(f"/admin/notices/{notice_id}?done=cancelled", status_code=303)

    # -- JSON API ------------------------------------------------------------------------

    @router.get("/admin/api/notices", tags=["notices"], response_model=list[NoticeSummary])
    def api_list(staff: WorkerStaff, session: SessionDep) -> list[dict[str, Any]]:
        return svc.list_notices(session, staff)

    @router.post("/admin/api/notices", tags=["notices"], response_model=NoticeDraft)
    def api_create(
        request: Request,
        body: NoticeIn,
        staff: WorkerStaff,
        session: SessionDep,
        settings: SettingsDep,
        redis: RedisDep,
    ) -> dict[str, Any]:
        targets = Targets(body.scope, body.ids, body.groups, body.people)
        draft = svc.Draft(body.title, body.body, body.link, body.image_url, targets)
        notice = svc.create_draft(session, staff, draft, client_ip(request))
        commit(session)
        return {
            **svc.summary(session, notice),
            "preview": svc.preview(session, notice, settings, redis),
        }

    @router.get(
        "/admin/api/notices/{notice_id}",
        tags=["notices"],
        response_model=NoticeDetail,
        response_model_exclude_unset=True,
    )
    def api_detail(
        notice_id: int,
        staff: WorkerStaff,
        session: SessionDep,
        settings: SettingsDep,
        redis: RedisDep,
    ) -> dict[str, Any]:
        notice = svc.get_notice(session, staff, notice_id)
        out = svc.summary(session, notice)
        if notice.status in ("draft", "scheduled"):
            out["preview"] = svc.preview(session, notice, settings, redis)
        return out

    @router.put("/admin/api/notices/{notice_id}", tags=["notices"], response_model=NoticeDraft)
    def api_edit(
        request: Request,
        notice_id: int,
        body: NoticeIn,
        staff: WorkerStaff,
        session: SessionDep,
        settings: SettingsDep,
        redis: RedisDep,
    ) -> dict[str, Any]:
        """Change a notice before it is sent (409 once sending has started)."""
        notice = svc.get_notice(session, staff, notice_id)
        targets = Targets(body.scope, body.ids, body.groups, body.people)
        draft = svc.Draft(body.title, body.body, body.link, body.image_url, targets)
        svc.edit_draft(session, staff, notice, draft, client_ip(request))
        commit(session)
        return {
            **svc.summary(session, notice),
            "preview": svc.preview(session, notice, settings, redis),
        }

    @router.get(
        "/admin/api/notices/{notice_id}/progress",
        tags=["notices"],
        response_model=NoticeProgressStatus,
    )
    def api_progress(notice_id: int, staff: WorkerStaff, session: SessionDep) -> dict[str, Any]:
        notice = svc.get_notice(session, staff, notice_id)
        return {"status": notice.status, **progress(session, notice.id)}

    @router.get(
        "/admin/api/notices/{notice_id}/recipients",
        tags=["notices"],
        response_model=list[RecipientPublic],
    )
    def api_recipients(
        notice_id: int, staff: WorkerStaff, session: SessionDep, status: str = ""
    ) -> list[dict[str, Any]]:
        notice = svc.get_notice(session, staff, notice_id)
        rows = recipients(session, notice.id, status or None)
        for row in rows:
            row["sent_at"] = row["sent_at"].isoformat() if row["sent_at"] else None
        return rows

    @router.post("/admin/api/notices/{notice_id}/send", tags=["notices"], response_model=NoticeSent)
    def api_send(
        request: Request,
        notice_id: int,
        body: SendIn,
        staff: WorkerStaff,
        session: SessionDep,
        runtime: RuntimeDep,
    ) -> dict[str, Any]:
        notice = svc.get_notice(session, staff, notice_id)
        at = svc.parse_local_time(body.scheduled_at)
        outcome = svc.send(
            session, staff, notice, runtime.settings, runtime.redis, client_ip(request), at
        )
        commit(session)
        return {"outcome": outcome, **svc.summary(session, notice)}

    @router.post(
        "/admin/api/notices/{notice_id}/retry", tags=["notices"], response_model=NoticeRetried
    )
    def api_retry(
        request: Request,
        notice_id: int,
        staff: WorkerStaff,
        session: SessionDep,
        runtime: RuntimeDep,
    ) -> dict[str, Any]:
        notice = svc.get_notice(session, staff, notice_id)
        moved = svc.retry(session, staff, notice, client_ip(request))
        commit(session)
        return {"retried": moved, **svc.summary(session, notice)}

    @router.post(
        "/admin/api/notices/{notice_id}/cancel", tags=["notices"], response_model=NoticeSummary
    )
    def api_cancel(
        request: Request, notice_id: int, staff: WorkerStaff, session: SessionDep
    ) -> dict[str, Any]:
        notice = svc.get_notice(session, staff, notice_id)
        svc.cancel_notice(session, staff, notice, client_ip(request))
        commit(session)
        return svc.summary(session, notice)

    return router
