"""Accept race through the webhook: N volunteers reply "接 T<k>" at the same moment across
K open delivery tasks (default 200 replies over 20 tasks) against the service as deployed
(uvicorn --workers 2, Redis, SQLite and/or PostgreSQL). Checks that exactly one volunteer
gets each task and everyone else is told it is taken; prints accept latency p50/p99.

Run from the repository root:

    .venv/bin/python bench/accept_race.py [--database sqlite|postgresql|both]
        [--volunteers 200] [--tasks 20] [--rounds 3] [--pg-url postgresql://…]

Everything it starts (Valkey, a private PostgreSQL cluster, uvicorn) lives under one
temporary directory and is stopped on exit. The schema is created with create_all (the
volunteer tables have no migration yet). Results: docs/benchmarks.md, section
"Volunteers (bench/accept_race)".
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.webhook_setup import (  # noqa: E402
    AES_KEY,
    APPID,
    TOKEN,
    add_delivery_volunteers,
    add_meal_tasks,
    drop_pg_database,
    free_port,
    fresh_pg_database,
    private_postgres,
    service_env,
    uvicorn_server,
    valkey,
)

WON, TAKEN, HOLDING = "接单成功", "已经有其他志愿者接了", "收到，正在为您处理"


def prepare(sqlalchemy_url: str, volunteers: int, tasks: int, round_no: int) -> list[int]:
    """Schema, demo community, `volunteers` delivery volunteers, `tasks` open tasks."""
    from storage.db import make_engine, make_session_factory
    from storage.models import Base, Household
    from storage.seed import seed_demo

    engine = make_engine(sqlalchemy_url)
    Base.metadata.create_all(engine)
    with make_session_factory(engine)() as session:
        seed_demo(session)
        now = datetime.now(UTC)
        add_delivery_volunteers(session, f"race-{round_no}-", volunteers, now)
        households = session.query(Household).order_by(Household.id).limit(tasks).all()
        ids = add_meal_tasks(session, households, now)
        session.commit()
    engine.dispose()
    return ids


async def fire(
    url: str, round_no: int, volunteers: int, task_ids: list[int]
) -> tuple[list[float], list[str], float]:
    import httpx

    from bot.sandbox.simulator import WeChatSimulator

    sim = WeChatSimulator(TOKEN, AES_KEY, APPID, mode="plain")
    requests = []
    for n in range(volunteers):
        fields = sim.text_fields(f"race-{round_no}-{n:04d}", f"接 T{task_ids[n % len(task_ids)]}")
        requests.append(sim.sign_request(fields))
    limits = httpx.Limits(max_connections=volunteers, max_keepalive_connections=volunteers)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        start_gate = asyncio.Event()

        async def one(signed: object) -> tuple[float, str]:
            await start_gate.wait()
            t0 = time.perf_counter()
            response = await client.post(
                url + "/wechat",
                params=signed.params,  # type: ignore[attr-defined]
                content=signed.body,
            )  # type: ignore[attr-defined]
            elapsed = time.perf_counter() - t0
            text = sim.read_reply(response.status_code, response.content).text or ""
            return elapsed, f"{response.status_code}:{text}"

        jobs = [asyncio.create_task(one(s)) for s in requests]
        await asyncio.sleep(0.2)
        t0 = time.perf_counter()
        start_gate.set()
        results = await asyncio.gather(*jobs)
        wall = time.perf_counter() - t0
    return [r[0] for r in results], [r[1] for r in results], wall


def verify(sqlalchemy_url: str, task_ids: list[int]) -> tuple[int, int]:
    """(tasks assigned, 'assigned' events) from the database."""
    from sqlalchemy import func, select

    from storage.db import make_engine, make_session_factory
    from storage.models import Event, VolunteerTask

    engine = make_engine(sqlalchemy_url)
    with make_session_factory(engine)() as session:
        assigned = session.scalar(
            select(func.count())
            .select_from(VolunteerTask)
            .where(VolunteerTask.id.in_(task_ids), VolunteerTask.status == "assigned")
        )
        events = session.scalar(
            select(func.count())
            .select_from(Event)
            .where(Event.entity_type == "task", Event.to_state == "assigned")
        )
    engine.dispose()
    return int(assigned or 0), int(events or 0)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def run_database(
    db: str, args: argparse.Namespace, tmp: Path, redis_url: str, pg_server: str | None
) -> bool:
    ok = True
    for round_no in range(args.rounds):
        if db == "sqlite":
            url = f"sqlite:///{tmp / f'race-{round_no}.sqlite'}"
            env_url = url
        else:
            assert pg_server is not None
            env_url = fresh_pg_database(pg_server)
            url = env_url.replace("postgresql://", "postgresql+psycopg://", 1)
        task_ids = prepare(url, args.volunteers, args.tasks, round_no)
        port = free_port()
        env = service_env(tmp, env_url, redis_url, port)
        import redis as redis_lib

        redis_lib.Redis.from_url(redis_url).flushall()
        with uvicorn_server(
            "bot.asgi:create", env, port, args.workers, tmp / f"uvicorn-{db}.log"
        ) as base:
            latencies, replies, wall = asyncio.run(fire(base, round_no, args.volunteers, task_ids))
        won = sum(WON in r for r in replies)
        taken = sum(TAKEN in r for r in replies)
        held = sum(HOLDING in r for r in replies)
        errors = sum(not r.startswith("200:") for r in replies)
        assigned, events = verify(url, task_ids)
        good = won == assigned == events == args.tasks and won + taken + held == args.volunteers
        ok = ok and good and errors == 0
        print(
            f"{db:<10} round {round_no + 1}: {args.volunteers} replies / {args.tasks} tasks  "
            f"won={won} taken={taken} held={held} errors={errors}  db assigned={assigned} "
            f"events={events}  p50={pct(latencies, 0.5):.0f} ms p99={pct(latencies, 0.99):.0f}"
            f" ms max={max(latencies) * 1000:.0f} ms wall={wall:.2f} s  "
            f"{'OK' if good else 'MISMATCH'}",
            flush=True,
        )
        if db == "postgresql" and pg_server is not None:
            drop_pg_database(pg_server, env_url)
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--volunteers", type=int, default=200)
    parser.add_argument("--tasks", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pg-url", default=None)
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()} {platform.processor() or ''} cpus="
        f"{__import__('os').cpu_count()} python {platform.python_version()}",
        flush=True,
    )
    ok = True
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="shequ-race-")))
        redis_url = stack.enter_context(valkey(tmp))
        if args.database in ("sqlite", "both"):
            ok = run_database("sqlite", args, tmp, redis_url, None) and ok
        if args.database in ("postgresql", "both"):
            server = args.pg_url or stack.enter_context(private_postgres(tmp))
            ok = run_database("postgresql", args, tmp, redis_url, server) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
