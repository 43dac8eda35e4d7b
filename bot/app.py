"""The web process: webhook, sandbox and console in one FastAPI app, built by a factory."""

from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi import FastAPI
from fastapi.responses import JSONResponse, RedirectResponse

from bot.assembly import build_processor
from bot.headers import SecurityHeaders
from bot.runtime import Runtime
from bot.webhook import WebhookDeps, build_webhook_router, make_drain
from bot.wire import SafeMode
from handlers.base import Understood
from storage.redis_conn import is_up

log = logging.getLogger(__name__)


def create_app(runtime: Runtime, understand: Callable[..., Understood] | None = None) -> FastAPI:
    settings = runtime.settings
    processor, provider = build_processor(runtime, understand)
    # The interactive API docs and the schema are for developers: local mode only.
    app = FastAPI(
        title="社区助手",
        docs_url="/api/docs" if settings.is_local else None,
        openapi_url="/openapi.json" if settings.is_local else None,
        redoc_url=None,
    )
    app.state.runtime = runtime
    app.state.lexicon = provider  # refreshed at once by tests and stories
    app.add_middleware(SecurityHeaders, https=settings.public_url.startswith("https://"))
    if not settings.is_local and settings.uses_sqlite:
        log.warning(
            "生产环境正在使用 SQLite（%s）：只适合单台服务器的社区；多台服务器请用 PostgreSQL",
            settings.sqlalchemy_url,
        )
    safe_mode = None
    if settings.encrypt_mode != "plain":
        safe_mode = SafeMode(settings.wechat_token, settings.wechat_aes_key, settings.wechat_appid)
    deps = WebhookDeps(
        settings=settings,
        processor=processor,
        safe_mode=safe_mode,
        drain=make_drain(runtime),
    )
    app.include_router(build_webhook_router(deps))

    if settings.sandbox_enabled:  # never in production: Settings refuses it there
        from bot.sandbox.mount import mount_sandbox

        mount_sandbox(app, runtime)

    from admin.routes import build_admin_router

    app.include_router(build_admin_router(runtime))

    @app.get("/healthz")
    def healthz() -> JSONResponse:
        redis_ok = is_up(runtime.redis)
        return JSONResponse({"status": "ok", "redis": redis_ok})

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/sandbox" if settings.sandbox_enabled else "/admin")

    return app
