"""Errors anywhere in handling lose nothing: the resident gets the apology, a person gets
the message, and WeChat gets a 200 (so it does not retry into the same failure)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from bot.runtime import Runtime
from handlers.base import Understood
from storage.models import Event, Handover, InboundMessage
from tests.conftest import LiveServer, WeChat


def test_a_failure_in_understanding_is_apologised_for_and_handed_over(
    runtime: Runtime, server_port: int
) -> None:
    def broken(text: str, today: date | None = None) -> Understood:
        raise RuntimeError("understanding blew up")

    server = LiveServer(runtime, server_port, understand=broken)
    server.start()
    client = WeChat(server)
    try:
        reply = client.say("demo-wangnainai", "3号楼楼道灯坏了")
    finally:
        client.http.close()
        server.stop()
    assert reply is not None and "抱歉" in reply and "已记录" in reply
    with runtime.session_factory() as session:
        row = session.scalars(select(InboundMessage)).one()
        assert row.status == "failed" and row.content == "3号楼楼道灯坏了"
        handover = session.scalars(select(Handover)).one()
        assert handover.text == "3号楼楼道灯坏了" and handover.inbound_message_id == row.id
        notes = [
            e.note for e in session.scalars(select(Event).where(Event.entity_type == "handover"))
        ]
        assert any("出错" in (note or "") for note in notes)
