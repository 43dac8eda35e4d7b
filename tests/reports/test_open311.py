"""Open311 GeoReport v2: a civic-tech client files a report, reads it, sees it closed."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from bot.runtime import Runtime
from tests.admin.conftest import Console
from tests.conftest import LiveServer, WeChat
from tests.reports.conftest import get_request


def test_open311_round_trip(
    live_server: LiveServer, runtime: Runtime, console: Callable[[str], Console]
) -> None:
    http = httpx.Client(base_url=live_server.url + "/open311/v2", timeout=15)
    services = http.get("/services.json").json()
    assert {"service_code": "lighting", "service_name": "公共照明"}.items() <= services[1].items()
    created = http.post(
        "/requests.json",
        data={
            "service_code": "lighting",
            "description": "3号楼2单元楼道灯不亮",
            "address_string": "3号楼2单元501",
        },
    )
    assert created.status_code == 200, created.text
    (receipt,) = created.json()
    code = receipt["service_request_id"]
    row = get_request(runtime, code)
    assert row.source == "open311" and row.grid_id == 1 and row.category == "公共照明"
    (shown,) = http.get(f"/requests/{code}.json").json()
    assert shown["status"] == "open" and shown["expected_datetime"]
    assert shown["address"] == "城南社区3号楼"  # the building, never the room
    assert shown["description"] == "3号楼2单元楼道灯不亮"
    admin = console("admin")
    admin.api_post(f"/admin/api/requests/{row.id}/claim")
    admin.api_post(f"/admin/api/requests/{row.id}/resolve", {"note": "已更换灯泡"})
    (closed,) = http.get(f"/requests/{code}.json").json()
    assert closed["status"] == "closed" and closed["status_notes"] == "已更换灯泡"
    listed = http.get("/requests.json", params={"status": "closed"}).json()
    assert [r["service_request_id"] for r in listed] == [code]
    assert http.get("/requests.json", params={"status": "open"}).json() == []
    http.close()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"service_code": "nope", "description": "x", "address_string": "3号楼"}, "service_code"),
        ({"service_code": "noise", "description": "", "address_string": "3号楼"}, "description"),
        ({"service_code": "noise", "description": "吵", "address_string": "楼下"}, "address"),
        ({"service_code": "noise", "description": "吵", "address_string": "40号楼"}, "40"),
    ],
)
def test_open311_bad_input_is_refused_clearly(
    live_server: LiveServer, runtime: Runtime, fields: dict[str, str], message: str
) -> None:
    response = httpx.post(live_server.url + "/open311/v2/requests.json", data=fields)
    assert response.status_code == 400
    assert message in response.json()[0]["description"]
    assert (
        httpx.get(live_server.url + "/open311/v2/requests/M20990101-0001.json").status_code == 404
    )


def test_open311_hides_private_matters_and_needs_a_key_when_configured(
    live_server: LiveServer, wechat: WeChat, monkeypatch: pytest.MonkeyPatch
) -> None:
    wechat.say("demo-wangnainai", "楼上邻居天天吵架还骂人")
    listed = httpx.get(live_server.url + "/open311/v2/requests.json").json()
    assert listed and all("骂人" not in (r["description"] or "") for r in listed)
    monkeypatch.setenv("SHEQU_OPEN311_KEYS", "k1,k2")
    form = {"service_code": "noise", "description": "夜里施工", "address_string": "5号楼"}
    refused = httpx.post(live_server.url + "/open311/v2/requests.json", data=form)
    assert refused.status_code == 403
    accepted = httpx.post(
        live_server.url + "/open311/v2/requests.json", data={**form, "api_key": "k2"}
    )
    assert accepted.status_code == 200
