"""Residents and households: search, view, audited edits, care tags only for the roles
that need them (masked for canteen and employment staff, hidden from other grids)."""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import select

from bot.runtime import Runtime
from storage.events import history
from storage.models import Resident
from tests.admin.conftest import Console, audit_rows

MASK = "＊＊＊（无权查看）"


def _resident(runtime: Runtime, openid: str) -> Resident:
    with runtime.session_factory() as session:
        return session.scalars(select(Resident).where(Resident.openid == openid)).one()


def _tags(runtime: Runtime, openid: str) -> list[str]:
    with runtime.session_factory() as session:
        resident = session.scalars(select(Resident).where(Resident.openid == openid)).one()
        assert resident.household is not None
        return list(resident.household.tags)


def test_search_by_name_address_and_openid(console: Callable[[str], Console]) -> None:
    admin = console("admin")
    for q in ("王奶奶", "3-2-501", "3号楼2单元501", "demo-wangnainai"):
        page = admin.http.get("/admin/residents", params={"q": q})
        assert page.status_code == 200
        rows = re.findall(r'href="/admin/residents/(\d+)"', page.text)
        assert len(rows) == 1, q
        assert "3号楼2单元501" in page.text and "独居老人" in page.text
    none = admin.http.get("/admin/residents", params={"q": "不存在的人"})
    assert "没有找到符合条件的居民" in none.text


def test_care_tags_masked_for_canteen_and_jobs_hidden_from_other_grids(
    runtime: Runtime, console: Callable[[str], Console]
) -> None:
    wang = _resident(runtime, "demo-wangnainai").id  # grid 1
    for username in ("canteen", "jobs"):
        staff = console(username)
        listing = staff.http.get("/admin/residents", params={"q": "王奶奶"}).text
        assert MASK in listing and "独居老人" not in listing
        detail = staff.http.get(f"/admin/residents/{wang}").text
        assert MASK in detail and "独居老人" not in detail and "保存标签" not in detail
        refused = staff.post_form(f"/admin/residents/{wang}/tags", tag="低保")
        assert refused.status_code == 403
    li = console("liqiang")  # grid 3
    found = li.http.get("/admin/residents", params={"q": "王奶奶"}).text
    assert "没有找到符合条件的居民" in found and f"/admin/residents/{wang}" not in found
    assert li.http.get(f"/admin/residents/{wang}").status_code == 403
    zhang = console("zhangmin")  # grids 1 and 2
    assert "独居老人" in zhang.http.get(f"/admin/residents/{wang}").text
    assert _tags(runtime, "demo-wangnainai") == ["独居老人"]


def test_edits_are_audited_and_tag_changes_are_events(
    runtime: Runtime, console: Callable[[str], Console]
) -> None:
    wang = _resident(runtime, "demo-wangnainai")
    zhang = console("zhangmin")
    no_token = zhang.http.post(f"/admin/residents/{wang.id}/tags", data={"tag": "低保"})
    assert no_token.status_code == 403 and _tags(runtime, "demo-wangnainai") == ["独居老人"]
    bogus = zhang.post_form(f"/admin/residents/{wang.id}/tags", tag="VIP")
    assert bogus.status_code == 400
    saved = zhang.http.post(
        f"/admin/residents/{wang.id}/tags",
        data={"csrf_token": zhang.csrf, "tag": ["独居老人", "低保"]},
    )
    assert saved.status_code == 303
    assert _tags(runtime, "demo-wangnainai") == ["独居老人", "低保"]
    with runtime.session_factory() as session:
        events = history(session, "household", wang.household_id or 0)
    assert len(events) == 1 and events[0].actor == "staff:zhangmin"
    assert events[0].note == "关怀标签：独居老人 → 独居老人、低保"
    assert [a.username for a in audit_rows(runtime, "household_tags")] == ["zhangmin"]

    bad = zhang.post_form(f"/admin/residents/{wang.id}", name="王秀英", phone="12345")
    assert bad.status_code == 400 and "手机号" in bad.text
    ok = zhang.post_form(f"/admin/residents/{wang.id}", name="王秀英", phone="13800001111")
    assert ok.status_code == 303
    assert _resident(runtime, "demo-wangnainai").phone == "13800001111"
    edits = audit_rows(runtime, "resident_edit")
    assert len(edits) == 1 and edits[0].detail is not None and "13800001111" in edits[0].detail
