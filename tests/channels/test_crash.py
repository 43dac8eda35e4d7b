"""A worker killed in the middle of a send: the delivery is sent later, exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import psutil

import bot.jobs.deliveries
from bot.wechat_api import TokenCache
from storage.events import history
from storage.models import Delivery
from tests.helpers import plan_text


def wait_for(predicate, timeout=20.0, step=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def kill_tree(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL the worker and its work horse (RQ puts the horse in its own session)."""
    victims = psutil.Process(proc.pid).children(recursive=True)
    os.kill(proc.pid, signal.SIGKILL)
    for child in victims:
        child.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    psutil.wait_procs(victims, timeout=10)


def worker_env(settings, tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "SHEQU_ENV": "local",
            "SHEQU_DATA_DIR": str(tmp_path),
            "DATABASE_URL": settings.database_url,
            "REDIS_URL": settings.redis_url,
            "WECHAT_APPID": settings.wechat_appid,
            "WECHAT_SECRET": settings.wechat_secret,
            "WECHAT_API_BASE": settings.wechat_api_base,
            "WECOM_API_BASE": settings.wecom_api_base,
        }
    )
    return env


def test_worker_killed_mid_send_then_reaped_and_sent_once(
    platform, runtime, session, add_resident, work, clock, tmp_path
):
    add_resident("o_crash", last_message_at=datetime.now(UTC))
    TokenCache(runtime.settings, runtime.redis).get()
    platform.control(latency_ms=3000)
    delivery = plan_text(
        session,
        channel="customer_service",
        recipient="o_crash",
        text="您的送餐已安排",
        key="crash-1",
        purpose="crash",
    )
    session.commit()
    assert runtime.drain_outbox() == 1

    rq_cli = str(Path(sys.executable).with_name("rq"))
    proc = subprocess.Popen(
        [rq_cli, "worker", "-u", runtime.settings.redis_url, "default"],
        env=worker_env(runtime.settings, tmp_path),
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:

        def status() -> str:
            session.expire_all()
            return session.get(Delivery, delivery.id).status  # type: ignore[union-attr]

        assert wait_for(lambda: status() == "sending"), "worker never claimed the delivery"
        time.sleep(0.8)  # the request is now waiting in the sandbox's latency
    finally:
        kill_tree(proc)

    time.sleep(3.0)  # longer than the latency: an accepted request would be recorded by now
    assert platform.records(kind="custom", target="o_crash") == []
    assert status() == "sending"
    assert platform.control()["dropped"] == 1  # the kill landed while the send was in flight

    platform.control(latency_ms=0)
    assert bot.jobs.deliveries.reap_deliveries() == 0  # the lease still holds
    clock.advance(bot.jobs.deliveries.LEASE.total_seconds() + 1)
    assert bot.jobs.deliveries.reap_deliveries() == 1
    work()

    records = platform.records(kind="custom", target="o_crash")
    assert [r["text"] for r in records] == ["您的送餐已安排"]
    session.expire_all()
    final = session.get(Delivery, delivery.id)
    assert final is not None and final.status == "sent" and final.attempts == 2
    states = [(e.from_state, e.to_state) for e in history(session, "delivery", delivery.id)]
    assert states == [
        (None, "pending"),
        ("pending", "sending"),
        ("sending", "sending"),
        ("sending", "sent"),
    ]

    # Any job still queued for it (the killed worker's, a scheduled retry) changes nothing.
    assert bot.jobs.deliveries.send_delivery(delivery.id) == "skipped"
    assert len(platform.records(kind="custom", target="o_crash")) == 1
