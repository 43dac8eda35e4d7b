"""A project's life after the joint meeting: nothing is published before it starts, a
milestone is done once, finishing tells the building group and residents hear 已完成."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bot.runtime import Runtime
from tests.admin.conftest import Console
from tests.conftest import WeChat
from tests.projects.conftest import report
from tests.reports.conftest import received


def _decided(admin: Console, need_id: int) -> tuple[int, int]:
    """A joint meeting deciding one need; (meeting id, project id), not yet published."""
    meeting = admin.api_post(
        "/admin/api/joint-meetings",
        {"title": "联席会议", "held_at": datetime.now(UTC).isoformat(), "need_ids": [need_id]},
    ).json()
    admin.api_post(
        f"/admin/api/joint-meetings/{meeting['id']}/attendance", {"count": 6}
    ).raise_for_status()
    resource = admin.http.get("/admin/api/resources").json()[0]["id"]
    admin.api_post(
        f"/admin/api/joint-meetings/{meeting['id']}/items/{meeting['items'][0]['id']}/decision",
        {
            "title": "8号楼垃圾清运",
            "plan": "物业每天清运两次",
            "resource_ids": [resource],
            "owner_name": "阳光物业",
            "due_at": (datetime.now(UTC) + timedelta(days=5)).isoformat(),
            "milestones": [{"title": "增设垃圾桶"}],
        },
    ).raise_for_status()
    project = admin.http.get("/admin/api/projects").json()[0]
    return int(meeting["id"]), int(project["id"])


def test_a_project_from_start_to_finish(
    wechat: WeChat, runtime: Runtime, console: Callable[[str], Console], work: Callable[[], None]
) -> None:
    report(wechat, "demo-lidaye", "8号楼门口垃圾好几天没人收", runtime)
    admin = console("admin")
    key = admin.http.get("/admin/api/needs").json()["groups"][0]["key"]
    need = admin.api_post("/admin/api/needs/from-requests", {"key": key}).json()
    meeting_id, project_id = _decided(admin, need["id"])
    early = admin.api_post(f"/admin/api/projects/{project_id}/progress", {"text": "已开始"})
    assert early.status_code == 409 and "还没有启动" in early.json()["detail"]
    closing = admin.api_post(f"/admin/api/needs/{need['id']}/close", {})
    assert closing.status_code == 409  # a need that became a project stays on the list
    admin.api_post(f"/admin/api/joint-meetings/{meeting_id}/publish").raise_for_status()
    work()

    detail = admin.http.get(f"/admin/api/projects/{project_id}").json()
    step = detail["milestones"][0]["id"]
    path = f"/admin/api/projects/{project_id}/milestones/{step}/done"
    assert admin.api_post(path).status_code == 200
    assert admin.api_post(path).status_code == 409
    finished = admin.api_post(f"/admin/api/projects/{project_id}/finish", {"note": "已恢复整洁"})
    assert finished.status_code == 200 and finished.json()["project"]["status"] == "done"
    assert admin.api_post(f"/admin/api/projects/{project_id}/finish", {}).status_code == 409
    work()
    group = received(runtime, "bldg-8", "wecom_robot")
    assert len(group) == 3
    assert "项目已完成。已恢复整洁" in group[2] and "状态：已完成" in group[2]

    answer = wechat.say("demo-lidaye", "我们楼的事有进展吗") or ""
    assert "8号楼垃圾清运：已完成" in answer and "项目已完成。已恢复整洁" in answer


def test_an_overdue_project_is_reported_to_its_grid_once(
    wechat: WeChat, runtime: Runtime, console: Callable[[str], Console], work: Callable[[], None]
) -> None:
    from bot.jobs import projects as jobs_projects

    report(wechat, "demo-lidaye", "8号楼门口垃圾好几天没人收", runtime)
    admin = console("admin")
    key = admin.http.get("/admin/api/needs").json()["groups"][0]["key"]
    need = admin.api_post("/admin/api/needs/from-requests", {"key": key}).json()
    meeting_id, project_id = _decided(admin, need["id"])
    due = datetime.fromisoformat(
        admin.http.get(f"/admin/api/projects/{project_id}").json()["due_at"]
    )
    # Not started yet: a planned project is not chased.
    assert jobs_projects.chase_projects(now=due + timedelta(hours=1)) == 0
    admin.api_post(f"/admin/api/joint-meetings/{meeting_id}/publish").raise_for_status()
    work()
    assert jobs_projects.chase_projects(now=due - timedelta(hours=1)) == 0
    assert jobs_projects.chase_projects(now=due + timedelta(hours=1)) == 1
    assert jobs_projects.chase_projects(now=due + timedelta(hours=2)) == 0  # once
    work()
    grid = [t for t in received(runtime, "grid-g2", "wecom_robot") if "项目逾期" in t]
    assert len(grid) == 1 and "8号楼垃圾清运" in grid[0] and "节点完成0/1" in grid[0]
    assert not [t for t in received(runtime, "bldg-8", "wecom_robot") if "逾期" in t]
