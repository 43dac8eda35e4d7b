from __future__ import annotations

from fastapi import APIRouter

from bot.runtime import Runtime


def build_admin_router(runtime: Runtime) -> APIRouter:
    return APIRouter(prefix="/admin")
