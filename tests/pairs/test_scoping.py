"""Pairs are scoped by role and grid like the rest of the console."""

from __future__ import annotations

from collections.abc import Callable

from bot.runtime import Runtime
from tests.admin.conftest import Console
from tests.conftest import InProcessApp
from tests.pairs.conftest import make_pair, resident_id, volunteer_id


def test_a_grid_worker_sees_and_changes_only_pairs_of_their_grids(
    live_server: InProcessApp,
    runtime: Runtime,
    zhangmin: Console,
    console: Callable[[str], Console],
) -> None:
    mine = make_pair(zhangmin, runtime, "3-2-501")  # grid 1
    liqiang = console("liqiang")  # grid 3 only
    theirs = make_pair(liqiang, runtime, "12-3-601", "demo-wuhua")  # grid 3
    assert [p["code"] for p in zhangmin.http.get("/admin/api/pairs").json()] == [mine["code"]]
    assert [p["code"] for p in liqiang.http.get("/admin/api/pairs").json()] == [theirs["code"]]
    assert liqiang.http.get(f"/admin/api/pairs/{mine['id']}").status_code == 403
    assert liqiang.http.get(f"/admin/pairs/{mine['id']}").status_code == 403
    assign = liqiang.api_post(
        f"/admin/api/pairs/{mine['id']}/assign",
        json={"volunteer_id": volunteer_id(runtime, "demo-wuhua")},
    )
    assert assign.status_code == 403
    family = liqiang.api_post(
        f"/admin/api/pairs/{mine['id']}/family",
        json={"member_id": resident_id(runtime, "demo-wangnainai"), "address": "21-2-202"},
    )
    assert family.status_code == 403
    # Nor may they pair a resident of another grid.
    outside = liqiang.api_post(
        "/admin/api/pairs", json={"kind": "空巢老人", "members": [{"address": "3-2-501"}]}
    )
    assert outside.status_code == 403
    assert liqiang.http.get("/admin/api/pairs", params={"grid_id": 1}).status_code == 403

    admin = console("admin")
    codes = {p["code"] for p in admin.http.get("/admin/api/pairs").json()}
    assert codes == {mine["code"], theirs["code"]}
    by_grid = admin.http.get("/admin/api/pairs", params={"grid_id": 3}).json()
    assert [p["code"] for p in by_grid] == [theirs["code"]]


def test_roles_that_do_not_work_queues_see_no_pairs(
    live_server: InProcessApp, console: Callable[[str], Console], clock: object
) -> None:
    for username in ("canteen", "jobs"):
        browser = console(username)
        assert browser.http.get("/admin/api/pairs").status_code == 403
        assert browser.http.get("/admin/pairs").status_code == 403


def test_overdue_pairs_are_listed_first(runtime: Runtime, zhangmin: Console, clock) -> None:
    from datetime import timedelta

    first = make_pair(zhangmin, runtime, "3-2-501")
    clock.advance(timedelta(days=5))
    second = make_pair(zhangmin, runtime, "8-1-402", "demo-wuhua")
    waiting = make_pair(zhangmin, runtime, "9-2-301", None)
    clock.advance(timedelta(days=5))  # the first is 10 days old: overdue
    rows = zhangmin.http.get("/admin/api/pairs").json()
    assert [r["code"] for r in rows] == [first["code"], waiting["code"], second["code"]]
    assert [r["overdue"] for r in rows] == [True, False, False]
    page = zhangmin.http.get("/admin/pairs").text
    assert page.index(first["code"]) < page.index(second["code"])
    assert "逾期未探访" in page
