"""Who sees and changes which list: grid workers their own grids' needs and projects,
community admins everything (resources, the joint meeting); other roles nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bot.runtime import Runtime
from tests.admin.conftest import Console, audit_rows
from tests.conftest import WeChat
from tests.projects.conftest import report
from tests.reports.conftest import report_code as _code


def _start_project(admin: Console, need_id: int) -> int:
    """A joint meeting on one need, decided and published; the project's id."""
    meeting = admin.api_post(
        "/admin/api/joint-meetings",
        {"title": "联席会议", "held_at": datetime.now(UTC).isoformat(), "need_ids": [need_id]},
    ).json()
    resource = admin.http.get("/admin/api/resources").json()[0]["id"]
    admin.api_post(
        f"/admin/api/joint-meetings/{meeting['id']}/attendance", {"names": ["阳光物业"]}
    ).raise_for_status()
    admin.api_post(
        f"/admin/api/joint-meetings/{meeting['id']}/items/{meeting['items'][0]['id']}/decision",
        {
            "title": "8号楼垃圾清运",
            "plan": "物业每天清运两次",
            "resource_ids": [resource],
            "owner_name": "阳光物业",
            "due_at": (datetime.now(UTC) + timedelta(days=5)).isoformat(),
        },
    ).raise_for_status()
    admin.api_post(f"/admin/api/joint-meetings/{meeting['id']}/publish").raise_for_status()
    return int(admin.http.get("/admin/api/projects").json()[0]["id"])


def test_grid_workers_see_and_act_on_their_own_grids_only(
    wechat: WeChat, runtime: Runtime, console: Callable[[str], Console]
) -> None:
    report(wechat, "demo-lidaye", "8号楼门口垃圾好几天没人收", runtime)  # grid 2
    zhang = console("zhangmin")  # grids 1 and 2
    li = console("liqiang")  # grid 3
    canteen = console("canteen")
    admin = console("admin")

    groups = zhang.http.get("/admin/api/needs").json()["groups"]
    assert [g["title"] for g in groups] == ["8号楼·环境卫生（1件）"]
    assert li.http.get("/admin/api/needs").json()["groups"] == []
    assert (
        li.api_post("/admin/api/needs/from-requests", {"key": groups[0]["key"]}).status_code == 409
    )
    made = zhang.api_post("/admin/api/needs/from-requests", {"key": groups[0]["key"]})
    assert made.status_code == 201, made.text
    need = made.json()
    assert need["building"] == "8号楼" and len(need["requests"]) == 1
    assert [n["id"] for n in li.http.get("/admin/api/needs").json()["needs"]] == []
    assert li.api_post(f"/admin/api/needs/{need['id']}/close", {}).status_code == 403

    # A whole-community need is the community office's; a grid worker names a building.
    assert zhang.api_post("/admin/api/needs", {"title": "全社区加装充电桩"}).status_code == 403
    buildings = {b.number: b.id for b in _buildings(runtime)}
    outside = li.api_post("/admin/api/needs", {"title": "楼道扶手", "building_id": buildings["3"]})
    assert outside.status_code == 403
    assert canteen.http.get("/admin/api/needs").status_code == 403
    assert canteen.http.get("/admin/needs").status_code == 403

    # Resources: grid workers read, only admins change; joint meetings are admins' only.
    assert len(li.http.get("/admin/api/resources").json()) == 5
    body = {"kind": "venue", "name": "会议室", "owner": "某单位", "offer": "借用"}
    assert li.api_post("/admin/api/resources", body).status_code == 403
    assert zhang.http.get("/admin/api/joint-meetings/draft").status_code == 403
    assert zhang.http.get("/admin/joint-meetings").status_code == 403

    project_id = _start_project(admin, need["id"])
    assert [p["id"] for p in zhang.http.get("/admin/api/projects").json()] == [project_id]
    assert li.http.get("/admin/api/projects").json() == []
    assert li.http.get(f"/admin/api/projects/{project_id}").status_code == 403
    assert li.http.get(f"/admin/projects/{project_id}").status_code == 403
    refused = li.api_post(f"/admin/api/projects/{project_id}/progress", {"text": "已清运"})
    assert refused.status_code == 403
    # No CSRF token: refused, nothing published.
    bare = zhang.http.post(f"/admin/api/projects/{project_id}/progress", json={"text": "已清运"})
    assert bare.status_code == 403
    assert audit_rows(runtime, "project_progress") == []
    ok = zhang.api_post(f"/admin/api/projects/{project_id}/progress", {"text": "已清运"})
    assert ok.status_code == 200 and ok.json()["groups"] == 1
    assert [a.username for a in audit_rows(runtime, "project_progress")] == ["zhangmin"]

    # Linking more requests: only ones the staff member handles; their building joins.
    nine = _code(wechat, "demo-lidaye", "9号楼垃圾桶满了没人收")
    far = _code(wechat, "demo-wuhua", "15号楼门口垃圾堆着没人管")
    assert (
        zhang.api_post(f"/admin/api/projects/{project_id}/requests", {"code": far}).status_code
        == 403
    )
    linked = zhang.api_post(f"/admin/api/projects/{project_id}/requests", {"code": nine})
    assert linked.status_code == 200, linked.text
    assert linked.json()["buildings"] == ["8号楼", "9号楼"]
    again = zhang.api_post(f"/admin/api/projects/{project_id}/requests", {"code": nine})
    assert again.status_code == 409
    more = zhang.api_post(f"/admin/api/projects/{project_id}/progress", {"text": "已加派清运车"})
    assert more.json()["groups"] == 2


def test_console_pages_follow_the_roles(console: Callable[[str], Console]) -> None:
    zhang = console("zhangmin")
    page = zhang.http.get("/admin/needs")
    assert page.status_code == 200 and "需求清单" in page.text
    assert "党建联席会议" not in page.text  # the tab is the admin's
    assert "从 Excel 导入" not in zhang.http.get("/admin/resources").text
    admin = console("admin")
    for path in ("/admin/needs", "/admin/resources", "/admin/projects", "/admin/joint-meetings"):
        assert admin.http.get(path).status_code == 200, path
    new = admin.http.get("/admin/joint-meetings/new")
    assert "城南供电所" in new.text


def _buildings(runtime: Runtime) -> list:
    from storage.models import Building

    with runtime.session_factory() as session:
        return list(session.query(Building))
