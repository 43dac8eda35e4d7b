from __future__ import annotations

from fastapi import FastAPI

from bot.runtime import Runtime
from bot.sandbox.page import build_sandbox_page_router
from bot.sandbox.platform import build_platform_router


def mount_sandbox(app: FastAPI, runtime: Runtime) -> None:
    """The stand-in WeChat platform and its page, served by the same app (embedded mode)."""
    app.include_router(build_platform_router(), prefix="/sandbox/api")
    app.include_router(build_sandbox_page_router())
