"""Open311 GeoReport v2: a civic-tech client files a report, reads it, sees it closed."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.runtime import Runtime
from tests.admin.conftest import Console, audit_rows
from tests.conftest import InProcessApp, WeChat
from tests.reports.conftest import get_request, report_code


def test_open311_round_trip(
    live_server: InProcessApp, runtime: Runtime, console: Callable[[str], Console]
) -> None:
    http = live_server.client(base_url=live_server.url + "/open311/v2")
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
    assert shown["description"] is None  # until staff approve a public summary
    admin = console("admin")
    admin.api_post(f"/admin/api/requests/{row.id}/claim")
    admin.api_post(f"/admin/api/requests/{row.id}/resolve", {"note": "已更换灯泡"})
    summary = admin.api_post(
        f"/admin/api/requests/{row.id}/public-summary", {"summary": "3号楼楼道灯已修好"}
    )
    assert summary.status_code == 200 and summary.json()["public_summary"] == "3号楼楼道灯已修好"
    (closed,) = http.get(f"/requests/{code}.json").json()
    assert closed["status"] == "closed" and closed["status_notes"] is None
    assert closed["description"] == "3号楼楼道灯已修好"
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
    live_server: InProcessApp, runtime: Runtime, fields: dict[str, str], message: str
) -> None:
    response = live_server.client().post("/open311/v2/requests.json", data=fields)
    assert response.status_code == 400
    assert message in response.json()[0]["description"]
    assert live_server.client().get("/open311/v2/requests/M20990101-0001.json").status_code == 404


def test_open311_hides_private_matters_and_needs_a_key_when_configured(
    live_server: InProcessApp, wechat: WeChat, monkeypatch: pytest.MonkeyPatch
) -> None:
    wechat.say("demo-wangnainai", "楼上邻居天天吵架还骂人")
    listed = live_server.client().get("/open311/v2/requests.json").json()
    assert listed and all("骂人" not in (r["description"] or "") for r in listed)
    monkeypatch.setattr(live_server.runtime.settings, "open311_keys", "k1,k2")
    form = {"service_code": "noise", "description": "夜里施工", "address_string": "5号楼"}
    refused = live_server.client().post("/open311/v2/requests.json", data=form)
    assert refused.status_code == 403
    accepted = live_server.client().post(
        "/open311/v2/requests.json", data={**form, "api_key": "k2"}
    )
    assert accepted.status_code == 200


WANG_WORDS = "我是王奶奶，住3号楼2单元501，楼道灯坏了好几天了，电话13812345678"
PRIVATE = ("王奶奶", "13812345678", "501", "2单元", "好几天", "13900001111", "老李")


def test_open311_never_shows_what_a_resident_wrote_or_staff_notes(
    live_server: InProcessApp, runtime: Runtime, wechat: WeChat, console: Callable[[str], Console]
) -> None:
    http = live_server.client(base_url=live_server.url + "/open311/v2")
    code = report_code(wechat, "demo-wangnainai", WANG_WORDS)
    row = get_request(runtime, code)
    admin = console("admin")
    admin.api_post(f"/admin/api/requests/{row.id}/claim")
    admin.api_post(
        f"/admin/api/requests/{row.id}/resolve", {"note": "已派电工老李（13900001111）修好"}
    )
    (shown,) = http.get(f"/requests/{code}.json").json()
    listed = http.get("/requests.json").json()
    for text in (str(shown), str(listed)):
        assert not [p for p in PRIVATE if p in text], text
    assert shown["service_name"] == "公共照明" and shown["address"] == "城南社区3号楼"
    assert shown["status"] == "closed" and shown["requested_datetime"]
    # A summary staff approve is scrubbed too, even if it repeats the resident's words.
    admin.api_post(f"/admin/api/requests/{row.id}/public-summary", {"summary": WANG_WORDS})
    assert get_request(runtime, code).public_summary == (
        "我是居民，住3号楼，楼道灯坏了好几天了，电话＊＊"
    )
    (shown,) = http.get(f"/requests/{code}.json").json()
    assert shown["description"] == "我是居民，住3号楼，楼道灯坏了好几天了，电话＊＊"
    # Staff still see everything the resident wrote.
    detail = admin.http.get(f"/admin/api/requests/{row.id}").json()
    assert detail["description"] == WANG_WORDS
    http.close()


def test_public_summary_is_set_on_the_request_page_and_audited(
    runtime: Runtime, wechat: WeChat, console: Callable[[str], Console]
) -> None:
    code = report_code(wechat, "demo-wangnainai", WANG_WORDS)
    row = get_request(runtime, code)
    zhang = console("zhangmin")
    page = zhang.http.get(f"/admin/requests/{row.id}")
    assert "公开摘要" in page.text
    saved = zhang.post_form(
        f"/admin/requests/{row.id}/public-summary", summary="3栋2单元501门口灯坏，已报修"
    )
    assert saved.status_code == 303
    assert get_request(runtime, code).public_summary == "3栋门口灯坏，已报修"
    assert "公开摘要已保存" in zhang.http.get(saved.headers["location"]).text
    [audited] = audit_rows(runtime, "public_summary")
    assert audited.username == "zhangmin" and audited.target_id == code
    other = console("liqiang")  # grid 3 cannot publish about grid 1
    refused = other.post_form(f"/admin/requests/{row.id}/public-summary", summary="x")
    assert refused.status_code == 403


@pytest.mark.parametrize("words", ["燃气泄漏，味道很大", "电梯里有人被困住了"])
def test_open311_dangers_are_filed_urgent(
    live_server: InProcessApp, runtime: Runtime, words: str
) -> None:
    http = live_server.client(base_url=live_server.url + "/open311/v2")
    created = http.post(
        "/requests.json",
        data={"service_code": "utilities", "description": words, "address_string": "3号楼"},
    )
    assert created.status_code == 200, created.text
    assert get_request(runtime, created.json()[0]["service_request_id"]).urgent
