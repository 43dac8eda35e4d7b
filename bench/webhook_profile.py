"""Where a message's CPU time goes: the message path below HTTP (`MessageProcessor.process`,
as the webhook calls it) run in this process, one message type at a time, SQLite + a private
Valkey, migrated + seeded demo community. Prints CPU ms per message and the top functions
(cProfile, cumulative) per type: greeting, report, job question, accept.

    .venv/bin/python bench/webhook_profile.py [--messages 300] [--top 25] [--database-url …]
        [--pstats DIR]   # also write DIR/<type>.pstats (e.g. for snakeviz)

Results: docs/benchmarks.md, section "Webhook" (where the time goes).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.webhook_load import seed_load_residents  # noqa: E402
from bench.webhook_setup import AES_KEY, APPID, TOKEN, prepare_database, valkey  # noqa: E402

TYPES = {
    "greeting": lambda n, task: "你好",
    "report": lambda n, task: "3号楼2单元楼道灯坏了",
    "job_question": lambda n, task: "想找工作，会开车",
    "accept": lambda n, task: f"接 T{task}",
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--messages", type=int, default=300, help="messages per type")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--database-url", help="SQLAlchemy URL (default: SQLite in a temp dir)")
    ap.add_argument("--pstats", help="write <type>.pstats files into this folder")
    ap.add_argument("--cpu-only", action="store_true", help="no cProfile: true CPU ms/msg")
    ap.add_argument("--mix", action="store_true", help="each text of the load's mix as a type")
    args = ap.parse_args()

    from bot.processor import MessageProcessor
    from bot.reply_slot import ReplySlot
    from bot.runtime import Runtime, set_runtime
    from bot.sandbox.simulator import WeChatSimulator, build_xml
    from bot.settings import Settings
    from bot.wire import parse_xml, to_incoming

    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="shequ-prof-")))
        redis_url = stack.enter_context(valkey(tmp))
        url = args.database_url or f"sqlite:///{tmp / 'shequ.db'}"
        prepare_database(url)
        tasks = seed_load_residents(url, volunteers=args.messages, tasks=max(args.messages, 1))
        settings = Settings(  # type: ignore[call-arg]
            SHEQU_ENV="local",
            SHEQU_DATA_DIR=str(tmp),
            WECHAT_TOKEN=TOKEN,
            WECHAT_AES_KEY=AES_KEY,
            WECHAT_APPID=APPID,
            DATABASE_URL=url,
            REDIS_URL=redis_url,
            SHEQU_LOG_LEVEL="WARNING",
        )
        runtime = Runtime(settings)
        set_runtime(runtime)
        from bot.assembly import build_processor

        processor: MessageProcessor = build_processor(runtime)[0]
        sim = WeChatSimulator(TOKEN, AES_KEY, APPID, mode="plain")

        def message(openid: str, text: str):  # type: ignore[no-untyped-def]
            return to_incoming(parse_xml(build_xml(sim.text_fields(openid, text)).encode()))

        # Warm-up: jieba, lexicon, connection pools.
        for i in range(30):
            processor.process(message(f"warm-{i}", "你好"), ReplySlot(), time.monotonic() + 5)
        print(f"{'type':<13} {'msgs':>5} {'cpu ms/msg':>10} {'wall ms/msg':>11}  first reply")
        reports = []
        types = TYPES
        if args.mix:
            from bench.webhook_load import MIX

            types = {t: (lambda n, task, t=t: t) for t in dict.fromkeys(MIX)}
        for name, text_of in types.items():
            msgs = []
            for n in range(args.messages):
                openid = f"load-{n % 500:03d}" if name != "accept" else f"vol-{n:04d}"
                msgs.append(message(openid, text_of(n, tasks[n % len(tasks)])))
            profiler = cProfile.Profile(time.process_time)  # CPU, not wall: a shared machine
            cpu0, wall0 = time.process_time(), time.perf_counter()
            first = None
            if not args.cpu_only:
                profiler.enable()
            for msg in msgs:
                out = processor.process(msg, ReplySlot(), time.monotonic() + 5)
                first = first or out.reply_text
            profiler.disable()
            cpu = (time.process_time() - cpu0) * 1000 / len(msgs)
            wall = (time.perf_counter() - wall0) * 1000 / len(msgs)
            print(
                f"{name:<13} {len(msgs):>5} {cpu:>10.2f} {wall:>11.2f}  {(first or '')[:40]!r}",
                flush=True,
            )
            if args.cpu_only:
                continue
            out_text = io.StringIO()
            stats = pstats.Stats(profiler, stream=out_text).sort_stats("cumulative")
            stats.print_stats(args.top)
            reports.append((name, out_text.getvalue()))
            if args.pstats:
                Path(args.pstats).mkdir(parents=True, exist_ok=True)
                stats.dump_stats(str(Path(args.pstats) / f"{name}.pstats"))
        if args.cpu_only:
            reports = []
        else:
            print("(cpu under cProfile: ~2x the unprofiled cost; --cpu-only for true figures)")
        for name, text in reports:
            print(f"\n===== {name} =====")
            print(text[text.find("   ncalls") :])
        set_runtime(None)
        runtime.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
