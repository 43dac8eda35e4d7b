"""Server-rendered console pages (Chinese), forms posting back with CSRF tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from redis.exceptions import RedisError

from admin import home, records
from admin.audit import audit, audit_staff
from admin.auth import (
    BAD_CREDENTIALS,
    DEMO_REFUSED,
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    TOO_MANY_ATTEMPTS,
    LoginLimiter,
    SessionStore,
    authenticate,
    cookie_options,
    demo_refused,
    password_stamp,
)
from admin.csrf import CSRF_REFUSED, new_token, tokens_match
from admin.deps import (
    CHANGE_PASSWORD_PATH,
    QUEUE_ROLES,
    UNAVAILABLE,
    CurrentStaff,
    PasswordStaff,
    WorkerStaff,
    client_ip,
)
from admin.handovers import actions as handovers
from admin.labels import CHANNEL_LABELS, INTENT_LABELS
from admin.paging import paginate
from admin.render import ConsoleRoute, render
from bot.deps import RedisDep, RuntimeDep, SessionDep, SettingsDep, commit


def safe_next(target: str | None) -> str:
    """Only paths inside the console: never an open redirect to another site."""
    if target and target.startswith("/admin") and "\\" not in target:
        return target
    return "/admin"


def _login_page(
    request: Request,
    settings: SettingsDep,
    *,
    error: str | None = None,
    username: str = "",
    next_url: str = "/admin",
    status_code: int = 200,
) -> HTMLResponse:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or new_token()
    response = render(
        request,
        "login.html",
        {
            "login_token": token,
            "error": error,
            "username": username,
            "next": safe_next(next_url),
        },
        status_code=status_code,
    )
    options = cookie_options(settings.public_url)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, max_age=3600, **options)  # type: ignore[arg-type]
    return response


def build_pages_router() -> APIRouter:
    router = APIRouter(prefix="/admin", route_class=ConsoleRoute, include_in_schema=False)

    # -- Signing in and out --------------------------------------------------------------

    @router.get("/login", response_class=HTMLResponse)
    def login_form(request: Request, settings: SettingsDep, next: str = "/admin") -> HTMLResponse:
        return _login_page(request, settings, next_url=next)

    @router.post("/login")
    def login_submit(
        request: Request,
        session: SessionDep,
        redis: RedisDep,
        settings: SettingsDep,
        username: Annotated[str, Form(max_length=64)] = "",
        password: Annotated[str, Form(max_length=256)] = "",
        csrf_token: Annotated[str, Form(max_length=100)] = "",
        next: Annotated[str, Form(max_length=500)] = "/admin",
    ) -> Response:
        username = username.strip()
        page = {"username": username, "next_url": next}
        if not tokens_match(request.cookies.get(LOGIN_CSRF_COOKIE), csrf_token):
            return _login_page(request, settings, error=CSRF_REFUSED, status_code=403, **page)
        ip = client_ip(request)
        limiter = LoginLimiter(redis)
        try:
            if limiter.blocked(username, ip):
                audit(session, action="login_blocked", username=username, staff_id=None, ip=ip)
                commit(session)
                return _login_page(
                    request, settings, error=TOO_MANY_ATTEMPTS, status_code=429, **page
                )
            staff = authenticate(session, username, password) if username and password else None
            if staff is None:
                limiter.record_failure(username, ip)
                audit(session, action="login_failed", username=username, staff_id=None, ip=ip)
                commit(session)
                return _login_page(
                    request, settings, error=BAD_CREDENTIALS, status_code=401, **page
                )
            if demo_refused(staff, password, production=not settings.is_local):
                limiter.record_failure(username, ip)
                session.rollback()  # nothing of the account changes (no rehash)
                audit(
                    session,
                    action="login_demo_refused",
                    username=username,
                    staff_id=staff.id,
                    ip=ip,
                    detail="正式环境拒绝演示账号或演示密码",
                )
                commit(session)
                return _login_page(request, settings, error=DEMO_REFUSED, status_code=403, **page)
            limiter.reset_user(username, ip)
            old = request.cookies.get(SESSION_COOKIE)
            store = SessionStore(redis)
            if old:
                store.destroy(old)  # a fresh id at every sign-in (no session fixation)
            session_id, _ = store.create(staff.id, password_stamp(staff.password_hash))
        except RedisError as exc:
            raise HTTPException(status_code=503, detail=UNAVAILABLE) from exc
        audit(session, action="login", username=staff.username, staff_id=staff.id, ip=ip)
        target = CHANGE_PASSWORD_PATH if staff.must_change_password else safe_next(next)
        commit(session)
        response = RedirectResponse(target, status_code=303)
        options = cookie_options(settings.public_url)
        response.set_cookie(SESSION_COOKIE, session_id, **options)  # type: ignore[arg-type]
        response.delete_cookie(LOGIN_CSRF_COOKIE, path=str(options["path"]))
        return response

    @router.post("/logout")
    def logout(
        request: Request,
        staff: PasswordStaff,
        session: SessionDep,
        redis: RedisDep,
        settings: SettingsDep,
    ) -> Response:
        SessionStore(redis).destroy(staff.session_id)
        audit_staff(session, staff, "logout", client_ip(request))
        commit(session)
        response = RedirectResponse("/admin/login", status_code=303)
        options = cookie_options(settings.public_url)
        response.delete_cookie(SESSION_COOKIE, path=str(options["path"]))
        return response

    # -- Pages -----------------------------------------------------------------------------

    @router.get("", response_class=HTMLResponse)
    def dashboard(request: Request, staff: CurrentStaff, session: SessionDep) -> HTMLResponse:
        context = records.dashboard(session, staff)
        if staff.may_use(*QUEUE_ROLES):
            context.update(home.todo(session, staff))
        return render(request, "dashboard.html", context, staff)

    @router.get("/handovers", response_class=HTMLResponse)
    def handover_list(
        request: Request,
        staff: WorkerStaff,
        session: SessionDep,
        status: str = "active",
        page: int = 1,
    ) -> HTMLResponse:
        status = status if status in handovers.FILTERS else "active"
        query = handovers.handovers_query(staff, status)
        pager, query = paginate(session, query, page, 50, {"status": status})
        context = {
            "rows": handovers.handover_rows(session, query),
            "status": status,
            "pager": pager,
        }
        return render(request, "handovers.html", context, staff)

    @router.get("/handovers/{handover_id}", response_class=HTMLResponse)
    def handover_page(
        request: Request, handover_id: int, staff: WorkerStaff, session: SessionDep
    ) -> HTMLResponse:
        row = handovers.handover_detail(session, staff, handover_id)
        return render(request, "handover_detail.html", {"h": row}, staff)

    @router.post("/handovers/{handover_id}/claim")
    def handover_claim(
        request: Request, handover_id: int, staff: WorkerStaff, session: SessionDep
    ) -> Response:
        handovers.claim(session, staff, handover_id, client_ip(request))
        commit(session)
        return RedirectResponse(f"/admin/handovers/{handover_id}?done=claimed", status_code=303)

    @router.post("/handovers/{handover_id}/close")
    def handover_close(
        request: Request,
        handover_id: int,
        staff: WorkerStaff,
        session: SessionDep,
        note: Annotated[str, Form(max_length=2000)] = "",
    ) -> Response:
        handovers.close(session, staff, handover_id, note, client_ip(request))
        commit(session)
        return RedirectResponse(f"/admin/handovers/{handover_id}?done=closed", status_code=303)

    @router.post("/handovers/{handover_id}/reply")
    def handover_reply(
        request: Request,
        handover_id: int,
        staff: WorkerStaff,
        session: SessionDep,
        text: Annotated[str, Form(max_length=2000)] = "",
    ) -> Response:
        handovers.reply(session, staff, handover_id, text, client_ip(request))
        commit(session)
        return RedirectResponse(f"/admin/handovers/{handover_id}?done=replied", status_code=303)

    @router.get("/messages", response_class=HTMLResponse)
    def messages(
        request: Request,
        staff: WorkerStaff,
        session: SessionDep,
        openid: str = "",
        q: Annotated[str, Query(max_length=100)] = "",
        intent: str = "",
        status: str = "",
        page: int = 1,
    ) -> HTMLResponse:
        openid = openid.strip()[:64]
        query = records.messages_query(
            staff, openid or None, words=q.strip(), intent=intent, status=status
        )
        params = {"openid": openid, "q": q, "intent": intent, "status": status}
        pager, query = paginate(session, query, page, 50, params)
        context = {
            "rows": records.message_rows(session, query),
            "pager": pager,
            "f": params,
            "intents": INTENT_LABELS,
            "statuses": records.MESSAGE_STATUS,
        }
        return render(request, "messages.html", context, staff)

    @router.get("/deliveries", response_class=HTMLResponse)
    def deliveries(
        request: Request,
        staff: WorkerStaff,
        session: SessionDep,
        status: str = "",
        channel: str = "",
        page: int = 1,
    ) -> HTMLResponse:
        query = records.deliveries_query(staff, status or None, channel)
        pager, query = paginate(session, query, page, 50, {"status": status, "channel": channel})
        context = {
            "rows": records.delivery_rows(session, query),
            "pager": pager,
            "status": status,
            "channel": channel,
            "labels": {"problem": "未送达（全部）", **records.STATUS_LABELS},
            "channels": CHANNEL_LABELS,
        }
        return render(request, "deliveries.html", context, staff)

    @router.post("/deliveries/{delivery_id}/retry")
    def delivery_retry(
        request: Request,
        delivery_id: int,
        staff: WorkerStaff,
        session: SessionDep,
        runtime: RuntimeDep,
    ) -> Response:
        records.retry_delivery(session, staff, delivery_id, client_ip(request))
        commit(session)
        return RedirectResponse("/admin/deliveries?done=retried", status_code=303)

    return router
