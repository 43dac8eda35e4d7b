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
        session.info["runtime"] = runtime
        yield session


def commit(session: Session) -> None:
    """The end of a console action's unit of work: commit, and hand the outbox jobs it
    planned to the queue at once (`Runtime.commit`, the same as jobs use). Console code
    never calls `session.commit()` itself (tests/admin/test_unit_of_work.py)."""
    runtime: Runtime = session.info["runtime"]
    runtime.commit(session)


def redis_dep(runtime: RuntimeDep) -> Redis:
    return runtime.redis


SettingsDep = Annotated[Settings, Depends(settings_dep)]
SessionDep = Annotated[Session, Depends(session_dep)]
RedisDep = Annotated[Redis, Depends(redis_dep)]
