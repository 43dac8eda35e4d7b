"""Editing a notice before it is sent (pages and API), and not after."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bot.runtime import Runtime
from storage.events import history
from storage.models import Notice
from storage.notices.drafts import NoticeContent, update_draft
from tests.admin.conftest import Console, audit_rows
from tests.notices.conftest import building_id, records, robot_target
from tests.notices.test_broadcast import compose, notice_id_of


def test_a_draft_is_edited_until_it_is_sent(
    admin: Console, runtime: Runtime, work: Callable[[], None]
) -> None:
    b3, b4 = building_id(runtime, "3"), building_id(runtime, "4")
    nid = notice_id_of(
        compose(
            admin, title="停水通知", body="明天3号楼停水。", scope="buildings", building_ids=str(b3)
        )
    )
    assert 'id="edit-draft"' in admin.http.get(f"/admin/notices/{nid}").text
    form = admin.http.get(f"/admin/notices/{nid}/edit")
    assert form.status_code == 200
    assert "修改通知 N" in form.text and "明天3号楼停水。</textarea>" in form.text
    assert f'value="{b3}" checked' in form.text

    refused = admin.post_form(f"/admin/notices/{nid}/edit", body=" ", scope="buildings")
    assert refused.status_code == 400 and "请填写通知内容" in refused.text
    edited = admin.http.post(
        f"/admin/notices/{nid}/edit",
        data={
            "csrf_token": admin.csrf,
            "title": "停水通知（更正）",
            "body": "明天9点到12点4号楼停水，请提前储水。",
            "scope": "buildings",
            "building_ids": str(b4),
            "groups": "1",
        },
    )
    assert edited.status_code == 303 and edited.headers["location"].endswith("done=edited")
    page = admin.http.get(edited.headers["location"]).text
    assert "草稿已修改" in page and "4号楼停水" in page and "阳光小区4号楼居民群" in page
    assert "阳光小区3号楼居民群" not in page
    with runtime.session_factory() as session:
        edits = [e for e in history(session, "notice", nid) if e.to_state == "edited"]
    assert len(edits) == 1 and edits[0].note is not None
    assert edits[0].note.startswith("修改了标题、内容、发送范围")
    assert [a.action for a in audit_rows(runtime) if a.target_type == "notice"] == [
        "notice_create",
        "notice_edit",
    ]

    admin.post_form(f"/admin/notices/{nid}/send", when="now")
    work()
    received = records(runtime, "wecom_robot", robot_target(runtime, "4"))
    assert len(received) == 1 and "【停水通知（更正）】" in (received[0].text or "")
    assert records(runtime, "wecom_robot", robot_target(runtime, "3")) == []

    # Once sent, it cannot be edited any more.
    late = admin.http.get(f"/admin/notices/{nid}/edit")
    assert late.status_code == 303 and late.headers["location"].endswith("done=locked")
    assert 'id="edit-draft"' not in admin.http.get(f"/admin/notices/{nid}").text
    locked = admin.post_form(
        f"/admin/notices/{nid}/edit", body="改", scope="buildings", building_ids=str(b4)
    )
    assert locked.status_code == 409 and "不能再修改" in locked.text
    api = admin.http.put(
        f"/admin/api/notices/{nid}",
        json={"body": "改", "scope": "buildings", "ids": [b4]},
        headers={"X-CSRF-Token": admin.csrf},
    )
    assert api.status_code == 409
    with runtime.session_factory() as session:
        notice = session.get(Notice, nid)
        assert notice is not None and notice.body == "明天9点到12点4号楼停水，请提前储水。"


def test_edit_through_the_api_and_grid_limits(
    admin: Console, zhangmin: Console, runtime: Runtime
) -> None:
    b2, b11 = building_id(runtime, "2"), building_id(runtime, "11")
    nid = notice_id_of(compose(zhangmin, body="2号楼通知", scope="buildings", building_ids=str(b2)))
    headers = {"X-CSRF-Token": zhangmin.csrf}
    moved = zhangmin.http.put(
        f"/admin/api/notices/{nid}",
        json={"body": "11号楼通知", "scope": "buildings", "ids": [b11]},
        headers=headers,
    )
    assert moved.status_code == 403  # another grid's building
    ok = zhangmin.http.put(
        f"/admin/api/notices/{nid}",
        json={"title": "电梯检修", "body": "2号楼电梯周三检修", "scope": "buildings", "ids": [b2]},
        headers=headers,
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["title"] == "电梯检修" and ok.json()["preview"]["total"] == 1
    # A scheduled notice can still be changed before its time.
    later = (datetime.now(UTC) + timedelta(hours=3)).isoformat()
    zhangmin.api_post(f"/admin/api/notices/{nid}/send", {"scheduled_at": later}).raise_for_status()
    again = zhangmin.http.put(
        f"/admin/api/notices/{nid}",
        json={"body": "2号楼电梯周四检修", "scope": "buildings", "ids": [b2]},
        headers=headers,
    )
    assert again.status_code == 200 and again.json()["status"] == "scheduled"


def test_update_draft_loses_to_a_send_that_came_first(runtime: Runtime) -> None:
    with runtime.session_factory() as session:
        notice = Notice(community_id=1, body="原文", targets={}, status="draft", created_by="t")
        session.add(notice)
        session.commit()
        content = NoticeContent(None, "新文", None, None, {}, [], False, "全社区")
        with runtime.session_factory() as other:  # another request starts sending it
            other_notice = other.get(Notice, notice.id)
            assert other_notice is not None
            other_notice.status = "sending"
            other.commit()
        assert update_draft(session, notice, content, actor="t", now=datetime.now(UTC)) is None
        session.commit()
        session.refresh(notice)
        assert notice.body == "原文" and notice.status == "sending"
