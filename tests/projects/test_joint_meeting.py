"""A joint meeting (社区党建联席会议) from the needs list to a published project: the needs
drawn from open requests and entered by staff, resources matched, the project started,
its building group told, its progress published, residents answered in chat."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bot.runtime import Runtime
from storage.events import history
from tests.admin.conftest import Console, audit_rows
from tests.conftest import WeChat
from tests.projects.conftest import report
from tests.reports.conftest import received


def _later(days: int = 10) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


def _resource_id(admin: Console, owner: str) -> int:
    rows = admin.http.get("/admin/api/resources").json()
    return next(r["id"] for r in rows if r["owner"] == owner)


def test_joint_meeting_turns_needs_into_a_published_project(
    wechat: WeChat, runtime: Runtime, console: Callable[[str], Console], work: Callable[[], None]
) -> None:
    light = report(wechat, "demo-wangnainai", "3号楼楼道灯坏了", runtime)
    admin = console("admin")
    lists = admin.http.get("/admin/api/needs").json()
    assert [g["title"] for g in lists["groups"]] == ["3号楼·公共照明（1件）"]
    key = lists["groups"][0]["key"]
    staff_need = admin.api_post(
        "/admin/api/needs", {"title": "老人希望每月有一次免费量血压", "category": "其他"}
    )
    assert staff_need.status_code == 201, staff_need.text
    assert staff_need.json()["building"] == "全社区"

    draft = admin.http.get("/admin/api/joint-meetings/draft").json()
    assert [n["title"] for n in draft["needs"]] == ["老人希望每月有一次免费量血压"]
    assert "城南供电所" in draft["members"] and "区慈善会" in draft["members"]
    created = admin.api_post(
        "/admin/api/joint-meetings",
        {
            "title": "12月社区党建联席会议",
            "held_at": datetime.now(UTC).isoformat(),
            "need_ids": [staff_need.json()["id"]],
            "group_keys": [key],
        },
    )
    assert created.status_code == 201, created.text
    meeting = created.json()
    assert meeting["status"] == "draft" and len(meeting["items"]) == 2
    # Both are on the agenda now: neither is offered again.
    again = admin.http.get("/admin/api/joint-meetings/draft").json()
    assert again["needs"] == [] and again["groups"] == []
    # Not a residents' council meeting.
    assert admin.http.get(f"/admin/api/meetings/{meeting['id']}").status_code == 404

    mid = meeting["id"]
    early = admin.api_post(f"/admin/api/joint-meetings/{mid}/publish")
    assert early.status_code == 400 and "参会" in early.json()["detail"]
    admin.api_post(
        f"/admin/api/joint-meetings/{mid}/attendance",
        {"names": ["城南供电所", "社区卫生服务站", "阳光物业"]},
    ).raise_for_status()
    items = {i["category"]: i for i in meeting["items"]}
    light_item = items["公共照明"]["id"]
    no_resource = admin.api_post(
        f"/admin/api/joint-meetings/{mid}/items/{light_item}/decision",
        {
            "title": "楼道亮灯",
            "plan": "换灯",
            "resource_ids": [],
            "owner_name": "x",
            "due_at": _later(),
        },
    )
    assert no_resource.status_code == 422
    decided = admin.api_post(
        f"/admin/api/joint-meetings/{mid}/items/{light_item}/decision",
        {
            "title": "3号楼楼道亮灯工程",
            "plan": "供电所检修线路，物业更换全部声控灯",
            "resource_ids": [_resource_id(admin, "城南供电所"), _resource_id(admin, "阳光物业")],
            "owner_name": "城南供电所",
            "due_at": _later(10),
            "milestones": [{"title": "检修线路"}, {"title": "更换声控灯", "due_at": _later(7)}],
        },
    )
    assert decided.status_code == 200, decided.text
    half = admin.api_post(f"/admin/api/joint-meetings/{mid}/publish")
    assert half.status_code == 400 and "没有作出决定" in half.json()["detail"]
    admin.api_post(
        f"/admin/api/joint-meetings/{mid}/items/{items['其他']['id']}/decision",
        {
            "title": "每月义诊进社区",
            "plan": "每月第一个周六上午在社区活动室量血压、测血糖",
            "resource_ids": [
                _resource_id(admin, "社区卫生服务站"),
                _resource_id(admin, "城南社区居委会"),
            ],
            "owner_staff_id": 1,
            "due_at": _later(30),
        },
    ).raise_for_status()
    projects = admin.http.get("/admin/api/projects").json()
    assert {p["status"] for p in projects} == {"planned"}
    before = wechat.say("demo-wangnainai", "社区最近在办什么") or ""
    assert "还没有公布" in before  # planned projects are not announced before publishing

    published = admin.api_post(f"/admin/api/joint-meetings/{mid}/publish")
    assert published.status_code == 200, published.text
    assert published.json()["published"] == {"projects": 2, "groups": 2, "residents": 1}
    assert admin.api_post(f"/admin/api/joint-meetings/{mid}/publish").status_code == 409
    work()

    group = received(runtime, "bldg-3", "wecom_robot")
    assert len(group) == 1
    assert "社区党建联席会议" in group[0] and "3号楼楼道亮灯工程" in group[0]
    assert "城南供电所" in group[0] and "义诊" not in group[0]
    community = received(runtime, "community-chengnan", "wecom_robot")
    assert any("每月义诊进社区" in text for text in community)
    assert any("社区项目“3号楼楼道亮灯工程”" in t for t in received(runtime, "demo-wangnainai"))

    light_project = next(
        p for p in admin.http.get("/admin/api/projects").json() if "亮灯" in p["title"]
    )
    assert light_project["status"] == "active" and light_project["buildings"] == ["3号楼"]
    detail = admin.http.get(f"/admin/api/projects/{light_project['id']}").json()
    assert [r["id"] for r in detail["requests"]] == [light]
    first = detail["milestones"][0]["id"]
    done = admin.api_post(f"/admin/api/projects/{light_project['id']}/milestones/{first}/done")
    assert done.status_code == 200 and done.json()["milestones_done"] == 1
    work()
    group = received(runtime, "bldg-3", "wecom_robot")
    assert len(group) == 2 and "【社区项目进展】" in group[1] and "已完成：检修线路" in group[1]

    # Staff wrote a resident's details into the progress: the group never sees them.
    careless = admin.api_post(
        f"/admin/api/projects/{light_project['id']}/progress",
        {"text": "已为王奶奶（3号楼2单元501，电话13912345678）家门口装好灯"},
    )
    assert careless.status_code == 200
    work()
    posted = received(runtime, "bldg-3", "wecom_robot")[-1]
    assert "王奶奶" not in posted and "501" not in posted and "13912345678" not in posted
    assert "家门口装好灯" in posted
    admin.api_post(
        f"/admin/api/projects/{light_project['id']}/progress", {"text": "已完成：检修线路"}
    ).raise_for_status()

    # A resident of building 3 asks in chat: their building's project first.
    answer = wechat.say("demo-wangnainai", "我们楼的事有进展吗") or ""
    assert "【3号楼的项目】" in answer and "3号楼楼道亮灯工程" in answer
    assert "已完成：检修线路" in answer and "每月义诊进社区" in answer
    assert answer.index("亮灯") < answer.index("义诊")
    assert "王" not in answer and "501" not in answer  # no resident's details

    with runtime.session_factory() as session:
        events = [e.to_state for e in history(session, "meeting", mid)]
        project_events = [e.to_state for e in history(session, "project", light_project["id"])]
    assert events == ["draft", "held", "item_decided", "item_decided", "published"]
    assert project_events == ["planned", "active", "progress", "progress", "progress"]
    actions = [a.action for a in audit_rows(runtime) if a.action.startswith(("joint_", "need_"))]
    assert actions == [
        "need_create",
        "joint_create",
        "joint_attendance",
        "joint_decide",
        "joint_decide",
        "joint_publish",
    ]


def test_need_from_a_council_item_and_a_poll_result(
    runtime: Runtime, console: Callable[[str], Console]
) -> None:
    from storage.models import Building, utcnow
    from storage.projects.needs import ProjectError, need_from_poll

    with runtime.session_factory() as session:
        building = session.query(Building).filter_by(number="5").one()
        need = need_from_poll(
            session,
            community_id=building.community_id,
            poll_ref="poll:1:q2",
            title="5号楼老人希望楼道加扶手（民调3人提到）",
            building_id=building.id,
            actor="staff:admin",
            now=utcnow(),
        )
        session.commit()
        assert need.grid_id == building.grid_id and need.status == "open"
        try:
            need_from_poll(
                session,
                community_id=building.community_id,
                poll_ref="poll:1:q2",
                title="again",
                building_id=None,
                actor="staff:admin",
                now=utcnow(),
            )
        except ProjectError as exc:
            assert "已经在需求清单" in exc.message
        else:
            raise AssertionError("a second need from the same poll question was accepted")
    admin = console("admin")
    titles = [
        (n["title"], n["source_label"]) for n in admin.http.get("/admin/api/needs").json()["needs"]
    ]
    assert titles == [("5号楼老人希望楼道加扶手（民调3人提到）", "民调")]
