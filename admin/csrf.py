"""CSRF protection for every console POST.

Signed-in staff: a per-session token (stored with the session in Redis) sent back in the
hidden form field `csrf_token` or, for fetch/API calls, the `X-CSRF-Token` header.
The login form, before any session exists: a double-submit token (a random cookie that
the form must repeat), so nobody can sign a staff member into someone else's account.
SameSite=Lax cookies are a second line of defence, not the only one.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import HTTPException, Request

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
CSRF_REFUSED = "安全校验失败（页面已过期或来源不明），请刷新页面后重试"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def tokens_match(expected: str | None, given: str | None) -> bool:
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


async def submitted_token(request: Request) -> str | None:
    """The token from the header, else from the form body (cached by Starlette, so the
    endpoint can still read its form fields)."""
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


async def check_csrf(request: Request, expected: str | None) -> None:
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if not tokens_match(expected, await submitted_token(request)):
        raise HTTPException(status_code=403, detail=CSRF_REFUSED)
