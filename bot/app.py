"""The web process: webhook, sandbox and console in one FastAPI app, built by a factory."""

from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi import FastAPI
from fastapi.responses import JSONResponse, RedirectResponse

from bot.headers import SecurityHeaders
from bot.lexicon_provider import LexiconProvider
from bot.locks import UserLocks
from bot.processor import MessageProcessor
from bot.runtime import Runtime
from bot.understanding import make_understander
from bot.webhook import WebhookDeps, build_webhook_router, make_drain
from bot.wire import SafeMode
from handlers.base import Understood
from handlers.dialogue import RedisDialogueStore
from handlers.router import build_router
from storage.redis_conn import is_up
from storage.residents import community_for_account, compound_names

log = logging.getLogger(__name__)


def create_app(runtime: Runtime, understand: Callable[..., Understood] | None = None) -> FastAPI:
    settings = runtime.settings
    with runtime.session_factory() as session:
        community = community_for_account(session, None)
        community_name = community.name if community else "本"
        compounds = compound_names(session, community.id) if community else ()

    provider = LexiconProvider(runtime.session_factory, settings.lexicon_check_seconds)
    processor = MessageProcessor(
        session_factory=runtime.session_factory,
        router=build_router(community_name, knowledge=provider.knowledge),
        dialogues=RedisDialogueStore(runtime.redis),
        locks=UserLocks(runtime.redis),
        understand=understand or make_understander(provider, compounds),
        dialogue_ttl=settings.dialogue_ttl_seconds,
        drain=make_drain(runtime),
    )
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
