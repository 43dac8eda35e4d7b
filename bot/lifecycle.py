"""Stopping what `shequ serve` starts, whatever happens to the process that started it.

- Worker and scheduler are children in their own process group, so that a signal to the
  parent's group (Ctrl-C, `kill -TERM -PGID`) reaches only the parent, which then stops
  each of them once (RQ takes a second SIGTERM as "abort the running job"). They die
  with their parent: on Linux the kernel sends them SIGTERM when it goes, even by
  SIGKILL (PR_SET_PDEATHSIG).
- The embedded Redis daemonizes (its own session, parent init), so no signal to our
  process or group reaches it. A guardian process, in its own session too, watches the
  parent; when the parent vanishes without stopping Redis, the guardian stops it (and
  any child still running), then exits. It also exits once Redis is gone.
- Stopping escalates: SIGTERM, a grace period, then SIGKILL. A Redis whose data folder
  was removed cannot save and ignores SIGTERM; SIGKILL ends it.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence

import psutil

PR_SET_PDEATHSIG = 1
PDEATHSIG = sys.platform.startswith("linux")
POLL_SECONDS = 0.2
# A worker finishes the job in hand before it stops; Redis saves its data.
CHILD_GRACE = 8.0
REDIS_GRACE = 4.0


def die_with_parent() -> None:
    """`preexec_fn` for a child that must not outlive its parent (Linux; elsewhere the
    guardian stops it)."""
    if not PDEATHSIG:
        return
    parent = os.getppid()
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the request took effect
        os.kill(os.getpid(), signal.SIGTERM)


def alive(proc: psutil.Process) -> bool:
    """Running, not merely a zombie waiting for its parent (or an init that never reaps)."""
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def wait_gone(processes: Sequence[psutil.Process], timeout: float) -> list[psutil.Process]:
    """Wait until none is alive or `timeout` passes; returns those still alive."""
    deadline = time.monotonic() + timeout
    left = [p for p in processes if alive(p)]
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        left = [p for p in left if alive(p)]
    return left


def with_descendants(processes: Sequence[psutil.Process]) -> list[psutil.Process]:
    """The processes still running and everything they started."""
    found: list[psutil.Process] = []
    for proc in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            found.extend([proc, *proc.children(recursive=True)])
    return found


def stop(
    processes: Sequence[psutil.Process], grace: float, signalled: bool = False
) -> list[psutil.Process]:
    """SIGTERM each (unless `signalled` already), wait up to `grace` seconds, then SIGKILL
    what is left and whatever it started; returns any process even SIGKILL did not end
    within a few seconds (none, normally)."""
    family = with_descendants(processes)  # found now, while they are still its children
    if not signalled:
        for proc in processes:
            with contextlib.suppress(psutil.NoSuchProcess):
                proc.terminate()
    left = wait_gone(family, grace)
    victims = list({p.pid: p for p in [*left, *with_descendants(left)]}.values())
    for proc in victims:
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.kill()
    return wait_gone(victims, 5)


def start_guardian(redis_pid: int, child_pids: Sequence[int]) -> subprocess.Popen[bytes]:
    """Watch this process; if it vanishes while Redis runs, stop the children and Redis."""
    command = [
        sys.executable,
        "-m",
        "bot.lifecycle",
        "--parent",
        str(os.getpid()),
        "--redis",
        str(redis_pid),
        *[f"--child={pid}" for pid in child_pids],
    ]
    return subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        start_new_session=True,  # a signal to our group leaves it to do its job
    )


def guard(parent: int, redis: psutil.Process, children: Sequence[psutil.Process]) -> int:
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    while alive(redis):
        if os.getppid() != parent:  # orphaned: the parent died without stopping Redis
            # On Linux the kernel has already sent the children SIGTERM: give them time.
            stop(with_descendants(children), CHILD_GRACE, signalled=PDEATHSIG)
            stop([redis], REDIS_GRACE)
            return 1
        time.sleep(POLL_SECONDS)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.lifecycle")
    parser.add_argument("--parent", type=int, required=True)
    parser.add_argument("--redis", type=int, required=True)
    parser.add_argument("--child", type=int, action="append", default=[])
    args = parser.parse_args(argv)
    try:
        redis = psutil.Process(args.redis)
    except psutil.NoSuchProcess:
        return 0
    # psutil.Process remembers each start time, so a pid reused later is never hit.
    children = []
    for pid in args.child:
        with contextlib.suppress(psutil.NoSuchProcess):
            children.append(psutil.Process(pid))
    return guard(args.parent, redis, children)


if __name__ == "__main__":
    sys.exit(main())
