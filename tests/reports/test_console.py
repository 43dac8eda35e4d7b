"""The console API for requests: claiming races, permissions, assignment, council, SLA."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx

from bot.runtime import Runtime
from storage.clock import CHINA, FrozenClock
from tests.admin.conftest import Console, audit_rows
from tests.conftest import WeChat
from tests.reports.conftest import get_request, received, report, states

CODE = re.compile(r"M\d{8}-\d{4}")


def test_two_workers_claim_at_once_exactly_one_wins(
    wechat: WeChat, runtime: Runtime, console: Callable[[str], Console]
) -> None:
    request_id = report(wechat, "demo-wangnainai", "3号楼楼道灯坏了", runtime)
    browsers = {"zhangmin": console("zhangmin"), "admin": console("admin")}
    barrier = threading.Barrier(2)
    results: dict[str, httpx.Response] = {}

    def claim(name: str) -> None:
        barrier.wait()
        results[name] = browsers[name].api_post(f"/admin/api/requests/{request_id}/claim")

    threads = [threading.Thread(target=claim, args=(name,)) for name in browsers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    codes = sorted(r.status_code for r in results.values())
    assert codes == [200, 409], {k: r.text for k, r in results.items()}
    loser = next(r for r in results.values() if r.status_code == 409)
    winner = next(name for name, r in results.items() if r.status_code == 200)
    assert "已被" in loser.json()["detail"]
    assert [to for _f, to in states(runtime, request_id)].count("dispatched") == 1
    assert get_request(runtime, request_id).owner_staff_id is not None
    assert (
        len(audit_rows(runtime, "claim")) == 1
        and audit_rows(runtime, "claim")[0].username == winner
    )


def test_grid_worker_acts_only_on_own_grids(
    wechat: WeChat, runtime: Runtime, console: Callable[[str], Console]
) -> None:
    request_id = report(wechat, "demo-wangnainai", "3号楼楼道灯坏了", runtime)  # grid 1
    li = console("liqiang")  # grid 3
    assert li.http.get(f"/admin/api/requests/{request_id}").status_code == 403
    assert li.api_post(f"/admin/api/requests/{request_id}/claim").status_code == 403
    refused = li.api_post(f"/admin/api/requests/{request_id}/resolve", {"note": "好了"})
    assert refused.status_code == 403 and refused.json()["detail"] == "无权操作其他网格的事项"
    assert li.http.get("/admin/api/requests", params={"grid_id": 1}).status_code == 403
    assert li.http.get("/admin/api/requests").json()["items"] == []
    canteen = console("canteen")
    assert canteen.http.get("/admin/api/requests").status_code == 403
    # Without the CSRF header a POST is refused even for the right worker.
    zhang = console("zhangmin")
    assert zhang.http.post(f"/admin/api/requests/{request_id}/claim").status_code == 403
    assert get_request(runtime, request_id).status == "accepted"
    # Only administrators change SLA rules.
    rule = {"category": "公共照明", "respond_hours": 12, "resolve_hours": 48}
    assert zhang.api_post("/admin/api/requests/sla", rule).status_code == 403


def test_assign_with_deadline_return_and_reassign(
    wechat: WeChat, runtime: Runtime, work: Callable[[], None], console: Callable[[str], Console]
) -> None:
    request_id = report(wechat, "demo-lidaye", "8号楼2单元下水道堵了", runtime)  # grid 2
    admin = console("admin")
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    assert (
        admin.api_post(
            f"/admin/api/requests/{request_id}/assign", {"owner_name": "物业王师傅", "due_at": past}
        ).status_code
        == 400
    )
    due = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    body = {"owner_name": "物业王师傅", "due_at": due, "note": "请带疏通工具"}
    assigned = admin.api_post(f"/admin/api/requests/{request_id}/assign", body)
    assert assigned.status_code == 200 and assigned.json()["owner"] == "物业王师傅"
    returned = admin.api_post(
        f"/admin/api/requests/{request_id}/return", {"reason": "属于个人产权，需业主自修"}
    )
    assert returned.json()["status_label"] == "退回" and returned.json()["owner"] is None
    again = admin.api_post(f"/admin/api/requests/{request_id}/assign", {"owner_staff_id": 2})
    assert again.status_code == 200 and again.json()["owner"] == "张敏"
    work()
    texts = received(runtime, "demo-lidaye")
    assert any("物业王师傅" in t for t in texts)
    assert any("属于个人产权" in t for t in texts)
    assert any("已派给张敏" in t for t in texts)
    assert [to for _f, to in states(runtime, request_id)] == [
        "accepted",
        "dispatched",
        "returned",
        "dispatched",
    ]
    # A cancelled request cannot be resolved.
    admin.api_post(f"/admin/api/requests/{request_id}/cancel", {"reason": "居民电话撤销"})
    late = admin.api_post(f"/admin/api/requests/{request_id}/resolve", {"note": "好了"})
    assert late.status_code == 409 and "已撤销" in late.json()["detail"]


def test_council_agenda_and_decision(
    wechat: WeChat, runtime: Runtime, console: Callable[[str], Console]
) -> None:
    request_id = report(wechat, "demo-zhoujie", "21号楼门口停车太乱了", runtime)
    wang = console("wangfang")
    early = wang.api_post(
        f"/admin/api/requests/{request_id}/council", {"action": "decision", "decision": "划线"}
    )
    assert early.status_code == 409
    assert (
        wang.api_post(f"/admin/api/requests/{request_id}/council", {"action": "agenda"}).status_code
        == 200
    )
    decided = wang.api_post(
        f"/admin/api/requests/{request_id}/council",
        {"action": "decision", "decision": "在21号楼东侧划设停车位，由物业负责"},
    ).json()
    assert decided["council_status"] == "decided" and "划设停车位" in decided["council_decision"]
    assert [h["label"] for h in decided["history"]][-2:] == [
        "列入居民议事会议题",
        "居民议事会作出决定",
    ]


def test_sla_rules_are_configurable(
    wechat: WeChat,
    runtime: Runtime,
    console: Callable[[str], Console],
    frozen_clock: FrozenClock,
) -> None:
    admin = console("admin")
    rule = {"category": "公共照明", "urgent": False, "respond_hours": 6, "resolve_hours": 48}
    assert admin.api_post("/admin/api/requests/sla", rule).status_code == 200
    rules = admin.http.get("/admin/api/requests/sla").json()
    assert {
        "category": "公共照明",
        "urgent": False,
        "respond_hours": 6,
        "resolve_hours": 48,
    } in rules
    # Non-urgent rules count working time: reported on Monday 10:00 China time, 6 h is
    # 16:00 the same day, 48 h two working days later at the same hour.
    reply = wechat.say("demo-wangnainai", "3号楼路灯不亮") or ""
    request = get_request(runtime, CODE.search(reply).group(0))  # type: ignore[union-attr]
    assert request.respond_by == datetime(2026, 12, 7, 16, 0, tzinfo=CHINA)
    assert request.resolve_by == datetime(2026, 12, 9, 10, 0, tzinfo=CHINA)
    assert "今天（12月7日）16:00前会联系您" in reply
