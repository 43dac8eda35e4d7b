"""A message stored but never answered (the web process died) is handled again, once."""

from __future__ import annotations

import threading
from datetime import timedelta

from redis import Redis
from rq import Queue, SimpleWorker
from sqlalchemy import select

import bot.reaper
from bot.runtime import Runtime
from bot.sandbox.simulator import WeChatSimulator, build_xml
from bot.wire import parse_xml, to_incoming
from storage.models import InboundMessage, SandboxRecord, ServiceRequest, utcnow
from storage.writes import insert_if_new
from tests.conftest import AES_KEY, APPID, TOKEN, InProcessApp

OPENID = "demo-wangnainai"
WORDS = "3号楼2单元楼道灯坏了，晚上看不见"


def store_as_the_dead_process_did(runtime: Runtime, age: timedelta) -> int:
    """What the webhook stores before handling: the parsed WeChat fields, `received`."""
    sim = WeChatSimulator(TOKEN, AES_KEY, APPID)
    fields = parse_xml(build_xml(sim.text_fields(OPENID, WORDS)).encode())
    msg = to_incoming(fields)
    with runtime.session_factory() as session:
        row_id = insert_if_new(
            session,
            {
                "dedup_key": msg.dedup_key,
                "openid": msg.openid,
                "msg_type": msg.msg_type,
                "event": msg.event,
                "content": msg.text,
                "payload": msg.raw,
                "created_at": msg.created_at,
                "received_at": utcnow() - age,
                "status": "received",
            },
        )
        session.commit()
    assert row_id is not None
    return row_id


def deliver_everything(runtime: Runtime, redis: Redis) -> None:
    runtime.drain_outbox()
    names = [q.decode() for q in redis.smembers("rq:queues")]
    queues = [Queue(name.removeprefix("rq:queue:"), connection=redis) for name in names]
    SimpleWorker(queues or [Queue("default", connection=redis)], connection=redis).work(burst=True)


def test_a_received_row_is_handled_once_and_the_answer_sent_as_a_message(
    runtime: Runtime, live_server: InProcessApp, redis: Redis
) -> None:
    fresh = store_as_the_dead_process_did(runtime, timedelta(seconds=5))
    row_id = store_as_the_dead_process_did(runtime, timedelta(minutes=3))

    counts: list[int] = []
    threads = [
        threading.Thread(target=lambda: counts.append(bot.reaper.reap_inbound())) for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    counts.append(bot.reaper.reap_inbound())
    counts.append(bot.reaper.reap_inbound())
    assert sorted(counts) == [0, 0, 0, 1]

    deliver_everything(runtime, redis)
    with runtime.session_factory() as session:
        row = session.get(InboundMessage, row_id)
        young = session.get(InboundMessage, fresh)
        assert row is not None and young is not None
        assert row.status != "received" and row.intent == "report_problem"
        # A row younger than a minute may still be in the hands of a live attempt.
        assert young.status == "received"
        [request] = session.scalars(
            select(ServiceRequest).where(ServiceRequest.inbound_message_id == row_id)
        ).all()
        sent = session.scalars(
            select(SandboxRecord).where(
                SandboxRecord.kind == "custom", SandboxRecord.target == OPENID
            )
        ).all()
    assert len(sent) == 1, [s.text for s in sent]
    assert request.code in (sent[0].text or "")
