"""Report fixtures: real RQ workers over every grid queue, console browsers, and readers
for requests, their history and what the sandbox platform received."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime

import pytest
from redis import Redis
from rq import Queue, SimpleWorker
from sqlalchemy import select

from bot.runtime import Runtime
from storage.clock import CHINA, FrozenClock, set_clock
from storage.events import history
from storage.models import Delivery, SandboxRecord, ServiceRequest
from storage.outbound.queues import all_queue_names
from tests.admin.conftest import Console, signed_in_consoles
from tests.conftest import InProcessApp, WeChat

CODE = re.compile(r"M\d{8}-\d{4}")


@pytest.fixture
def frozen_clock() -> Iterator[FrozenClock]:
    """The service clock stopped at Monday 2026-12-07 10:00 China time (working time);
    tests move it with .set() / .advance()."""
    clock = FrozenClock(datetime(2026, 12, 7, 10, 0, tzinfo=CHINA))
    set_clock(clock)
    yield clock
    set_clock(None)


@pytest.fixture
def work(runtime: Runtime, redis: Redis) -> Callable[[], None]:
    """Push the outbox to RQ and run a real worker in burst mode over all queues."""

    def run() -> None:
        with runtime.session_factory() as session:
            names = all_queue_names(session)
        queues = [Queue(n, connection=redis) for n in names]
        for _round in range(5):  # jobs may plan deliveries: run until nothing is left
            drained = runtime.drain_outbox()
            if not drained and not any(q.count for q in queues):
                return
            SimpleWorker(queues, connection=redis).work(burst=True)

    return run


@pytest.fixture
def console(live_server: InProcessApp) -> Iterator[Callable[[str], Console]]:
    yield from signed_in_consoles(live_server)


def get_request(runtime: Runtime, code: str | int) -> ServiceRequest:
    """By ticket code, or by id."""
    with runtime.session_factory() as session:
        if isinstance(code, int):
            found = session.get(ServiceRequest, code)
            assert found is not None
            return found
        return session.scalars(select(ServiceRequest).where(ServiceRequest.code == code)).one()


def report_code(wechat: WeChat, openid: str, text: str) -> str:
    """Report a problem through the chat; the ticket code the reply gives."""
    found = CODE.search(wechat.say(openid, text) or "")
    assert found is not None, "no ticket number in the reply"
    return found.group(0)


def report(wechat: WeChat, openid: str, text: str, runtime: Runtime) -> int:
    """Report a problem through the chat; the new request's id."""
    return get_request(runtime, report_code(wechat, openid, text)).id


def report_and_resolve(
    wechat: WeChat,
    runtime: Runtime,
    work: Callable[[], None],
    admin: Console,
    openid: str,
    text: str,
    note: str,
) -> tuple[str, int]:
    """Report through the chat, claim and resolve in the console, run the jobs that
    follow (the rating question); the ticket code and the request id."""
    code = report_code(wechat, openid, text)
    request_id = get_request(runtime, code).id
    admin.api_post(f"/admin/api/requests/{request_id}/claim")
    admin.api_post(f"/admin/api/requests/{request_id}/resolve", {"note": note})
    work()
    return code, request_id


def all_requests(runtime: Runtime) -> list[ServiceRequest]:
    with runtime.session_factory() as session:
        return list(session.scalars(select(ServiceRequest).order_by(ServiceRequest.id)))


def states(runtime: Runtime, request_id: int) -> list[tuple[str | None, str]]:
    with runtime.session_factory() as session:
        return [(e.from_state, e.to_state) for e in history(session, "request", request_id)]


def received(runtime: Runtime, target: str, kind: str | None = None) -> list[str]:
    """Texts the sandbox platform accepted for a recipient (custom, template or robot)."""
    with runtime.session_factory() as session:
        query = select(SandboxRecord).where(SandboxRecord.target == target)
        if kind:
            query = query.where(SandboxRecord.kind == kind)
        return [r.text or "" for r in session.scalars(query.order_by(SandboxRecord.id))]


def deliveries(runtime: Runtime, recipient: str) -> list[Delivery]:
    with runtime.session_factory() as session:
        query = select(Delivery).where(Delivery.recipient == recipient).order_by(Delivery.id)
        return list(session.scalars(query))
