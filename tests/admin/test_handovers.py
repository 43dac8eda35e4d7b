"""The 转人工 queue: residents ask through WeChat, grid workers claim and close."""

from __future__ import annotations

import threading
from collections.abc import Callable

import httpx
from sqlalchemy import select

from bot.runtime import Runtime
from storage.events import history
from storage.models import Handover
from tests.admin.conftest import Console, add_handover, audit_rows
from tests.conftest import WeChat


def handover_of(runtime: Runtime, openid_text: str) -> Handover:
    with runtime.session_factory() as session:
        query = select(Handover).where(Handover.text == openid_text).order_by(Handover.id.desc())
        return session.scalars(query).first()  # type: ignore[return-value]


def test_resident_asks_for_a_person_and_the_grid_worker_sees_it(
    wechat: WeChat, runtime: Runtime, browser: Console
) -> None:
    # 孙强 lives in building 12 → grid 3 (李强); 王奶奶 in building 3 → grid 1 (张敏).
    assert "网格员" in (wechat.say("demo-sunqiang", "转人工") or "")
    assert "网格员" in (wechat.say("demo-wangnainai", "转人工") or "")
    browser.login("liqiang")
    page = browser.http.get("/admin/handovers")
    assert page.status_code == 200
    assert "转人工队列" in page.text
    assert "孙强" in page.text and "12号楼3单元601" in page.text and "demo-sunqiang" in page.text
    assert "王奶奶" not in page.text
    assert "刚刚" in page.text and "待认领" in page.text
    rows = browser.http.get("/admin/api/handovers").json()
    assert [r["openid"] for r in rows] == ["demo-sunqiang"]


def test_queue_is_oldest_first(runtime: Runtime, browser: Console) -> None:
    first = add_handover(runtime, "demo-wangnainai", "第一件")
    second = add_handover(runtime, "demo-zhengyan", "第二件")
    third = add_handover(runtime, "demo-lidaye", "第三件")
    browser.login("zhangmin")
    rows = browser.http.get("/admin/api/handovers").json()
    assert [r["id"] for r in rows] == [first, second, third]
    page = browser.http.get("/admin/handovers").text
    assert page.index("第一件") < page.index("第二件") < page.index("第三件")


def test_grid_worker_cannot_touch_another_grids_handover(
    wechat: WeChat, runtime: Runtime, browser: Console
) -> None:
    wechat.say("demo-sunqiang", "转人工")  # grid 3
    handover = handover_of(runtime, "转人工")
    assert handover.grid_id == 3
    browser.login("zhangmin")  # grids 1 and 2
    page = browser.post_form(f"/admin/handovers/{handover.id}/claim")
    assert page.status_code == 403 and "无权操作其他网格的事项" in page.text
    api = browser.api_post(f"/admin/api/handovers/{handover.id}/claim")
    assert api.status_code == 403 and api.json()["detail"] == "无权操作其他网格的事项"
    assert browser.http.get(f"/admin/handovers/{handover.id}").status_code == 403
    with runtime.session_factory() as session:
        assert session.get(Handover, handover.id).status == "open"  # type: ignore[union-attr]
        assert [e.to_state for e in history(session, "handover", handover.id)] == ["open"]


def test_two_workers_claiming_at_once_exactly_one_wins(
    runtime: Runtime, open_console: Callable[[], Console]
) -> None:
    zhangmin = open_console().login("zhangmin")
    admin = open_console().login("admin")
    for round_ in range(5):
        handover_id = add_handover(runtime, "demo-zhengyan", f"第{round_}次")
        barrier = threading.Barrier(2)
        results: dict[str, httpx.Response] = {}

        def claim(
            name: str,
            console: Console,
            hid: int,
            barrier: threading.Barrier,
            results: dict[str, httpx.Response],
        ) -> None:
            barrier.wait()
            results[name] = console.api_post(f"/admin/api/handovers/{hid}/claim")

        threads = [
            threading.Thread(target=claim, args=(name, console, handover_id, barrier, results))
            for name, console in (("张敏", zhangmin), ("刘书记", admin))
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        codes = sorted(r.status_code for r in results.values())
        assert codes == [200, 409], {k: v.text for k, v in results.items()}
        winner = next(name for name, r in results.items() if r.status_code == 200)
        loser = next(r for r in results.values() if r.status_code == 409)
        assert loser.json()["detail"] == f"已被{winner}认领"
        with runtime.session_factory() as session:
            states = [e.to_state for e in history(session, "handover", handover_id)]
        assert states == ["open", "claimed"]
    assert len(audit_rows(runtime, "claim")) == 5


def test_claim_then_close_writes_history_and_audit(runtime: Runtime, browser: Console) -> None:
    handover_id = add_handover(runtime, "demo-lidaye", "我想办老年证")
    browser.login("zhangmin")
    # Closing needs a claim first.
    early = browser.post_form(f"/admin/handovers/{handover_id}/close", note="已办")
    assert early.status_code == 409 and "请先认领" in early.text
    claimed = browser.post_form(f"/admin/handovers/{handover_id}/claim")
    assert claimed.status_code == 303
    page = browser.http.get(claimed.headers["location"])
    assert "认领成功" in page.text and "处理中" in page.text and "张敏" in page.text
    again = browser.post_form(f"/admin/handovers/{handover_id}/claim")
    assert again.status_code == 409 and "已被张敏认领" in again.text
    empty = browser.post_form(f"/admin/handovers/{handover_id}/close", note="  ")
    assert empty.status_code == 400 and "请填写办结说明" in empty.text
    closed = browser.post_form(
        f"/admin/handovers/{handover_id}/close", note="已电话联系，带李大爷去办了老年证"
    )
    assert closed.status_code == 303
    detail = browser.http.get(f"/admin/handovers/{handover_id}").text
    assert "已办结" in detail and "处理记录" in detail
    assert "带李大爷去办了老年证" in detail and "居民李大爷" in detail
    with runtime.session_factory() as session:
        events = history(session, "handover", handover_id)
    assert [(e.from_state, e.to_state, e.actor) for e in events] == [
        (None, "open", "resident:demo-lidaye"),
        ("open", "claimed", "staff:zhangmin"),
        ("claimed", "closed", "staff:zhangmin"),
    ]
    assert events[-1].note == "已电话联系，带李大爷去办了老年证"
    actions = [
        (r.action, r.target_type, r.target_id)
        for r in audit_rows(runtime)
        if r.action in ("claim", "close")
    ]
    assert actions == [
        ("claim", "handover", str(handover_id)),
        ("close", "handover", str(handover_id)),
    ]
    # Closed items leave the active queue but stay findable.
    active = browser.http.get("/admin/api/handovers").json()
    assert handover_id not in [r["id"] for r in active]
    done = browser.http.get("/admin/api/handovers", params={"status": "closed"}).json()
    assert [r["id"] for r in done] == [handover_id]


def test_close_through_the_api(runtime: Runtime, browser: Console) -> None:
    handover_id = add_handover(runtime, "demo-zhaoxiaoli")
    browser.login("admin")
    assert browser.api_post(f"/admin/api/handovers/{handover_id}/claim").status_code == 200
    missing = browser.api_post(f"/admin/api/handovers/{handover_id}/close", json={"note": ""})
    assert missing.status_code == 422
    response = browser.api_post(
        f"/admin/api/handovers/{handover_id}/close", json={"note": "已上门处理"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "closed" and body["claimed_by"] == "刘书记"
    assert [e["to_state"] for e in body["events"]] == ["待认领", "处理中", "已办结"]
    assert body["events"][-1]["note"] == "已上门处理"


def test_resident_text_is_escaped_and_pages_fit_a_phone(runtime: Runtime, browser: Console) -> None:
    handover_id = add_handover(runtime, "demo-wangnainai", '<script>alert("x")</script>救命')
    browser.login("zhangmin")
    for path in ("/admin/handovers", f"/admin/handovers/{handover_id}"):
        page = browser.http.get(path).text
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;救命" in page
        assert 'name="viewport" content="width=device-width, initial-scale=1"' in page
    css = browser.http.get("/admin/static/console.css")
    assert css.status_code == 200 and "@media (max-width: 700px)" in css.text
    assert browser.http.get("/admin/static/../routes.py").status_code == 404
