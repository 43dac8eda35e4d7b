"""FastAPI dependencies in one place; tests override `runtime_dep`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from redis import Redis
from sqlalchemy.orm import Session

from bot.runtime import Runtime
from bot.settings import Settings


def runtime_dep(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(runtime_dep)]


def settings_dep(runtime: RuntimeDep) -> Settings:
    return runtime.settings


def session_dep(runtime: RuntimeDep) -> Iterator[Session]:
    with runtime.session_factory() as session:
        yield session


def redis_dep(runtime: RuntimeDep) -> Redis:
    return runtime.redis


SettingsDep = Annotated[Settings, Depends(settings_dep)]
SessionDep = Annotated[Session, Depends(session_dep)]
RedisDep = Annotated[Redis, Depends(redis_dep)]
