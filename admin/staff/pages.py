"""Staff accounts in the console: a 社区管理员 creates accounts (role and grids), changes
roles, disables and enables them and issues one-time resets; every staff member changes
their own password at /admin/password (and must, while holding a temporary one).

A new account and a reset get a temporary password generated here and shown once, to be
passed on in person or by phone; it must be changed at the first sign-in. Every action
is audited (never the password itself).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from admin.audit import audit_staff
from admin.auth import SESSION_COOKIE, SessionStore, cookie_options, password_stamp
from admin.deps import ADMIN, PasswordStaff, Staff, client_ip, require_role
from admin.render import ConsoleRoute, render
from bot.deps import RedisDep, SessionDep, SettingsDep, commit
from storage.models import StaffAccount, utcnow
from storage.staff.accounts import (
    MIN_PASSWORD,
    ROLE_LABELS,
    StaffError,
    account_state,
    create_staff,
    disable,
    enable,
    grid_choices,
    issue_reset,
    list_staff,
    new_temporary_password,
    password_matches,
    resolve_grids,
    set_password,
    update_role,
)

AdminStaff = Annotated[Staff, Depends(require_role(ADMIN))]
Short = Annotated[str, Form(max_length=64)]
Secret = Annotated[str, Form(max_length=256)]
GridsIn = Annotated[list[str] | None, Form()]
FLASH = {
    "disabled": "账号已停用，该账号的登录已全部失效。",
    "enabled": "账号已启用。",
    "role": "角色和网格已保存。",
}
NO_STORE = {"Cache-Control": "no-store"}


def _rows(session: Session) -> list[dict[str, Any]]:
    grids = {g.id: g.name for g in grid_choices(session)}
    return [
        {
            "id": a.id,
            "username": a.username,
            "display_name": a.display_name,
            "role": a.role,
            "role_label": ROLE_LABELS.get(a.role, a.role),
            "grid_ids": list(a.grid_ids or []),
            "grids": "、".join(grids.get(int(g), str(g)) for g in a.grid_ids or []) or "—",
            "state": account_state(a),
            "active": a.active,
            "is_demo": a.is_demo,
        }
        for a in list_staff(session)
    ]


def _staff_page(
    request: Request,
    session: Session,
    staff: Staff,
    *,
    error: str | None = None,
    issued: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    context = {
        "rows": _rows(session),
        "roles": ROLE_LABELS,
        "grids": grid_choices(session),
        "error": error,
        "issued": issued,
        "flash": FLASH.get(request.query_params.get("flash", "")),
    }
    response = render(request, "staff.html", context, staff, status_code=status_code)
    response.headers.update(NO_STORE)
    return response


def _account(session: Session, account_id: int) -> StaffAccount:
    account = session.get(StaffAccount, account_id)
    if account is None:
        raise HTTPException(status_code=404, detail="没有这个工作人员账号")
    return account


def build_staff_pages_router() -> APIRouter:
    router = APIRouter(prefix="/admin", route_class=ConsoleRoute, include_in_schema=False)

    # -- The staff list (社区管理员) ---------------------------------------------------------

    @router.get("/staff", response_class=HTMLResponse)
    def staff_list(request: Request, staff: AdminStaff, session: SessionDep) -> HTMLResponse:
        return _staff_page(request, session, staff)

    @router.post("/staff", response_class=HTMLResponse)
    def staff_create(
        request: Request,
        staff: AdminStaff,
        session: SessionDep,
        username: Short = "",
        display_name: Short = "",
        role: Short = "",
        grid: GridsIn = None,
    ) -> HTMLResponse:
        temporary = new_temporary_password()
        try:
            grid_ids = resolve_grids(session, grid or [])
            account = create_staff(
                session,
                username=username,
                display_name=display_name,
                role=role,
                grid_ids=grid_ids,
                password=temporary,
                temporary=True,
                now=utcnow(),
            )
        except StaffError as exc:
            session.rollback()
            return _staff_page(request, session, staff, error=exc.message, status_code=400)
        detail = f"{ROLE_LABELS[account.role]} 网格{account.grid_ids or '—'}"
        ip = client_ip(request)
        audit_staff(session, staff, "staff_create", ip, "staff", account.username, detail)
        commit(session)
        issued = {"username": account.username, "password": temporary, "what": "新账号"}
        return _staff_page(request, session, staff, issued=issued)

    @router.post("/staff/{account_id}/reset", response_class=HTMLResponse)
    def staff_reset(
        request: Request, account_id: int, staff: AdminStaff, session: SessionDep
    ) -> HTMLResponse:
        account = _account(session, account_id)
        temporary = issue_reset(account, utcnow())
        audit_staff(session, staff, "staff_reset", client_ip(request), "staff", account.username)
        commit(session)
        issued = {"username": account.username, "password": temporary, "what": "重置密码"}
        return _staff_page(request, session, staff, issued=issued)

    @router.post("/staff/{account_id}/role", response_model=None)
    def staff_role(
        request: Request,
        account_id: int,
        staff: AdminStaff,
        session: SessionDep,
        role: Short = "",
        grid: GridsIn = None,
    ) -> Response:
        account = _account(session, account_id)
        try:
            update_role(session, account, role, resolve_grids(session, grid or []))
        except StaffError as exc:
            session.rollback()
            return _staff_page(request, session, staff, error=exc.message, status_code=400)
        detail = f"{ROLE_LABELS[account.role]} 网格{account.grid_ids or '—'}"
        ip = client_ip(request)
        audit_staff(session, staff, "staff_role", ip, "staff", account.username, detail)
        commit(session)
        return RedirectResponse("/admin/staff?flash=role", status_code=303)

    @router.post("/staff/{account_id}/{action}", response_model=None)
    def staff_switch(
        request: Request, account_id: int, action: str, staff: AdminStaff, session: SessionDep
    ) -> Response:
        if action not in ("disable", "enable"):
            raise HTTPException(status_code=404, detail="不支持的操作")
        account = _account(session, account_id)
        if action == "disable" and account.id == staff.id:
            return _staff_page(
                request, session, staff, error="不能停用自己正在使用的账号", status_code=400
            )
        try:
            changed = (
                disable(session, account, utcnow()) if action == "disable" else enable(account)
            )
        except StaffError as exc:
            return _staff_page(request, session, staff, error=exc.message, status_code=400)
        if changed:
            ip = client_ip(request)
            audit_staff(session, staff, f"staff_{action}", ip, "staff", account.username)
            commit(session)
        return RedirectResponse(f"/admin/staff?flash={action}d", status_code=303)

    # -- Changing one's own password ----------------------------------------------------------

    def password_page(
        request: Request, staff: Staff, *, error: str | None = None, status_code: int = 200
    ) -> HTMLResponse:
        context = {"error": error, "min_length": MIN_PASSWORD}
        response = render(request, "staff_password.html", context, staff, status_code=status_code)
        response.headers.update(NO_STORE)
        return response

    @router.get("/password", response_class=HTMLResponse)
    def password_form(request: Request, staff: PasswordStaff) -> HTMLResponse:
        return password_page(request, staff)

    @router.post("/password", response_model=None)
    def password_submit(
        request: Request,
        staff: PasswordStaff,
        session: SessionDep,
        redis: RedisDep,
        settings: SettingsDep,
        current: Secret = "",
        new: Secret = "",
        confirm: Secret = "",
    ) -> Response:
        account = _account(session, staff.id)
        if not password_matches(account.password_hash, current):
            return password_page(request, staff, error="当前密码不正确", status_code=400)
        if new != confirm:
            return password_page(request, staff, error="两次输入的新密码不一致", status_code=400)
        try:
            set_password(account, new, temporary=False, now=utcnow())
        except StaffError as exc:
            return password_page(request, staff, error=exc.message, status_code=400)
        audit_staff(session, staff, "password_change", client_ip(request), "staff", staff.username)
        commit(session)
        # The old session ended with the old password; this browser gets a fresh one.
        store = SessionStore(redis)
        store.destroy(staff.session_id)
        session_id, _ = store.create(account.id, password_stamp(account.password_hash))
        response = RedirectResponse("/admin?done=password", status_code=303)
        options = cookie_options(settings.public_url)
        response.set_cookie(SESSION_COOKIE, session_id, **options)  # type: ignore[arg-type]
        return response

    return router
