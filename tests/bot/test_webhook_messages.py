"""Every message and event type through HTTP; retries; ordering; replies residents read."""

from __future__ import annotations

import concurrent.futures
import time

import pytest
from sqlalchemy import func, select

from bot.runtime import Runtime
from storage.models import InboundMessage, Resident
from tests.conftest import WeChat


def stored(runtime: Runtime, openid: str) -> list[InboundMessage]:
    with runtime.session_factory() as session:
        query = (
            select(InboundMessage)
            .where(InboundMessage.openid == openid)
            .order_by(InboundMessage.id)
        )
        return list(session.scalars(query))


def reply_of(wechat: WeChat, fields: dict[str, str | int | float]) -> tuple[int, str | None]:
    response = wechat.post_fields(fields)
    return response.status_code, wechat.sim.read_reply(response.status_code, response.content).text


def media_fields(wechat: WeChat, openid: str, msg_type: str, **extra: str | float) -> dict:
    fields = wechat.sim.text_fields(openid, "")
    del fields["Content"]
    fields["MsgType"] = msg_type
    fields.update(extra)
    return fields


def test_text_help_gets_menu(wechat: WeChat, runtime: Runtime) -> None:
    reply = wechat.say("u-text", "帮助")
    assert reply is not None and "反映问题" in reply and "转人工" in reply
    [row] = stored(runtime, "u-text")
    assert row.msg_type == "text" and row.content == "帮助" and row.status == "handled"


@pytest.mark.parametrize(
    ("msg_type", "extra", "expect"),
    [
        ("image", {"PicUrl": "http://img/1.jpg", "MediaId": "m-img"}, "收到您的图片"),
        ("voice", {"MediaId": "m-voice", "Format": "amr"}, "暂时无法识别"),
        ("video", {"MediaId": "m-video", "ThumbMediaId": "t1"}, "收到"),
        ("shortvideo", {"MediaId": "m-sv", "ThumbMediaId": "t2"}, "收到"),
        (
            "location",
            {"Location_X": 30.1, "Location_Y": 120.2, "Scale": 15, "Label": "城南社区3号楼"},
            "城南社区3号楼",
        ),
        ("link", {"Title": "停水通知", "Description": "d", "Url": "http://x"}, "停水通知"),
    ],
)
def test_media_messages_are_stored_and_answered(
    wechat: WeChat, runtime: Runtime, msg_type: str, extra: dict, expect: str
) -> None:
    status, reply = reply_of(wechat, media_fields(wechat, f"u-{msg_type}", msg_type, **extra))
    assert status == 200
    assert reply is not None and expect in reply
    [row] = stored(runtime, f"u-{msg_type}")
    assert row.msg_type == msg_type
    if "MediaId" in extra:
        assert row.payload["MediaId"] == extra["MediaId"]  # kept for staff


def test_voice_with_recognition_is_understood_as_text(wechat: WeChat, runtime: Runtime) -> None:
    fields = media_fields(
        wechat, "u-voice-rec", "voice", MediaId="m1", Format="amr", Recognition="帮助"
    )
    status, reply = reply_of(wechat, fields)
    assert status == 200 and reply is not None and "反映问题" in reply
    [row] = stored(runtime, "u-voice-rec")
    assert row.content == "帮助"


def test_subscribe_welcomes_and_unsubscribe_is_silent(wechat: WeChat, runtime: Runtime) -> None:
    welcome = wechat.event("u-sub", "subscribe")
    assert welcome is not None and "欢迎关注城南社区" in welcome and "住址" in welcome
    assert wechat.event("u-sub", "unsubscribe") is None
    with runtime.session_factory() as session:
        resident = session.scalars(select(Resident).where(Resident.openid == "u-sub")).one()
        assert resident.subscribed is False


def test_scan_click_view_location_events(wechat: WeChat, runtime: Runtime) -> None:
    assert "欢迎" in (wechat.event("u-ev", "SCAN", key="qrscene_3") or "")
    assert "反映问题" in (wechat.event("u-ev2", "CLICK", key="MENU_HELP") or "")
    assert wechat.event("u-ev3", "VIEW", key="http://example/page") is None
    fields = wechat.sim.event_fields(
        "u-ev4", "LOCATION", Latitude=30.2, Longitude=120.1, Precision=50.0
    )
    assert reply_of(wechat, fields) == (200, None)
    assert len(stored(runtime, "u-ev4")) == 1


def test_unknown_types_answer_success_and_are_kept(wechat: WeChat, runtime: Runtime) -> None:
    response = wechat.post_fields(media_fields(wechat, "u-odd", "hologram", Data="x"))
    assert response.status_code == 200 and response.text == "success"
    response = wechat.post_fields(wechat.sim.event_fields("u-odd2", "card_pass_check"))
    assert response.status_code == 200 and response.text == "success"
    assert stored(runtime, "u-odd")[0].msg_type == "hologram"


def test_retry_is_processed_once_with_identical_replies(wechat: WeChat, runtime: Runtime) -> None:
    fields = wechat.sim.text_fields("u-retry", "转人工")
    bodies = [wechat.post_fields(fields) for _ in range(3)]
    assert [b.status_code for b in bodies] == [200, 200, 200]
    assert bodies[0].content == bodies[1].content == bodies[2].content
    assert len(stored(runtime, "u-retry")) == 1
    from storage.models import Handover

    with runtime.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Handover)) == 1


def test_concurrent_retries_are_processed_once(wechat: WeChat, runtime: Runtime) -> None:
    fields = wechat.sim.text_fields("u-conc", "转人工")
    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        responses = list(pool.map(lambda _: wechat.post_fields(fields), range(3)))
    assert {r.status_code for r in responses} == {200}
    assert len({r.content for r in responses}) == 1
    assert len(stored(runtime, "u-conc")) == 1


def test_event_retries_deduplicate_by_sender_time_and_event(
    wechat: WeChat, runtime: Runtime
) -> None:
    created = int(time.time())
    fields = wechat.sim.event_fields("u-evdup", "subscribe", created=created)
    first, second = wechat.post_fields(fields), wechat.post_fields(fields)
    assert first.content == second.content
    assert len(stored(runtime, "u-evdup")) == 1
    other = wechat.sim.event_fields("u-evdup", "CLICK", key="MENU_HELP", created=created)
    assert wechat.post_fields(other).status_code == 200
    assert len(stored(runtime, "u-evdup")) == 2


def test_one_users_messages_are_handled_in_order(wechat: WeChat, runtime: Runtime) -> None:
    texts = ["绑定房号", "3号楼2单元501"]
    first = wechat.say("u-order", texts[0])
    assert first is not None and "住址" in first
    second = wechat.say("u-order", texts[1])
    assert second is not None and "3号楼2单元501" in second
    rows = stored(runtime, "u-order")
    assert [r.content for r in rows] == texts
