"""Jinja2 templates of the console, and how errors are shown.

Errors are HTTPExceptions with Chinese messages. The JSON API returns them as
`{"detail": …}`; pages show them as an HTML page, and "not signed in" as a redirect to
the login page. A route class does this because a router cannot own exception handlers.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from admin.deps import CHANGE_PASSWORD_PATH, QUEUE_ROLES, PasswordChangeRequired, Staff
from admin.timefmt import local_time

API_PREFIX = "/admin/api/"
HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.filters["local_time"] = local_time

# Fixed confirmations after a POST-redirect-GET (a code in the URL, never free text).
DONE_MESSAGES = {
    "claimed": "认领成功，请尽快联系居民。",
    "closed": "已办结，处理记录已保存。",
    "retried": "已重新排队发送。",
    "replied": "回复已安排发送。",
    "password": "密码已修改，请牢记新密码。",
}


def render(
    request: Request,
    name: str,
    context: dict[str, Any],
    staff: Staff | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    done = DONE_MESSAGES.get(request.query_params.get("done", ""))
    base = {
        "staff": staff,
        "csrf_token": staff.csrf_token if staff else "",
        "works_queues": bool(staff and staff.may_use(*QUEUE_ROLES)),
        "done_message": done,
        "path": request.url.path,
    }
    return templates.TemplateResponse(request, name, {**base, **context}, status_code=status_code)


def error_page(request: Request, status_code: int, message: str) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        "error.html",
        {"staff": None, "message": message, "status_code": status_code, "path": request.url.path},
        status_code=status_code,
    )


class ConsoleRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await original(request)
            except (HTTPException, RequestValidationError) as exc:
                if request.url.path.startswith(API_PREFIX):
                    raise
                return page_error(request, exc)

        return handler


def page_error(request: Request, exc: HTTPException | RequestValidationError) -> Response:
    if isinstance(exc, RequestValidationError):
        return error_page(request, 400, "提交的内容不完整或格式不对，请返回后重试")
    if exc.status_code == 401:
        target = "/admin/login"
        if request.method == "GET":
            here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            target += "?next=" + quote(here, safe="")
        return RedirectResponse(target, status_code=303)
    if isinstance(exc, PasswordChangeRequired):
        return RedirectResponse(CHANGE_PASSWORD_PATH, status_code=303)
    return error_page(request, exc.status_code, str(exc.detail))
