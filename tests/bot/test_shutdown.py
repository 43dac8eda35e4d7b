"""Stopping the processes as operators and supervisors do: nothing is left running."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest
from redis import Redis
from rq import Worker

from bot.settings import Settings
from tests.bot.test_processes import SHEQU, child_env, wait_healthy
from tests.conftest import free_port

DEADLINE = 20.0


def running(procs: list[psutil.Process]) -> list[psutil.Process]:
    """Those still running (a zombie has ended: only its exit status is left)."""
    left = []
    for proc in procs:
        try:
            if proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE:
                left.append(proc)
        except psutil.NoSuchProcess:
            pass
    return left


def wait_until(predicate: Callable[[], bool], timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def describe(procs: list[psutil.Process]) -> list[str]:
    out = []
    for proc in procs:
        try:
            out.append(f"{proc.pid} {' '.join(proc.cmdline())}")
        except psutil.Error:
            out.append(str(proc.pid))
    return out


# Each way of stopping with one web process (uvicorn inside serve) or two (uvicorn's
# supervisor and its spawned workers), whatever this machine's CPU count.
@pytest.mark.parametrize(
    ("how", "web_workers"),
    [("main", 2), ("group", 1), ("data_removed", 1), ("parent_killed", 2)],
)
def test_serve_leaves_nothing_behind(how: str, web_workers: int, tmp_path: Path) -> None:
    port = free_port()
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        SHEQU_DATA_DIR=str(data), SHEQU_LOG_LEVEL="WARNING", SHEQU_WEB_WORKERS=str(web_workers)
    )
    with open(tmp_path / "serve.log", "w") as log:
        serve = subprocess.Popen(
            [*SHEQU, "serve", "--port", str(port)],
            env=env,
            cwd=tmp_path,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, as under a shell or supervisor
        )
    everything = [psutil.Process(serve.pid)]
    gone = False
    try:
        wait_healthy(f"http://127.0.0.1:{port}", serve)  # type: ignore[arg-type]
        everything += psutil.Process(serve.pid).children(recursive=True)
        # The embedded Redis runs as a daemon: not our child, found by its pid file.
        everything.append(psutil.Process(int((data / "valkey" / "valkey.pid").read_text())))
        assert len(everything) >= 4 + web_workers - 1  # serve, worker, scheduler, Redis,
        # the web workers (and helpers)

        if how == "main":
            os.kill(serve.pid, signal.SIGTERM)  # as `kill PID` and `docker stop` do
        elif how == "group":
            os.killpg(serve.pid, signal.SIGTERM)
        elif how == "data_removed":
            shutil.rmtree(data)  # Redis cannot save any more and ignores SIGTERM
            os.kill(serve.pid, signal.SIGTERM)
        else:
            os.kill(serve.pid, signal.SIGKILL)
        gone = wait_until(lambda: not running(everything), timeout=DEADLINE)
    finally:
        left = running(everything)
        for proc in left:  # never leave a stray process on the machine, even on failure
            proc.kill()
        serve.wait(timeout=10)
    assert gone, f"still running after {DEADLINE:.0f} s: {describe(left)}"
    if how != "parent_killed":
        assert serve.returncode == 0
        assert "社区助手已停止" in (tmp_path / "serve.log").read_text()


def test_web_worker_and_scheduler_stop_cleanly_on_sigterm(settings: Settings, redis: Redis) -> None:
    env = child_env(settings)
    port = free_port()
    web = subprocess.Popen([*SHEQU, "web", "--host", "127.0.0.1", "--port", str(port)], env=env)
    worker = subprocess.Popen([*SHEQU, "worker"], env=env)
    scheduler = subprocess.Popen([*SHEQU, "scheduler"], env=env)
    started = [web, worker, scheduler]
    family: list[psutil.Process] = []
    try:
        wait_healthy(f"http://127.0.0.1:{port}", web)  # type: ignore[arg-type]
        assert wait_until(lambda: len(Worker.all(connection=redis)) == 1)
        assert wait_until(lambda: bool(redis.exists("lock:scheduler")))
        for process in started:
            family += [psutil.Process(process.pid)]
            family += psutil.Process(process.pid).children(recursive=True)
            process.send_signal(signal.SIGTERM)
        codes = [process.wait(timeout=60) for process in started]
    finally:
        for process in started:
            if process.poll() is None:
                process.kill()
                process.wait()
    assert codes == [0, 0, 0]
    assert wait_until(lambda: not running(family), timeout=DEADLINE), describe(running(family))
    assert Worker.all(connection=redis) == []  # the worker said goodbye to Redis
