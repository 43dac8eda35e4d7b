"""ASGI entry for uvicorn: `uvicorn --factory bot.asgi:create`."""

from __future__ import annotations

import os

from fastapi import FastAPI

from bot.app import create_app
from bot.logging_setup import configure_logging
from bot.runtime import get_runtime


def create() -> FastAPI:
    if os.environ.get("SHEQU_WEB_DIES_WITH_PARENT") == "1":  # a web worker of `shequ serve`
        from bot.lifecycle import die_with_parent

        die_with_parent()
    runtime = get_runtime()
    configure_logging(runtime.settings.log_level)
    return create_app(runtime)
