"""The process's resources (settings, database, Redis), built once per process.

Web requests get them through FastAPI dependencies; RQ jobs and the scheduler, which
only receive ids, reach them here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import httpx
from redis import Redis
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.settings import Settings, get_settings
from storage.db import make_engine, make_session_factory
from storage.outbound import queues
from storage.redis_conn import make_redis
from storage.work_calendar import configure as configure_calendar

if TYPE_CHECKING:
    from requests.adapters import BaseAdapter

    from bot.outbox_drainer import OutboxDrainer
    from bot.wechat_api import WeChatApiClient


@dataclass
class Runtime:
    settings: Settings
    # Stories and in-process tests answer outbound HTTP with the app itself (set with
    # `answer_http_in_process`); None means real sockets.
    wechat_adapter: BaseAdapter | None = None

    def __post_init__(self) -> None:
        # Deadlines told to residents count working time by this calendar.
        configure_calendar(self.settings.calendar_file)

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.settings.sqlalchemy_url)

    @cached_property
    def session_factory(self) -> sessionmaker[Session]:
        return make_session_factory(self.engine)

    @cached_property
    def http(self) -> httpx.Client:
        """One HTTP client per process: building its TLS context costs ~50 ms."""
        return httpx.Client(timeout=10.0)

    @cached_property
    def redis(self) -> Redis:
        if not self.settings.redis_url:
            raise RuntimeError("REDIS_URL is not set (the embedded run sets it for its children)")
        return make_redis(self.settings.redis_url, self.settings.redis_timeout_seconds)

    def wechat_client(self) -> WeChatApiClient:
        """wechatpy's client for this process's settings (a new one per job: cheap)."""
        from bot.wechat_api import WeChatApiClient

        client = WeChatApiClient(self.settings, self.redis)
        if self.wechat_adapter is not None:
            for prefix in ("http://", "https://"):
                client._http.mount(prefix, self.wechat_adapter)
        return client

    def commit(self, session: Session) -> None:
        """The unit of work's end, for chat, console and jobs alike: commit, then hand
        this transaction's outbox jobs to the queue at once (what Redis cannot take now
        waits in the outbox for the scheduler)."""
        from bot.jobs.registry import resolve

        queues.commit_and_drain(session, self.session_factory, self.redis, resolve)

    def drain_outbox(self, ids: list[int] | None = None, limit: int = 2000) -> int:
        """Push pending outbox jobs (all, or `ids`) to RQ; returns how many. Whatever this
        process's drainers were handed is pushed first (it is then not counted here)."""
        from bot.jobs.registry import resolve
        from bot.outbox_drainer import wait_all_idle

        wait_all_idle()
        return queues.drain_outbox(self.session_factory, self.redis, resolve, ids=ids, limit=limit)

    @cached_property
    def drainer(self) -> OutboxDrainer:
        """This process's drainer: messages' outbox jobs go to RQ after the reply, batched."""
        from bot.jobs.registry import resolve
        from bot.outbox_drainer import OutboxDrainer

        def drain(ids: list[int]) -> int:
            return queues.drain_outbox(self.session_factory, self.redis, resolve, ids=ids)

        return OutboxDrainer(drain)

    def answer_http_in_process(self, client: httpx.Client) -> None:
        """Send every outbound request (WeChat, WeCom) to `client` instead of the
        network: the sandbox platform served in-process."""
        from bot.sandbox.inprocess import ASGIRequestsAdapter

        self.__dict__["http"] = client
        self.wechat_adapter = ASGIRequestsAdapter(client)

    def rebind(self, settings: Settings) -> None:
        """Take `settings` (a fresh database, another data folder) while keeping what was
        built from this runtime valid: the session factory is re-pointed, not replaced, so
        one app serves many databases in turn (tests and stories reuse one app: building
        its 275 routes costs ~0.4 s). Redis must stay the same server."""
        if settings.redis_url != self.settings.redis_url and "redis" in self.__dict__:
            raise ValueError("rebind keeps the Redis connection; the URL must not change")
        self.settle()  # nothing of the last database's work may reach the next one
        for name in type(settings).model_fields:
            setattr(self.settings, name, getattr(settings, name))
        self.__dict__.pop("engine", None)
        if "session_factory" in self.__dict__:
            self.session_factory.configure(bind=self.engine)
        configure_calendar(self.settings.calendar_file)

    def settle(self, timeout: float = 10.0) -> None:
        """Until the outbox jobs handed to this process's drainer are pushed, then close
        the idle database connections (they reopen on next use)."""
        if "drainer" in self.__dict__:
            self.drainer.wait_idle(timeout)
        if "engine" in self.__dict__:
            self.engine.dispose()

    def close(self) -> None:
        """Release what was opened (only what was: the properties are lazy)."""
        opened = self.__dict__
        if "drainer" in opened:
            self.drainer.close()
        if "http" in opened:
            self.http.close()
        if "redis" in opened:
            self.redis.close()
        if "engine" in opened:
            self.engine.dispose()


_runtime: Runtime | None = None


def get_runtime() -> Runtime:
    global _runtime
    if _runtime is None:
        _runtime = Runtime(get_settings())
    return _runtime


def set_runtime(runtime: Runtime | None) -> None:
    """Tests and the embedded launcher install their own runtime."""
    global _runtime
    _runtime = runtime
