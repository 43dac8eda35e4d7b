"""居民议事会 over the console's JSON API: the agenda drafted from the open problem list,
attendance, decisions, publishing to building groups and reporters, requests moved to 办."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bot.runtime import Runtime
from storage.events import history
from tests.admin.conftest import Console, audit_rows
from tests.conftest import WeChat
from tests.meetings.conftest import report
from tests.reports.conftest import get_request, received, states


def _later(days: int = 5) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


def _grid1_reports(wechat: WeChat, runtime: Runtime) -> tuple[int, int, int]:
    light = report(wechat, "demo-wangnainai", "3号楼楼道灯坏了", runtime)
    lift = report(wechat, "demo-zhaoxiaoli", "5号楼电梯又停了，老人上不去", runtime)
    other = report(wechat, "demo-lidaye", "8号楼门口垃圾好几天没人收", runtime)  # grid 2
    return light, lift, other


def test_meeting_from_draft_to_published_results(
    wechat: WeChat, runtime: Runtime, console: Callable[[str], Console], work: Callable[[], None]
) -> None:
    light, lift, other = _grid1_reports(wechat, runtime)
    admin = console("admin")
    draft = admin.http.get("/admin/api/meetings/draft", params={"scope": "grid:1"}).json()
    titles = [item["title"] for item in draft["items"]]
    assert sorted(titles) == ["3号楼·公共照明（1件）", "5号楼·电梯（1件）"]
    drafted = {r["id"] for item in draft["items"] for r in item["requests"]}
    assert drafted == {light, lift} and other not in drafted

    created = admin.api_post(
        "/admin/api/meetings",
        {
            "scope": "grid:1",
            "title": "第一网格居民议事会",
            "held_at": datetime.now(UTC).isoformat(),
            "request_ids": [light, lift],
        },
    )
    assert created.status_code == 201, created.text
    meeting = created.json()
    assert meeting["status"] == "draft" and len(meeting["items"]) == 2
    assert get_request(runtime, light).council_status == "agenda"
    # Already on this meeting's agenda: the next draft leaves them out.
    again = admin.http.get("/admin/api/meetings/draft", params={"scope": "grid:1"}).json()
    assert again["items"] == []

    mid = meeting["id"]
    early = admin.api_post(f"/admin/api/meetings/{mid}/publish")
    assert early.status_code == 400 and "参会" in early.json()["detail"]
    attended = admin.api_post(
        f"/admin/api/meetings/{mid}/attendance", {"names": ["王奶奶", "赵晓丽", "张敏"]}
    )
    assert attended.json()["attendee_count"] == 3 and attended.json()["status"] == "held"

    items = {i["category"]: i for i in meeting["items"]}
    past = admin.api_post(
        f"/admin/api/meetings/{mid}/items/{items['公共照明']['id']}/decision",
        {"action": "更换声控灯", "owner_name": "物业公司", "due_at": _later(-1)},
    )
    assert past.status_code == 400
    admin.api_post(
        f"/admin/api/meetings/{mid}/items/{items['公共照明']['id']}/decision",
        {
            "action": "物业三天内更换3号楼全部楼道声控灯",
            "owner_name": "阳光物业",
            "due_at": _later(3),
        },
    ).raise_for_status()
    half = admin.api_post(f"/admin/api/meetings/{mid}/publish")
    assert half.status_code == 400 and "没有作出决定" in half.json()["detail"]
    admin.api_post(
        f"/admin/api/meetings/{mid}/items/{items['电梯']['id']}/decision",
        {"action": "联系电梯维保单位检修", "owner_staff_id": 2, "due_at": _later(2)},
    ).raise_for_status()

    published = admin.api_post(f"/admin/api/meetings/{mid}/publish")
    assert published.status_code == 200, published.text
    assert published.json()["published"] == {
        "requests": 2,
        "dispatched": 2,
        "groups": 2,
        "residents": 2,
    }
    assert admin.api_post(f"/admin/api/meetings/{mid}/publish").status_code == 409
    work()

    request = get_request(runtime, light)
    assert request.status == "dispatched" and request.owner_name == "阳光物业"
    assert request.council_status == "decided"
    assert request.council_decision == "物业三天内更换3号楼全部楼道声控灯"
    assert timedelta(days=2, hours=23) < request.due_at - datetime.now(UTC) < timedelta(days=3)
    assert get_request(runtime, lift).owner_staff_id == 2
    assert [to for _f, to in states(runtime, light)][-3:] == ["agenda", "decided", "dispatched"]
    assert get_request(runtime, other).council_status == ""

    group = received(runtime, "bldg-3", "wecom_robot")
    assert len(group) == 1 and "居民议事会结果" in group[0] and "声控灯" in group[0]
    assert "电梯" not in group[0]  # building 5's item goes to building 5's group
    assert any("维保" in text for text in received(runtime, "bldg-5", "wecom_robot"))
    to_reporter = received(runtime, "demo-wangnainai")
    assert any("居民议事会讨论" in t and "阳光物业" in t for t in to_reporter)

    with runtime.session_factory() as session:
        events = [e.to_state for e in history(session, "meeting", mid)]
    assert events == ["draft", "held", "item_decided", "item_decided", "published"]
    actions = [a.action for a in audit_rows(runtime) if a.action.startswith("meeting_")]
    assert actions == [
        "meeting_create",
        "meeting_attendance",
        "meeting_decide",
        "meeting_decide",
        "meeting_publish",
    ]
    late = admin.api_post(f"/admin/api/meetings/{mid}/attendance", {"count": 9})
    assert late.status_code == 409


def test_grid_workers_run_only_their_own_grids_meetings(
    wechat: WeChat, runtime: Runtime, console: Callable[[str], Console]
) -> None:
    light, _lift, other = _grid1_reports(wechat, runtime)
    zhang = console("zhangmin")  # grids 1 and 2
    li = console("liqiang")  # grid 3
    canteen = console("canteen")
    assert li.http.get("/admin/api/meetings/draft", params={"scope": "grid:1"}).status_code == 403
    assert canteen.http.get("/admin/api/meetings").status_code == 403
    body = {
        "scope": "community:1",
        "title": "全社区议事会",
        "held_at": datetime.now(UTC).isoformat(),
        "request_ids": [light],
    }
    assert zhang.api_post("/admin/api/meetings", body).status_code == 403
    outside = {**body, "scope": "grid:1", "request_ids": [light, other]}
    refused = zhang.api_post("/admin/api/meetings", outside)
    assert refused.status_code == 400 and "范围" in refused.json()["detail"]
    made = zhang.api_post("/admin/api/meetings", {**body, "scope": "grid:1"})
    assert made.status_code == 201
    mid = made.json()["id"]
    assert li.http.get(f"/admin/api/meetings/{mid}").status_code == 403
    assert li.http.get(f"/admin/meetings/{mid}").status_code == 403
    assert [m["id"] for m in li.http.get("/admin/api/meetings").json()] == []
    assert [m["id"] for m in zhang.http.get("/admin/api/meetings").json()] == [mid]
    # No CSRF token: refused, nothing recorded.
    bare = zhang.http.post(f"/admin/api/meetings/{mid}/attendance", json={"count": 5})
    assert bare.status_code == 403
    form = zhang.http.post(f"/admin/meetings/{mid}/attendance", data={"count": "5"})
    assert form.status_code == 403
    assert zhang.http.get(f"/admin/api/meetings/{mid}").json()["attendee_count"] == 0
    assert audit_rows(runtime, "meeting_attendance") == []
