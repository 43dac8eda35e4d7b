"""Security headers on every response of the web process (console, API, webhook).

The console's pages load their scripts from /admin/static only, so scripts need no
'unsafe-inline'; styles keep it for the width of progress bars and per-page <style>
blocks, which cannot run code. The sandbox page (local mode only) has an inline script.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_COMMON_CSP = (
    "default-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
)
CONTENT_SECURITY_POLICY = "; ".join(("script-src 'self'", *_COMMON_CSP))
SANDBOX_CONTENT_SECURITY_POLICY = "; ".join(("script-src 'self' 'unsafe-inline'", *_COMMON_CSP))
HSTS = "max-age=31536000"


class SecurityHeaders:
    """Pure ASGI middleware: adds the headers a response has not set itself."""

    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        self.https = https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sandbox = str(scope.get("path", "")).startswith("/sandbox")
        policy = SANDBOX_CONTENT_SECURITY_POLICY if sandbox else CONTENT_SECURITY_POLICY

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Content-Security-Policy", policy)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "same-origin")
                if self.https:
                    headers.setdefault("Strict-Transport-Security", HSTS)
            await send(message)

        await self.app(scope, receive, send_with_headers)
