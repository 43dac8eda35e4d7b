"""The sandbox's stand-in WeChat/WeCom APIs, over real HTTP, enforcing the platform's rules."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from bot.runtime import Runtime
from bot.sandbox.platform import build_platform_router
from storage.models import Resident

APPID = "wxtest0000000001"
SECRET = "shequ-local-secret"


class Api:
    def __init__(self, base: str) -> None:
        self.base = base
        self.http = httpx.Client(base_url=base, timeout=15)
        self.token = ""

    def fetch_token(self) -> str:
        self.token = self.http.post(
            "/wechat/cgi-bin/stable_token",
            json={
                "grant_type": "client_credential",
                "appid": APPID,
                "secret": SECRET,
            },
        ).json()["access_token"]
        return self.token

    def wx(self, path: str, body: dict | None = None, **params: str) -> dict:
        params.setdefault("access_token", self.token)
        url = "/wechat/cgi-bin/" + path
        response = (
            self.http.post(url, params=params, json=body)
            if body is not None
            else self.http.get(url, params=params)
        )
        return dict(response.json())

    def robot(self, key: str, content: str) -> dict:
        return dict(
            self.http.post(
                "/wecom/cgi-bin/webhook/send",
                params={"key": key},
                json={"msgtype": "text", "text": {"content": content}},
            ).json()
        )

    def records(self, **params: str | int) -> list[dict]:
        return list(self.http.get("/records", params=params).json()["records"])


@pytest.fixture
def api(runtime: Runtime, server_port: int) -> Iterator[Api]:
    app = FastAPI()
    app.state.runtime = runtime
    app.include_router(build_platform_router(), prefix="/sandbox/api")
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=server_port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    client = Api(f"http://127.0.0.1:{server_port}/sandbox/api")
    yield client
    client.http.close()
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def resident(runtime: Runtime) -> str:
    with runtime.session_factory() as session:
        session.add(
            Resident(
                openid="o_sbx",
                roles=["resident"],
                last_message_at=datetime.now(UTC) - timedelta(minutes=1),
            )
        )
        session.commit()
    return "o_sbx"


def test_token_endpoints_check_credentials_and_replace_old_tokens(api):
    bad = api.http.get(
        "/wechat/cgi-bin/token",
        params={"grant_type": "client_credential", "appid": "wx-other", "secret": SECRET},
    ).json()
    assert bad["errcode"] == 40013
    bad = api.http.post(
        "/wechat/cgi-bin/stable_token",
        json={"grant_type": "client_credential", "appid": APPID, "secret": "wrong"},
    ).json()
    assert bad["errcode"] == 40125
    first = api.fetch_token()
    assert api.fetch_token() == first  # stable_token: same token while it is valid
    assert api.wx("tags/get")["tags"] == []
    fresh = api.http.get(
        "/wechat/cgi-bin/token",
        params={"grant_type": "client_credential", "appid": APPID, "secret": SECRET},
    ).json()
    assert fresh["expires_in"] == 7200
    assert api.wx("tags/get")["errcode"] == 40001  # a new fetch invalidates the old token
    assert api.wx("tags/get", access_token=fresh["access_token"])["tags"] == []
    assert api.wx("tags/get", access_token="")["errcode"] == 41001


def test_custom_send_quota_and_window(api, resident, runtime):
    api.fetch_token()
    for n in range(5):
        answer = api.wx(
            "message/custom/send",
            {"touser": resident, "msgtype": "text", "text": {"content": f"消息{n}"}},
        )
        assert answer["errcode"] == 0
    sixth = api.wx(
        "message/custom/send",
        {"touser": resident, "msgtype": "text", "text": {"content": "第六条"}},
    )
    assert sixth["errcode"] == 45047
    assert [r["text"] for r in api.records(kind="custom")] == [f"消息{n}" for n in range(5)]
    unknown = api.wx(
        "message/custom/send", {"touser": "o_nobody", "msgtype": "text", "text": {"content": "x"}}
    )
    assert unknown["errcode"] == 40003
    api.http.post("/control", json={"clock_offset_seconds": 49 * 3600})
    late = api.wx(
        "message/custom/send",
        {"touser": resident, "msgtype": "text", "text": {"content": "太晚了"}},
    )
    assert late["errcode"] == 45015


def test_template_only_for_verified_service_accounts(api, runtime):
    api.fetch_token()
    body = {"touser": "o_t", "template_id": "T1", "data": {"first": {"value": "您好"}}}
    assert api.wx("message/template/send", body)["msgid"]
    runtime.settings.account_type = "subscription"
    assert api.wx("message/template/send", body)["errcode"] == 48001
    assert [r["text"] for r in api.records(kind="template")] == ["您好"]


def test_tags_and_mass_send_with_clientmsgid_dedup(api, resident):
    api.fetch_token()
    tag = api.wx("tags/create", {"tag": {"name": "3号楼"}})["tag"]["id"]
    assert tag >= 100
    too_many = api.wx(
        "tags/members/batchtagging", {"tagid": tag, "openid_list": [f"o{n}" for n in range(51)]}
    )
    assert too_many["errcode"] == 40032
    ok = api.wx("tags/members/batchtagging", {"tagid": tag, "openid_list": [resident, "o_b"]})
    assert ok["errcode"] == 0
    assert api.wx("tags/get")["tags"] == [{"id": tag, "name": "3号楼", "count": 2}]
    assert api.wx("user/info", openid=resident)["tagid_list"] == [tag]

    mass = {
        "filter": {"is_to_all": False, "tag_id": tag},
        "msgtype": "text",
        "text": {"content": "停水通知"},
        "clientmsgid": "notice-1",
    }
    first = api.wx("message/mass/sendall", mass)
    again = api.wx("message/mass/sendall", mass)
    assert first["errcode"] == 0
    assert again["errcode"] == 45065 and again["msg_id"] == first["msg_id"]
    [record] = api.records(kind="mass")
    assert record["target"] == str(tag)
    assert record["payload"]["recipients"] == sorted([resident, "o_b"])


def test_media_get_returns_an_image(api):
    api.fetch_token()
    response = api.http.get(
        "/wechat/cgi-bin/media/get", params={"access_token": api.token, "media_id": "m1"}
    )
    assert response.headers["content-type"] == "image/png"
    assert response.content.startswith(b"\x89PNG")


def test_robot_limits(api):
    assert api.robot("", "x")["errcode"] == 93000
    assert api.robot("k", "字" * 683)["errcode"] == 40058  # 2049 bytes
    assert api.robot("k", "a" * 2048)["errcode"] == 0
    for n in range(19):
        assert api.robot("k", f"m{n}")["errcode"] == 0
    assert api.robot("k", "one too many")["errcode"] == 45009
    assert api.robot("other", "another robot")["errcode"] == 0
    assert len(api.records(kind="wecom_robot", target="k")) == 20
    api.http.post("/control", json={"clock_offset_seconds": 61})
    assert api.robot("k", "next minute")["errcode"] == 0


def test_sender_that_hangs_up_during_latency_is_not_recorded(api):
    api.http.post("/control", json={"latency_ms": 1500})
    with pytest.raises(httpx.ReadTimeout):
        api.http.post(
            "/wecom/cgi-bin/webhook/send",
            params={"key": "k"},
            json={"msgtype": "text", "text": {"content": "lost"}},
            timeout=0.3,
        )
    time.sleep(1.8)
    assert api.records(kind="wecom_robot") == []
    assert api.http.get("/control").json()["dropped"] == 1
    assert api.robot("k", "kept")["errcode"] == 0  # a patient sender is recorded
    assert [r["text"] for r in api.records(kind="wecom_robot")] == ["kept"]


def test_records_filter_and_order(api):
    for n in range(3):
        api.robot("r1", f"a{n}")
    api.robot("r2", "b")
    records = api.records(kind="wecom_robot", target="r1")
    assert [r["text"] for r in records] == ["a0", "a1", "a2"]
    later = api.records(kind="wecom_robot", after_id=records[0]["id"])
    assert [r["text"] for r in later] == ["a1", "a2", "b"]
