"""Broadcast to 10,000 residents: plan + enqueue time, delivery time through the sandbox
with real RQ worker processes, and duplicates after a worker is SIGKILLed mid-broadcast.

Run from the repository root:

    .venv/bin/python bench/broadcast.py [--residents 10000] [--workers 2] [--in-window 0.2]

Everything (Valkey, a scratch SQLite database, uvicorn serving the app and the sandbox,
`shequ worker` processes) lives under one temporary directory and is stopped on exit.
The demo community is seeded and `--residents` residents are added to its households;
a share `--in-window` of them messaged the account within the last 48 h (so they get a
customer-service message), the rest get a template message. No limit is raised: the
robots' 20/min, the 48 h window and the 5-per-message quota are the real ones.
Results: docs/benchmarks.md, section "Broadcast (bench/broadcast)".
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.webhook_setup import free_port, prepare_database, service_env, uvicorn_server, valkey  # noqa: E402


def add_residents(url: str, count: int, in_window: float) -> None:
    from sqlalchemy import insert, select

    from storage.db import make_engine, make_session_factory
    from storage.models import Base, Household, Resident

    engine = make_engine(url)
    Base.metadata.create_all(engine)  # notice tables have no migration yet
    rng = random.Random(7)
    now = datetime.now(UTC)
    with make_session_factory(engine)() as session:
        households = list(session.scalars(select(Household.id).order_by(Household.id)))
        rows = []
        for i in range(count):
            messaged = rng.random() < in_window
            rows.append(
                {
                    "openid": f"bench-{i:05d}",
                    "household_id": households[i % len(households)],
                    "name": f"居民{i}",
                    "roles": ["resident"],
                    "subscribed": True,
                    "created_at": now,
                    "last_message_at": now - timedelta(hours=rng.uniform(0, 40))
                    if messaged
                    else None,
                    "cs_quota_used": 0,
                }
            )
        session.execute(insert(Resident), rows)
        session.commit()
    engine.dispose()


def runtime_for(env: dict[str, str]):  # type: ignore[no-untyped-def]
    os.environ.update({k: v for k, v in env.items() if k.isupper()})
    from bot.runtime import Runtime, set_runtime
    from bot.settings import Settings

    rt = Runtime(Settings())  # type: ignore[call-arg]
    set_runtime(rt)
    return rt


def plan_and_enqueue(rt, body: str) -> tuple[int, int, float]:  # type: ignore[no-untyped-def]
    """Create a community-wide notice to every resident and its groups; plan, commit, push
    the fan-out job and run it (enqueue every send job). Returns (notice id, deliveries, s)."""
    from bot.jobs.notices import fan_out
    from storage.models import Community, Notice, utcnow
    from storage.notices.delivery import start_sending
    from storage.notices.planning import account_for
    from storage.outbound.queues import jobs_added

    with rt.session_factory() as session:
        community = session.query(Community).one()
        notice = Notice(
            community_id=community.id,
            title="压测通知",
            body=body,
            targets={"scope": "community", "ids": [], "groups": True, "people": ["all"]},
            community_wide=True,
            created_by="bench",
        )
        session.add(notice)
        session.commit()
        notice_id = notice.id
    started = time.perf_counter()
    with rt.session_factory() as session:
        now = utcnow()
        plan = start_sending(
            session,
            notice_id,
            from_states=("draft",),
            actor="bench",
            account=account_for(rt.settings, rt.redis, now),
            now=now,
        )
        assert plan is not None
        session.flush()
        ids = [job.id for job in jobs_added(session)]
        session.commit()
    rt.drain_outbox(ids=ids)
    fan_out(notice_id)  # what the worker that picks up the fan-out job does
    return notice_id, len(plan.deliveries), time.perf_counter() - started


def counts(rt, notice_id: int) -> dict[str, int]:  # type: ignore[no-untyped-def]
    from storage.notices.outcome import progress

    with rt.session_factory() as session:
        return dict(progress(session, notice_id)["statuses"])


def start_workers(env: dict[str, str], n: int, log: Path) -> list[subprocess.Popen[bytes]]:
    """N worker processes, each a real RQ SimpleWorker over every queue. (`shequ worker`
    uses RQ's forking Worker, which pays ~1.4 s of process set-up per job on this machine;
    see docs/benchmarks.md.)"""
    out = open(log, "ab")  # noqa: SIM115 - closed when the processes exit
    cmd = [sys.executable, str(Path(__file__).resolve()), "--_worker"]
    return [
        subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        for _ in range(n)
    ]


def simple_worker() -> None:
    from rq import Queue, SimpleWorker

    from bot.runtime import get_runtime
    from storage.outbound.queues import all_queue_names

    runtime = get_runtime()
    with runtime.session_factory() as session:
        names = all_queue_names(session)
    queues = [Queue(name, connection=runtime.redis) for name in names]
    SimpleWorker(queues, connection=runtime.redis).work(with_scheduler=True)


def wait_done(rt, notice_id: int, reap_every: float, timeout: float) -> float:  # type: ignore[no-untyped-def]
    """Seconds until every delivery is sent or dead; runs the reaper as the scheduler would."""
    from bot.jobs.deliveries import reap_deliveries

    started = time.perf_counter()
    last_reap = started
    while time.perf_counter() - started < timeout:
        c = counts(rt, notice_id)
        if c["pending"] + c["sending"] + c["failed"] == 0:
            return time.perf_counter() - started
        if time.perf_counter() - last_reap >= reap_every:
            reap_deliveries()
            last_reap = time.perf_counter()
        time.sleep(0.5)
    raise SystemExit(f"notice {notice_id} not finished after {timeout}s: {counts(rt, notice_id)}")


def duplicates(rt, marker: str) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """(messages the sandbox recorded, extra copies) for the notice whose text has marker."""
    from sqlalchemy import func, select

    from storage.models import SandboxRecord

    with rt.session_factory() as session:
        rows = session.execute(
            select(SandboxRecord.kind, SandboxRecord.target, func.count())
            .where(SandboxRecord.text.contains(marker))
            .group_by(SandboxRecord.kind, SandboxRecord.target)
        ).all()
    return sum(n for *_, n in rows), sum(n - 1 for *_, n in rows if n > 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--residents", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--in-window", type=float, default=0.2)
    parser.add_argument("--kill-after", type=float, default=0.3, help="share sent before SIGKILL")
    args = parser.parse_args()
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="shequ-bcast-")))
        redis_url = stack.enter_context(valkey(tmp))
        db_url = f"sqlite:///{tmp / 'bench.sqlite'}"
        prepare_database(db_url)
        add_residents(db_url, args.residents, args.in_window)
        port = free_port()
        env = service_env(tmp, db_url, redis_url, port)
        stack.enter_context(uvicorn_server("bot.asgi:create", env, port, 2, tmp / "web.log"))
        rt = runtime_for(env)

        # 1. Plan + enqueue, then deliver with N worker processes.
        nid, planned, plan_s = plan_and_enqueue(rt, "第一轮：本周六上午社区体检。")
        print(f"plan+enqueue: {planned} deliveries in {plan_s:.2f} s ({planned / plan_s:.0f}/s)")
        workers = start_workers(env, args.workers, tmp / "workers.log")
        deliver_s = wait_done(rt, nid, reap_every=60, timeout=3600)
        final = counts(rt, nid)
        print(
            f"deliver with {args.workers} workers: {deliver_s:.1f} s ({planned / deliver_s:.0f}/s); {final}"
        )
        sent, extra = duplicates(rt, "第一轮")
        print(f"sandbox recorded {sent} messages, duplicates {extra}")

        # 2. The same again; SIGKILL one worker mid-broadcast, start a replacement.
        nid2, planned2, _ = plan_and_enqueue(rt, "第二轮：本周日下午停电检修。")
        started = time.perf_counter()
        while counts(rt, nid2)["sent"] < planned2 * args.kill_after:
            time.sleep(0.05)
        victim = workers[0]
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        at_kill = counts(rt, nid2)
        print(f"SIGKILLed worker {victim.pid} at {at_kill}")
        workers[0:1] = start_workers(env, 1, tmp / "workers.log")
        wait_done(rt, nid2, reap_every=60, timeout=3600)
        total_s = time.perf_counter() - started
        final2 = counts(rt, nid2)
        sent2, extra2 = duplicates(rt, "第二轮")
        print(f"after kill: finished in {total_s:.1f} s; {final2}")
        print(f"sandbox recorded {sent2} messages for {planned2} deliveries, duplicates {extra2}")
        for proc in workers:
            proc.terminate()
        for proc in workers:
            proc.wait(timeout=30)


if __name__ == "__main__":
    if sys.argv[1:] == ["--_worker"]:
        simple_worker()
    else:
        main()
