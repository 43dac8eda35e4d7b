"""The polls console: a grid worker composes a poll from the form for their own grids
only, records phone calls (answered → a low score raises a request; not reachable;
refused), sees only their grids' households, and exports results to Excel (real dates,
Chinese labels, frozen header). Results pages draw SVG charts."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

from openpyxl import load_workbook

from bot.jobs.polls import tick
from bot.runtime import Runtime
from storage.clock import FrozenClock
from storage.models import (
    AuditLog,
    Building,
    Community,
    Compound,
    Grid,
    Household,
    Resident,
    ServiceRequest,
    Unit,
)
from storage.pairs.service import create_pair
from tests.conftest import WeChat
from tests.notices.conftest import set_last_message
from tests.polls.conftest import ELDERLY_POLL, answers, compose, start, targets


def _form(grid_ids: list[str]) -> dict[str, object]:
    return {
        "title": "网格老人月度回访",
        "kind": "care",
        "tag": ["独居老人", "空巢老人"],
        "grid_id": grid_ids,
        "q0_kind": "score",
        "q0_text": "您对网格员的服务打几分？",
        "q1_kind": "choice",
        "q1_text": "最近家里有困难吗？",
        "q1_options": "没有、有一点、很困难",
        "q2_kind": "text",
        "q2_text": "",
    }


def test_grid_worker_composes_for_own_grids_only(clock: FrozenClock, console) -> None:
    li = console("liqiang")  # 第三网格 only
    refused = li.http.post("/admin/polls", data={"csrf_token": li.csrf, **_form(["1"])})
    assert refused.status_code == 400 and "只能选择您负责的网格" in refused.text
    made = li.http.post("/admin/polls", data={"csrf_token": li.csrf, **_form([])})
    assert made.status_code == 303
    page = li.http.get(made.headers["location"])
    assert "民调草稿已保存" in page.text and "第三网格" in page.text
    # 第三网格 (buildings 11–15) has no elderly-tagged household in the demo.
    assert "共0户" in page.text
    zhang = console("zhangmin")
    assert zhang.http.get(made.headers["location"].split("?")[0]).status_code == 404
    assert zhang.http.get("/admin/api/polls").json() == []
    new = zhang.http.get("/admin/polls/new")
    assert "第一网格" in new.text and "第三网格" not in new.text
    assert li.api_post("/admin/api/polls", {**ELDERLY_POLL, "cadence_days": 3}).status_code == 422


def test_phone_calls_recorded_with_grid_scoping(
    clock: FrozenClock, console, wechat: WeChat, runtime: Runtime, work
) -> None:
    zhang = console("zhangmin")
    poll = compose(zhang)
    start(zhang, poll["id"], work)
    page = zhang.http.get("/admin/polls/phone")
    assert page.status_code == 200
    assert "3号楼1单元101" in page.text and "7号楼2单元201" in page.text
    assert "未登记电话，请上门走访" in page.text
    found = targets(runtime, poll["id"])
    offline = found["3-1-101"]
    other = console("liqiang")
    assert other.http.get("/admin/api/polls/phone-list").json() == []
    denied = other.post_form(f"/admin/polls/targets/{offline.id}/call", outcome="refused")
    assert denied.status_code == 403

    done = zhang.post_form(
        f"/admin/polls/targets/{offline.id}/call",
        outcome="answered",
        a0="2",
        a1="3",
        a2="腿脚不好，希望有人帮忙买菜",
        note="老人女儿接的电话",
    )
    assert done.status_code == 303
    assert "通话结果已记录" in zhang.http.get(done.headers["location"]).text
    given = answers(runtime, offline.id)
    assert [(a.number, a.via) for a in given] == [(2, "phone"), (3, "phone"), (None, "phone")]
    assert given[0].request_id is not None and given[2].request_id is not None
    with runtime.session_factory() as session:
        request = session.get(ServiceRequest, given[2].request_id)
        assert request is not None and request.grid_id == offline.grid_id
        assert request.source == "poll" and "帮忙买菜" in request.description
        assert session.query(AuditLog).filter_by(action="poll_call").count() == 1
    again = zhang.post_form(f"/admin/polls/targets/{offline.id}/call", outcome="refused")
    assert again.status_code == 400 and "已经处理过了" in again.text

    seven = found["7-2-201"]
    empty = zhang.api_post(f"/admin/api/polls/targets/{seven.id}/call", {"outcome": "answered"})
    assert empty.status_code == 400 and "至少记录一题" in empty.json()["detail"]
    called = zhang.api_post(f"/admin/api/polls/targets/{seven.id}/call", {"outcome": "unreachable"})
    assert called.status_code == 200 and called.json()["status_label"] == "电话未接通"
    listing = zhang.http.get("/admin/api/polls/phone-list").json()
    assert [i["address"] for i in listing] == []
    detail = zhang.http.get(f"/admin/polls/{poll['id']}")
    assert "已回答" in detail.text and "电话未接通" in detail.text


def test_results_charts_and_excel_round_trip(
    clock: FrozenClock, console, wechat: WeChat, runtime: Runtime, work
) -> None:
    zhang = console("zhangmin")
    poll = compose(zhang)
    start(zhang, poll["id"], work)
    for text in ("5分", "1", "没有"):
        wechat.say("demo-wangnainai", text)
    for text in ("2", "不太好", "家里水管漏水"):
        wechat.say("demo-lidaye", text)
    results = zhang.http.get(f"/admin/api/polls/{poll['id']}/results").json()
    score = results["questions"][0]
    assert {g["label"]: g["mean"] for g in score["by_grid"]} == {"第一网格": 5, "第二网格": 2}
    assert {g["label"]: g["low"] for g in score["by_building"]} == {"3号楼": 0, "8号楼": 1}
    assert [o["count"] for o in results["questions"][1]["options"]] == [1, 0, 1]
    words = results["questions"][2]["words"]
    assert [w["request_code"] is not None for w in words] == [False, True]
    page = zhang.http.get(f"/admin/polls/{poll['id']}/results")
    assert page.status_code == 200 and page.text.count("<svg") >= 3
    assert "各网格平均分" in page.text and "已转工单" in page.text

    export = zhang.http.get(f"/admin/polls/{poll['id']}/export.xlsx")
    assert export.status_code == 200
    book = load_workbook(io.BytesIO(export.content))
    sheet = book["回答明细"]
    header = [c.value for c in sheet[1]]
    assert header[:9] == [
        "轮次",
        "网格",
        "楼栋",
        "住址",
        "居民",
        "作答方式",
        "状态",
        "电话回访原因",
        "完成时间",
    ]
    assert sheet.freeze_panes == "A2"
    rows = {r[3]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    wang = rows["3号楼2单元501"]
    assert wang[4] == "王奶奶" and wang[5] == "微信" and wang[6] == "已回答"
    assert (
        isinstance(wang[8], datetime) and wang[8].strftime("%Y-%m-%d %H:%M") == "2026-12-07 10:00"
    )
    assert wang[9] == "5分" and wang[10] == "1 挺好"
    assert rows["8号楼1单元402"][-1] == "是"
    assert rows["3号楼1单元101"][6] == "待电话回访"
    summary = list(book["评分汇总"].iter_rows(min_row=2, values_only=True))
    assert ("您对社区最近的服务打几分？", "网格", "第二网格", 2, 1, 1) in summary

    # A grid worker of another grid exports nothing of 张敏's poll.
    assert console("liqiang").http.get(f"/admin/polls/{poll['id']}/export.xlsx").status_code == 404


def test_over_time_a_second_round_adds_a_point(
    clock: FrozenClock, console, wechat: WeChat, runtime: Runtime, work
) -> None:
    zhang = console("zhangmin")
    poll = compose(zhang)
    start(zhang, poll["id"], work)
    wechat.say("demo-wangnainai", "3")
    clock.advance(timedelta(days=30, minutes=1))
    tick()
    work()
    wechat.say("demo-wangnainai", "5")
    score = zhang.http.get(f"/admin/api/polls/{poll['id']}/results").json()["questions"][0]
    assert [(r["label"], r["mean"]) for r in score["by_round"]] == [("第1轮", 3), ("第2轮", 5)]
    assert "<polyline" in zhang.http.get(f"/admin/polls/{poll['id']}/results").text


def test_population_everyone_in_a_building_and_service_recipients(
    clock: FrozenClock, console, runtime: Runtime, work
) -> None:
    zhang = console("zhangmin")
    with runtime.session_factory() as session:
        three = session.query(Building).filter_by(number="3").one().id
    everyone = compose(
        zhang,
        {**ELDERLY_POLL, "population": {"kind": "everyone", "building_ids": [three]}},
    )
    assert everyone["cadence_days"] == 60  # everyone else: every two months
    counts = {c["channel"]: c["count"] for c in everyone["preview"]["channels"]}
    assert counts == {"customer_service": 0, "template": 1, "phone": 35}  # 3 units × 12 rooms

    canteen = console("canteen")
    task = canteen.api_post(
        "/admin/api/canteen/tasks",
        {"building": "8", "unit": "1", "room": "402", "meal_date": "2026-12-08", "slot": "lunch"},
    )
    assert task.status_code in (200, 201), task.text
    served = compose(zhang, {**ELDERLY_POLL, "population": {"kind": "service"}})
    assert served["cadence_days"] == 30 and served["preview"]["total"] == 1
    assert "服务对象" in served["population_label"]
    with runtime.session_factory() as session:  # 王奶奶 paired with a volunteer (结对帮扶)
        wang = session.query(Resident).filter_by(openid="demo-wangnainai").one()
        create_pair(
            session,
            community_id=wang.household.unit.building.compound.community_id,
            kind="空巢老人",
            residents=[wang],
            volunteer=None,
            cadence_days=None,
            actor="staff:zhangmin",
            now=clock.now(),
        )
        session.commit()
    served = compose(zhang, {**ELDERLY_POLL, "population": {"kind": "service"}})
    assert served["preview"]["total"] == 2
    assert "结对帮扶" in served["population_label"]
    assert canteen.http.get("/admin/api/polls").status_code == 403
    assert canteen.http.get("/admin/polls/phone").status_code == 403


def test_community_poll_is_seen_by_each_grid_worker_for_their_grids_only(
    clock: FrozenClock, console, runtime: Runtime, work
) -> None:
    admin = console("admin")
    poll = compose(admin)
    assert poll["preview"]["total"] == 4
    assert poll["population_label"] == "独居老人、空巢老人家庭｜全社区"
    start(admin, poll["id"], work)
    zhang, wang = console("zhangmin"), console("wangfang")  # grids 1–2; grids 4–5
    assert [p["id"] for p in zhang.http.get("/admin/api/polls").json()] == [poll["id"]]
    mine = zhang.http.get(f"/admin/api/polls/{poll['id']}").json()["round_list"][0]
    assert mine["progress"]["total"] == 4
    other = wang.http.get(f"/admin/api/polls/{poll['id']}").json()["round_list"][0]
    assert other["progress"]["total"] == 0
    assert wang.http.get("/admin/api/polls/phone-list").json() == []
    assert len(admin.http.get("/admin/api/polls/phone-list").json()) == 2
    page = wang.http.get(f"/admin/polls/{poll['id']}")
    assert "王奶奶" not in page.text and "3号楼" not in page.text


def test_customer_service_quota_keeps_one_for_replies(
    clock: FrozenClock, console, runtime: Runtime
) -> None:
    zhang = console("zhangmin")
    set_last_message(runtime, "demo-wangnainai", clock.now() - timedelta(hours=1), used=3)
    set_last_message(runtime, "demo-lidaye", clock.now() - timedelta(hours=1), used=4)
    poll = compose(zhang)
    counts = {c["channel"]: c["count"] for c in poll["preview"]["channels"]}
    # Five customer-service messages per resident message: 王奶奶 has two left, 李大爷
    # one, which is kept for the answers' replies — so he gets the template message.
    assert counts == {"customer_service": 1, "template": 1, "phone": 2}


def test_population_stays_inside_the_community(
    clock: FrozenClock, console, runtime: Runtime
) -> None:
    """A district deployment serves many communities: a community-wide poll of one never
    reaches another's households."""
    with runtime.session_factory() as session:
        other = Community(code="beiguan", name="北关社区")
        session.add(other)
        session.flush()
        grid = Grid(community_id=other.id, code="B1", name="北关第一网格")
        compound = Compound(community_id=other.id, name="北关小区")
        session.add_all([grid, compound])
        session.flush()
        building = Building(
            community_id=other.id, compound_id=compound.id, grid_id=grid.id, number="1"
        )
        session.add(building)
        session.flush()
        unit = Unit(building_id=building.id, number="1")
        session.add(unit)
        session.flush()
        session.add(Household(unit_id=unit.id, room="101", tags=["独居老人"]))
        session.commit()
    poll = compose(console("admin"))
    assert poll["preview"]["total"] == 4
