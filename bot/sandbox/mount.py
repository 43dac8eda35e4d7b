from __future__ import annotations

from fastapi import FastAPI

from bot.runtime import Runtime
from bot.sandbox.page import build_sandbox_page_router
from bot.sandbox.platform import build_platform_router


def mount_sandbox(app: FastAPI, runtime: Runtime) -> None:
    """The stand-in WeChat platform and its page, served by the same app (embedded mode).

    Local mode only: the sandbox lets anyone act as any resident without signing in."""
    if not runtime.settings.is_local:
        raise RuntimeError("the sandbox is served in local mode only (SHEQU_ENV=local)")
    app.include_router(build_platform_router(), prefix="/sandbox/api")
    app.include_router(build_sandbox_page_router())
