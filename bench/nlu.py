"""NLU benchmark: throughput in one process over the dev set, cold start in a
fresh interpreter, time on hostile input, and the quality figures of every
labelled set in tests/data.

Run from the repository root:  python bench/nlu.py [--messages 20000]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATA = ROOT / "tests" / "data"
DEV = DATA / "nlu_dev.jsonl"
SETS = ("dev", "holdout", "blind", "blind2")

# Worst cases for understanding: each is cut to the lexicon's max_chars first.
HOSTILE = {
    "6,000 Chinese numerals": "一二三四五六七八九十" * 600,
    "100 KB report text": "电梯坏了楼道灯不亮3号楼2单元501" * 5000,
    "100 KB of fillers": "啊" * 100_000,
    "100 KB of one keyword": "坏了" * 50_000,
    "addresses x 10,000": "3号楼2单元" * 10_000,
    "emoji, controls, surrogates": ("😀\x00\ud800电梯坏了\u200b" * 2000),
}

COLD = (
    "import time; t0 = time.perf_counter()\n"
    "from nlp import understand\n"
    "u = understand('3号楼楼道灯坏了')\n"
    "print(u.intent, round(time.perf_counter() - t0, 4))\n"
)


def read(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def cold_start(runs: int) -> list[float]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", COLD],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        times.append(time.perf_counter() - t0)
        if not out.stdout.startswith("report_problem"):
            raise SystemExit(f"cold start gave an unexpected answer: {out.stdout!r} {out.stderr}")
    return times


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=20000)
    ap.add_argument("--cold-runs", type=int, default=5)
    args = ap.parse_args()

    from nlp import evaluate, load_lexicon, understand

    t0 = time.perf_counter()
    load_lexicon()
    print(f"lexicon load (this process): {time.perf_counter() - t0:.3f} s")

    records = read(DEV)
    texts = [r["text"] for r in records]
    for t in texts:  # warm-up
        understand(t)
    n = 0
    t0 = time.perf_counter()
    while n < args.messages:
        for t in texts:
            understand(t)
        n += len(texts)
    elapsed = time.perf_counter() - t0
    mean_len = sum(map(len, texts)) / len(texts)
    print(
        f"throughput: {n} messages in {elapsed:.2f} s = {n / elapsed:,.0f} messages/s "
        f"(one process, mean length {mean_len:.1f} chars)"
    )

    times = cold_start(args.cold_runs)
    print(
        f"cold start (process start to first answer): median {statistics.median(times):.3f} s, "
        f"min {min(times):.3f} s, max {max(times):.3f} s over {len(times)} runs"
    )

    for label, text in HOSTILE.items():
        t0 = time.perf_counter()
        understand(text)
        print(f"hostile input, {label} ({len(text):,} chars): {time.perf_counter() - t0:.4f} s")

    for name in SETS:
        path = DATA / f"nlu_{name}.jsonl"
        if not path.exists():
            continue
        r = evaluate(read(path))
        ents = "  ".join(f"{k} {v['accuracy']:.3f}" for k, v in r["entities"].items())
        print(
            f"{name}: {r['count']} messages  accuracy {r['accuracy']:.4f}  "
            f"macro-F1 {r['macro_f1']:.4f}  macro-F1 (gold ∪ predicted) "
            f"{r['macro_f1_union']:.4f}  category accuracy {r['category_accuracy']:.4f} "
            f"({r['category_support']})\n  entities: {ents}"
        )


if __name__ == "__main__":
    main()
