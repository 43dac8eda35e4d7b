"""The webhook's edge: official safe-mode sample, signatures, replay, hostile XML, size."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import func, select

from bot.app import create_app
from bot.runtime import Runtime
from bot.sandbox.simulator import WeChatSimulator
from bot.security import sign
from bot.settings import Settings
from bot.wire import SafeMode, parse_xml
from storage.models import InboundMessage
from tests.bot.asgi_client import AppClient
from tests.conftest import LiveServer, WeChat

SAMPLE_TOKEN = "spamtest"
SAMPLE_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
SAMPLE_APPID = "wx2c2769f8efd9abc2"
SAMPLE_TIMESTAMP = "1409735669"
SAMPLE_NONCE = "1320562132"
SAMPLE_MSG_SIGNATURE = "5d197aaffba7e9b25a30732f161a50dee96bd5fa"
SAMPLE_ENCRYPT = (
    "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQ"
    "HFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tE"
    "DYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3y"
    "ZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl"
    "+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE="
)


def stored_count(runtime: Runtime) -> int:
    with runtime.session_factory() as session:
        return int(session.scalar(select(func.count()).select_from(InboundMessage)) or 0)


@pytest.fixture
def sample_server(settings: Settings, server_port: int) -> LiveServer:
    # The official sample is from 2014: widen the replay window for this test only.
    sample_settings = settings.model_copy(
        update={
            "wechat_token": SAMPLE_TOKEN,
            "wechat_aes_key": SAMPLE_KEY,
            "wechat_appid": SAMPLE_APPID,
            "replay_window_seconds": 10**10,
        }
    )
    server = LiveServer(Runtime(sample_settings), server_port)
    server.start()
    yield server
    server.stop()


def test_official_safe_mode_sample_is_decrypted_and_answered_encrypted(
    sample_server: LiveServer,
) -> None:
    body = (
        "<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>"
        f"<Encrypt><![CDATA[{SAMPLE_ENCRYPT}]]></Encrypt></xml>"
    )
    params = {
        "signature": sign(SAMPLE_TOKEN, SAMPLE_TIMESTAMP, SAMPLE_NONCE),
        "timestamp": SAMPLE_TIMESTAMP,
        "nonce": SAMPLE_NONCE,
        "encrypt_type": "aes",
        "msg_signature": SAMPLE_MSG_SIGNATURE,
    }
    response = httpx.post(sample_server.url + "/wechat", params=params, content=body)
    assert response.status_code == 200
    envelope = parse_xml(response.content)
    assert set(envelope) >= {"Encrypt", "MsgSignature", "TimeStamp", "Nonce"}
    assert envelope["MsgSignature"] == sign(
        SAMPLE_TOKEN, envelope["TimeStamp"], envelope["Nonce"], envelope["Encrypt"]
    )
    reply = parse_xml(SafeMode(SAMPLE_TOKEN, SAMPLE_KEY, SAMPLE_APPID).decrypt(envelope["Encrypt"]))
    assert reply["ToUserName"] == "oyORnuP8q7ou2gfYjqLzSIWZf0rs"
    assert reply["FromUserName"] == "gh_10f6c3c3ac5a"
    assert reply["MsgType"] == "text"
    assert reply["Content"]  # a real answer in Chinese, not "success"
    with sample_server.runtime.session_factory() as session:
        stored = session.scalars(select(InboundMessage)).one()
    assert (
        stored.dedup_key == "msg:gh_10f6c3c3ac5a:oyORnuP8q7ou2gfYjqLzSIWZf0rs:6054768590064713728"
    )
    assert stored.content == "abcdteT"


def test_echo_check(wechat: WeChat) -> None:
    stamp = str(int(time.time()))
    params = {
        "signature": sign("test-token", stamp, "n1"),
        "timestamp": stamp,
        "nonce": "n1",
        "echostr": "hello-echo",
    }
    response = wechat.http.get(wechat.url, params=params)
    assert response.status_code == 200
    assert response.text == "hello-echo"
    params["signature"] = "0" * 40
    assert wechat.http.get(wechat.url, params=params).status_code == 403


def test_forged_signature_is_refused_and_nothing_stored(wechat: WeChat, runtime: Runtime) -> None:
    signed = wechat.sim.sign_request(wechat.sim.text_fields("u-forged", "你好"))
    params = dict(signed.params, signature="f" * 40)
    response = wechat.http.post(wechat.url, params=params, content=signed.body)
    assert response.status_code == 403
    assert stored_count(runtime) == 0


def test_forged_msg_signature_in_safe_mode_is_refused(
    safe_wechat: WeChat, runtime: Runtime
) -> None:
    signed = safe_wechat.sim.sign_request(safe_wechat.sim.text_fields("u-forged", "你好"))
    params = dict(signed.params, msg_signature="a" * 40)
    response = safe_wechat.http.post(safe_wechat.url, params=params, content=signed.body)
    assert response.status_code == 403
    assert stored_count(runtime) == 0


def test_stale_timestamp_is_refused(wechat: WeChat, runtime: Runtime) -> None:
    stale = int(time.time()) - 301
    response = wechat.post_fields(wechat.sim.text_fields("u-stale", "你好"), timestamp=stale)
    assert response.status_code == 403
    assert stored_count(runtime) == 0
    fresh = int(time.time()) - 250
    assert (
        wechat.post_fields(wechat.sim.text_fields("u-ok", "你好"), timestamp=fresh).status_code
        == 200
    )


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<xml><ToUserName>gh</ToUserName><FromUserName>u-bomb</FromUserName><CreateTime>1</CreateTime>
<MsgType>text</MsgType><Content>&lol9;</Content><MsgId>1</MsgId></xml>"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<xml><ToUserName>gh</ToUserName><FromUserName>u-xxe</FromUserName><CreateTime>1</CreateTime>
<MsgType>text</MsgType><Content>&xxe;</Content><MsgId>2</MsgId></xml>"""


@pytest.mark.parametrize("body", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["billion-laughs", "xxe"])
def test_hostile_xml_is_refused_and_service_keeps_answering(
    wechat: WeChat, runtime: Runtime, body: str
) -> None:
    signed = wechat.sim.sign_request(wechat.sim.text_fields("u-any", "x"))
    response = wechat.http.post(wechat.url, params=signed.params, content=body.encode())
    assert response.status_code == 400
    assert "root:" not in response.text
    assert stored_count(runtime) == 0
    assert wechat.say("u-after", "帮助")  # the next message is answered normally
    assert stored_count(runtime) == 1


def test_hostile_xml_inside_safe_mode_ciphertext_is_refused(safe_wechat: WeChat) -> None:
    stamp = str(int(time.time()))
    encrypted = parse_xml(
        SafeMode("test-token", SAMPLE_KEY, "wxtest0000000001")
        .encrypt_reply(BILLION_LAUGHS, stamp)
        .encode()
    )["Encrypt"]
    params = {
        "signature": sign("test-token", stamp, "n"),
        "timestamp": stamp,
        "nonce": "n",
        "encrypt_type": "aes",
        "msg_signature": sign("test-token", stamp, "n", encrypted),
    }
    body = f"<xml><ToUserName>gh</ToUserName><Encrypt>{encrypted}</Encrypt></xml>"
    response = safe_wechat.http.post(safe_wechat.url, params=params, content=body)
    assert response.status_code == 400
    assert safe_wechat.say("u-after", "帮助")


def test_oversized_body_gets_413(wechat: WeChat, runtime: Runtime) -> None:
    huge = wechat.sim.text_fields("u-huge", "长" * (2 * 1024 * 1024 // 3))
    response = wechat.post_fields(huge)
    assert response.status_code == 413
    assert stored_count(runtime) == 0


def test_malformed_xml_gets_400(wechat: WeChat) -> None:
    signed = wechat.sim.sign_request(wechat.sim.text_fields("u", "x"))
    response = wechat.http.post(wechat.url, params=signed.params, content=b"<xml><oops></xml>")
    assert response.status_code == 400


# -- Encryption modes and dedupe keys --------------------------------------------------------


@pytest.fixture
def safe_only(settings: Settings) -> Iterator[tuple[AppClient, WeChatSimulator, Runtime]]:
    """The app configured for safe mode (WECHAT_ENCRYPT_MODE=safe), served in process."""
    runtime = Runtime(settings.model_copy(update={"wechat_encrypt_mode": "safe"}))
    sim = WeChatSimulator(settings.wechat_token, settings.wechat_aes_key, settings.wechat_appid)
    with AppClient(create_app(runtime)) as client:
        yield client, sim, runtime
    runtime.close()


def post(client: AppClient, sim: WeChatSimulator, fields: dict, mode: str) -> httpx.Response:
    signed = sim.sign_request(fields, mode=mode)  # type: ignore[arg-type]
    return client.post("/wechat", params=signed.params, content=signed.body)


def test_plaintext_post_is_refused_in_safe_mode_and_nothing_stored(
    safe_only: tuple[AppClient, WeChatSimulator, Runtime],
) -> None:
    client, sim, runtime = safe_only
    forged = post(client, sim, sim.text_fields("demo-wangnainai", "取消"), "plain")
    assert forged.status_code == 403
    assert "安全模式只接受加密消息" in forged.text
    assert stored_count(runtime) == 0
    # Compatible-mode bodies are encrypted and signed over the ciphertext: accepted.
    for mode in ("safe", "compatible"):
        accepted = post(client, sim, sim.text_fields("u-safe", "帮助"), mode)
        assert accepted.status_code == 200
        assert sim.read_reply(200, accepted.content, mode="safe").text  # type: ignore[arg-type]
    assert stored_count(runtime) == 2


def test_encrypted_post_without_msg_signature_is_refused_in_safe_mode(
    safe_only: tuple[AppClient, WeChatSimulator, Runtime],
) -> None:
    client, sim, runtime = safe_only
    signed = sim.sign_request(sim.text_fields("u-nosig", "你好"), mode="safe")
    params = {k: v for k, v in signed.params.items() if k != "msg_signature"}
    response = client.post("/wechat", params=params, content=signed.body)
    assert response.status_code == 403
    assert stored_count(runtime) == 0


def test_two_senders_with_the_same_msgid_are_both_stored_and_answered(
    settings: Settings, runtime: Runtime
) -> None:
    sim = WeChatSimulator(settings.wechat_token, settings.wechat_aes_key, settings.wechat_appid)
    with AppClient(create_app(runtime)) as client:
        first = post(client, sim, sim.text_fields("u-one", "帮助", msg_id="777"), "plain")
        second = post(client, sim, sim.text_fields("u-two", "你好", msg_id="777"), "plain")
        retry = post(client, sim, sim.text_fields("u-two", "你好", msg_id="777"), "plain")
    assert first.status_code == second.status_code == retry.status_code == 200
    with runtime.session_factory() as session:
        stored = session.scalars(select(InboundMessage).order_by(InboundMessage.id)).all()
    assert [(m.openid, m.content) for m in stored] == [("u-one", "帮助"), ("u-two", "你好")]
    assert sim.read_reply(200, second.content).text  # the second sender got an answer too
