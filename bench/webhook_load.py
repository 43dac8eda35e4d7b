"""The webhook benchmark's load: wrk on loopback, cycling through a file of signed plaintext
text messages written just before each level (wrk's Lua cannot compute SHA-1 signatures,
so every request is signed here: unique MsgId, 500 senders, a mix of greetings, reports
and job questions). The Lua script counts 503s, holding replies and replies without a
`<Content>` per thread and prints one JSON line at the end.
"""

from __future__ import annotations

import json
import secrets
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from bench.webhook_setup import (
    AES_KEY,
    APPID,
    HOLDING,
    TOKEN,
    add_delivery_volunteers,
    add_meal_tasks,
)

# One sender's messages in turn (each sender starts at another place): greetings and help,
# reports filed at once (the senders are bound to households), and job questions.
MIX = (
    "你好",
    "3号楼2单元楼道灯坏了",
    "想找工作，会开车",
    "帮助",
    "电梯又停了，老人下不了楼",
    "扶贫车间还招人吗",
    "你好",
    "楼下垃圾好几天没人清了",
    "麻编培训怎么报名",
    "谢谢",
)

LUA = r"""
lines = {}
counter = 0
n503, held, empty, non200 = 0, 0, 0, 0
local holding = "@HOLDING@"
local threads = {}

function setup(thread)
  thread:set("offset", #threads)
  table.insert(threads, thread)
end

function init(args)
  local stride = tonumber(args[2])
  local i = 0
  for line in io.lines(args[1]) do
    if i % stride == offset then
      local tab = line:find("\t", 1, true)
      table.insert(lines, {line:sub(1, tab - 1), line:sub(tab + 1)})
    end
    i = i + 1
  end
end

function request()
  counter = counter + 1
  local item = lines[(counter - 1) % #lines + 1]
  return wrk.format("POST", item[1], {["Content-Type"] = "text/xml"}, item[2])
end

function response(status, headers, body)
  if status == 503 then n503 = n503 + 1 end
  if status ~= 200 then non200 = non200 + 1
  elseif body:find(holding, 1, true) then held = held + 1
  elseif not body:find("<Content><![CDATA[", 1, true) then empty = empty + 1 end
end

function done(summary, latency, requests)
  local t = {n503 = 0, held = 0, empty = 0, non200 = 0}
  for _, thread in ipairs(threads) do
    for k, _ in pairs(t) do t[k] = t[k] + (thread:get(k) or 0) end
  end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "n503": %d, "held": %d, "empty": %d, "non200": %d, ' ..
    '"p50": %d, "p95": %d, "p99": %d, "max": %d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    t.n503, t.held, t.empty, t.non200,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""
# Counters are globals of each thread's Lua state: done() reads them with thread:get.


def write_requests(path: Path, count: int, texts: tuple[str, ...] = MIX) -> None:
    """`count` signed requests, one per line: `target<TAB>body`."""
    from bot.sandbox.simulator import WeChatSimulator

    sim = WeChatSimulator(TOKEN, AES_KEY, APPID, mode="plain")
    base = secrets.randbits(30) << 24
    now = int(time.time())
    with path.open("w", encoding="utf-8") as out:
        for i in range(count):
            sender = i % LOAD_SENDERS
            turn = i // LOAD_SENDERS + sender * 3
            fields = sim.text_fields(
                f"load-{sender:03d}", texts[turn % len(texts)], msg_id=str(base + i), created=now
            )
            signed = sim.sign_request(fields, timestamp=now)
            body = signed.body.decode()
            assert "\n" not in body and "\t" not in body
            out.write(f"/wechat?{urlencode(signed.params)}\t{body}\n")


@dataclass
class WrkResult:
    requests: int
    seconds: float
    msgs_per_s: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    errors: int  # transport errors + non-200 + 200 without a reply
    n503: int
    held: int
    wrapped: bool  # more requests than lines: some MsgIds were sent twice


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("wrk not found: apt-get install wrk")
    return found


def run_wrk(
    url: str, requests_file: Path, lines: int, connections: int, seconds: float, threads: int = 2
) -> WrkResult:
    threads = max(1, min(threads, connections))
    script = requests_file.with_suffix(".lua")
    script.write_text(LUA.replace("@HOLDING@", HOLDING), encoding="utf-8")
    # Each thread takes every `threads`-th line: its own share of the MsgIds.
    cmd = [
        wrk_binary(),
        "-t",
        str(threads),
        "-c",
        str(connections),
        "-d",
        f"{seconds:g}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        url + "/wechat",
        "--",
        str(requests_file),
        str(threads),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    line = next((x for x in done.stdout.splitlines() if x.startswith("WRKJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no result:\n{done.stdout}\n{done.stderr}")
    r = json.loads(line.removeprefix("WRKJSON "))
    secs = r["duration_us"] / 1e6
    transport = r["connect"] + r["read"] + r["write"] + r["timeout"]
    good = r["requests"] - r["non200"] - r["empty"]
    return WrkResult(
        requests=r["requests"],
        seconds=round(secs, 2),
        msgs_per_s=round(good / secs, 1) if secs else 0.0,
        p50_ms=round(r["p50"] / 1000, 1),
        p95_ms=round(r["p95"] / 1000, 1),
        p99_ms=round(r["p99"] / 1000, 1),
        max_ms=round(r["max"] / 1000, 1),
        errors=transport + r["non200"] + r["empty"],
        n503=r["n503"],
        held=r["held"],
        wrapped=r["requests"] > lines,
    )


LOAD_SENDERS = 500


def seed_load_residents(sqlalchemy_url: str, volunteers: int = 0, tasks: int = 0) -> list[int]:
    """The load's residents: `load-000` … `load-499`, bound to households of the demo
    community (so a report is filed at once), plus `volunteers` delivery volunteers
    `vol-NNNN` and `tasks` open meal-delivery tasks (their ids are returned)."""
    from datetime import UTC, datetime

    from storage.db import make_engine, make_session_factory
    from storage.models import Household, Resident

    engine = make_engine(sqlalchemy_url)
    ids: list[int] = []
    try:
        with make_session_factory(engine)() as session:
            households = session.query(Household).order_by(Household.id).all()
            now = datetime.now(UTC)
            for n in range(LOAD_SENDERS):
                session.add(
                    Resident(
                        openid=f"load-{n:03d}",
                        name=f"居民{n}",
                        household_id=households[n % len(households)].id,
                        roles=[],
                        last_message_at=now,
                    )
                )
            if volunteers:
                add_delivery_volunteers(session, "vol-", volunteers, now)
            if tasks:
                load_households = [households[k % len(households)] for k in range(tasks)]
                ids = add_meal_tasks(session, load_households, now)
            session.commit()
    finally:
        engine.dispose()
    return ids
