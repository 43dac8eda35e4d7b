"""The processes as an operator runs them: `shequ serve`, `shequ worker --grids`, `shequ send`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy import select

from bot.runtime import Runtime
from bot.settings import Settings
from storage.models import Delivery, InboundMessage
from storage.outbound.deliveries import plan_delivery
from storage.outbound.queues import grid_queue_name
from tests.conftest import ServerThread, free_port

SHEQU = [sys.executable, "-m", "bot.cli"]


def child_env(settings: Settings, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        SHEQU_ENV="local",
        SHEQU_DATA_DIR=str(settings.data_dir),
        WECHAT_TOKEN=settings.wechat_token,
        WECHAT_AES_KEY=settings.wechat_aes_key,
        WECHAT_APPID=settings.wechat_appid,
        DATABASE_URL=settings.database_url or "",
        REDIS_URL=settings.redis_url or "",
        WECHAT_API_BASE=settings.wechat_api_base,
        WECOM_API_BASE=settings.wecom_api_base,
        SHEQU_LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


def test_worker_serves_only_the_chosen_grids(
    settings: Settings, runtime: Runtime, real_server: ServerThread
) -> None:
    with runtime.session_factory() as session:
        for grid_id in (1, 2):
            plan_delivery(
                session,
                channel="wecom_robot",
                recipient=f"grid-g{grid_id}",
                purpose="test",
                payload={"text": f"网格{grid_id}的通知"},
                idempotency_key=f"grid-test-{grid_id}",
                queue=grid_queue_name(grid_id),
            )
        session.commit()
    assert runtime.drain_outbox() == 2
    subprocess.run(
        [*SHEQU, "worker", "--grids", "1", "--burst"],
        env=child_env(settings),
        check=True,
        timeout=60,
        cwd=Path(__file__).parents[2],
    )
    with runtime.session_factory() as session:
        status = {d.recipient: d.status for d in session.scalars(select(Delivery))}
    assert status == {"grid-g1": "sent", "grid-g2": "pending"}
    subprocess.run(
        [*SHEQU, "worker", "--burst"],
        env=child_env(settings),
        check=True,
        timeout=60,
        cwd=Path(__file__).parents[2],
    )
    with runtime.session_factory() as session:
        assert {d.status for d in session.scalars(select(Delivery))} == {"sent"}


def test_send_command_checks_a_deployment(settings: Settings, real_server: ServerThread) -> None:
    for mode in ("plain", "safe"):
        result = subprocess.run(
            [*SHEQU, "send", real_server.url + "/wechat", "--text", "帮助", "--mode", mode],
            env=child_env(settings),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        assert "HTTP 200" in result.stdout and "反映问题" in result.stdout


def wait_healthy(url: str, process: subprocess.Popen[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(
                f"shequ serve exited early: {process.stdout.read() if process.stdout else ''}"
            )
        try:
            if httpx.get(url + "/healthz", timeout=1).json().get("redis"):
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError("shequ serve did not become healthy")


def stop(process: subprocess.Popen[str]) -> str:
    process.send_signal(signal.SIGINT)
    out, _ = process.communicate(timeout=30)
    return out


def test_serve_runs_everything_and_keeps_data_across_restarts(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    # One web process: how many does not matter here (tests/bot/test_shutdown.py runs
    # both ways), and each one more costs a second or two of the machine's time.
    env.update(
        SHEQU_DATA_DIR=str(tmp_path / "data"), SHEQU_LOG_LEVEL="WARNING", SHEQU_WEB_WORKERS="1"
    )
    command = [*SHEQU, "serve", "--port", str(port)]
    cwd = tmp_path  # a fresh directory: nothing but what serve creates
    first = subprocess.Popen(
        command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        wait_healthy(url, first)
        page = httpx.get(url + "/sandbox", timeout=5)
        assert page.status_code == 200 and "微信沙箱" in page.text
        residents = httpx.get(url + "/sandbox/residents", timeout=5).json()
        assert any(r["name"] == "王奶奶" and r["address"] == "3号楼2单元501" for r in residents)
        chat = httpx.post(
            url + "/sandbox/chat",
            json={"openid": "demo-newcomer", "text": "我住3号楼2单元501", "mode": "safe"},
            timeout=10,
        ).json()
        assert chat["status"] == 200 and "已绑定住址：3号楼2单元501" in chat["reply"]
        human = httpx.post(
            url + "/sandbox/chat",
            json={"openid": "demo-newcomer", "text": "转人工", "mode": "plain"},
            timeout=10,
        ).json()
        assert "网格员" in human["reply"]
        # The worker started by serve delivers the staff notice to the grid group.
        deadline = time.monotonic() + 30
        groups: list[dict[str, object]] = []
        while time.monotonic() < deadline and not groups:
            groups = [
                g
                for g in httpx.get(url + "/sandbox/groups", timeout=5).json()
                if g["kind"] == "wecom_robot"
            ]
            time.sleep(0.5)
        assert groups and groups[0]["group"] == "第一网格工作群"
    finally:
        out = stop(first)
    assert "已初始化演示社区" in out and "admin" in out and "/sandbox" in out
    assert first.returncode == 0

    second = subprocess.Popen(
        command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        wait_healthy(url, second)
        chat = httpx.post(
            url + "/sandbox/chat", json={"openid": "demo-newcomer", "text": "你好"}, timeout=10
        ).json()
        assert chat["status"] == 200
    finally:
        out = stop(second)
    assert "已初始化演示社区" not in out
    from storage.db import make_engine, make_session_factory

    engine = make_engine(f"sqlite:///{tmp_path / 'data' / 'shequ.db'}")
    with make_session_factory(engine)() as session:
        texts = [
            m.content for m in session.scalars(select(InboundMessage).order_by(InboundMessage.id))
        ]
    engine.dispose()
    assert texts == ["我住3号楼2单元501", "转人工", "你好"]
