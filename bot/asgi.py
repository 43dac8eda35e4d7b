"""ASGI entry for uvicorn: `uvicorn --factory bot.asgi:create`."""

from __future__ import annotations

from fastapi import FastAPI

from bot.app import create_app
from bot.logging_setup import configure_logging
from bot.runtime import get_runtime


def create() -> FastAPI:
    runtime = get_runtime()
    configure_logging(runtime.settings.log_level)
    return create_app(runtime)
