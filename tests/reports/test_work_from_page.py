"""Working a request from the console as a grid worker would: the people and their
phones (full only for the staff who handle the record), a reply that reaches the
resident, correcting and routing with a reason, and names instead of codes."""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import select, update

from admin.deps import Staff
from admin.requests.view import people
from bot.runtime import Runtime
from storage.models import Handover, Resident, ServiceRequest, utcnow
from tests.admin.conftest import Console, audit_rows
from tests.conftest import WeChat
from tests.reports.conftest import get_request, received, report_code, states

WORK = Callable[[], None]


def set_phone(runtime: Runtime, openid: str, phone: str) -> None:
    with runtime.session_factory() as session:
        session.execute(update(Resident).where(Resident.openid == openid).values(phone=phone))
        session.commit()


def test_phone_is_full_and_tap_to_call_only_for_those_who_handle_the_record(
    wechat: WeChat, runtime: Runtime, console: Callable[[str], Console]
) -> None:
    set_phone(runtime, "demo-wangnainai", "13812345678")
    code = report_code(wechat, "demo-wangnainai", "3号楼2单元楼道灯坏了，晚上看不见")
    request_id = get_request(runtime, code).id
    for username in ("admin", "zhangmin"):  # the admin, and the worker of 3号楼's grid
        page = console(username).http.get(f"/admin/requests/{request_id}").text
        people_part = page.split('id="people"')[1].split("</section>")[0]
        assert 'href="tel:13812345678"' in people_part
        assert "王奶奶" in people_part and "反映人" in people_part
        assert re.search(r'href="/admin/residents/\d+">王奶奶</a>', people_part)
    # Another grid's worker gets neither the page nor a way to message the resident.
    li = console("liqiang")
    assert li.http.get(f"/admin/requests/{request_id}").status_code == 403
    refused = li.post_form(f"/admin/requests/{request_id}/reply", resident_id="1", text="你好")
    assert refused.status_code == 403
    # Anyone else shown the people of this record sees the number masked, never dialable.
    with runtime.session_factory() as session:
        request = session.get(ServiceRequest, request_id)
        assert request is not None
        outsider = Staff(0, "x", "外网格", "grid_worker", (3,), "", "")
        (shown,) = people(session, outsider, request, utcnow())
    assert shown["phone"] == "138****5678" and shown["tel"] == ""


def test_a_forged_reply_is_refused(
    wechat: WeChat, runtime: Runtime, console: Callable[[str], Console]
) -> None:
    code = report_code(wechat, "demo-wangnainai", "3号楼门口路灯不亮了")
    request_id = get_request(runtime, code).id
    zhang = console("zhangmin")
    forged = zhang.http.post(
        f"/admin/requests/{request_id}/reply",
        data={"csrf_token": "forged", "resident_id": "1", "text": "假的"},
    )
    assert forged.status_code == 403
    assert "replied" not in [to for _f, to in states(runtime, request_id)]


def test_reply_reaches_the_resident_and_shows_the_channel(
    wechat: WeChat, runtime: Runtime, work: WORK, console: Callable[[str], Console]
) -> None:
    code = report_code(wechat, "demo-wangnainai", "3号楼2单元楼道灯坏了")
    request_id = get_request(runtime, code).id
    zhang = console("zhangmin")
    page = zhang.http.get(f"/admin/requests/{request_id}").text
    assert "48小时互动窗口内" in page and "回复将通过「客服消息」发送" in page
    with runtime.session_factory() as session:
        wang = session.scalars(select(Resident).where(Resident.openid == "demo-wangnainai")).one()
        wang_id = wang.id
    sent = zhang.post_form(
        f"/admin/requests/{request_id}/reply", resident_id=str(wang_id), text="师傅下午3点上门"
    )
    assert sent.status_code == 303 and sent.headers["location"].endswith("msg=replied")
    work()
    assert any(
        "【张敏回复】" in t and "师傅下午3点上门" in t for t in received(runtime, "demo-wangnainai")
    )
    history = zhang.http.get(f"/admin/requests/{request_id}").text.split('id="history"')[1]
    assert "张敏（网格员）" in history and "回复居民" in history and "师傅下午3点上门" in history
    assert "居民王奶奶" in history
    assert "staff:" not in history and "resident:" not in history
    assert [r.username for r in audit_rows(runtime, "reply")] == ["zhangmin"]
    # Only the people of this request can be written to.
    other = zhang.post_form(f"/admin/requests/{request_id}/reply", resident_id="99999", text="x")
    assert other.status_code == 400


def test_correct_category_and_urgency_with_a_reason(
    wechat: WeChat, runtime: Runtime, work: WORK, console: Callable[[str], Console]
) -> None:
    code = report_code(wechat, "demo-wangnainai", "3号楼楼道垃圾堆了好几天没人清")
    before = get_request(runtime, code)
    assert not before.urgent
    zhang = console("zhangmin")
    missing = zhang.post_form(f"/admin/requests/{before.id}/correct", urgent="1")
    assert missing.status_code == 400 and "请填写修改原因" in missing.text
    done = zhang.post_form(
        f"/admin/requests/{before.id}/correct",
        category="水电燃气",
        urgent="1",
        reason="上门确认是燃气泄漏",
    )
    assert done.status_code == 303, done.text
    after = get_request(runtime, code)
    assert after.urgent and after.category == "水电燃气"
    assert after.resolve_by < before.resolve_by  # urgent deadlines are shorter
    page = zhang.http.get(f"/admin/requests/{before.id}").text
    assert "类别：环境卫生 → 水电燃气" in page or "→ 水电燃气" in page
    assert "标为紧急" in page and "上门确认是燃气泄漏" in page
    work()
    assert any("已列为紧急问题" in t for t in received(runtime, "demo-wangnainai"))


def test_transfer_to_an_outside_unit_and_to_another_grid(
    wechat: WeChat, runtime: Runtime, work: WORK, console: Callable[[str], Console]
) -> None:
    code = report_code(wechat, "demo-wangnainai", "3号楼单元门禁坏了")
    request_id = get_request(runtime, code).id
    zhang = console("zhangmin")
    page = zhang.http.get(f"/admin/requests/{request_id}").text
    assert "物业服务中心（0571-86001234）" in page
    to_unit = zhang.post_form(
        f"/admin/requests/{request_id}/transfer", unit="物业服务中心", reason="门禁归物业维修"
    )
    assert to_unit.status_code == 303, to_unit.text
    row = get_request(runtime, request_id)
    assert row.owner_name == "物业服务中心" and row.status == "dispatched"
    text = zhang.http.get(f"/admin/requests/{request_id}").text
    assert "负责人</dt><dd>物业服务中心" in text and "0571-86001234" in text
    by_unit = zhang.http.get("/admin/requests", params={"owner": "物业服务中心"}).text
    assert code in by_unit and "共1条" in by_unit
    # To another grid: it leaves this worker's queue and reaches that grid's group.
    moved = zhang.post_form(
        f"/admin/requests/{request_id}/transfer", target_grid="3", reason="实为12号楼"
    )
    assert moved.status_code == 303 and moved.headers["location"].startswith("/admin/requests?")
    row = get_request(runtime, request_id)
    assert row.grid_id == 3 and row.owner_name is None and row.status == "accepted"
    assert code not in zhang.http.get("/admin/requests").text
    assert code in console("liqiang").http.get("/admin/requests").text
    work()
    assert any("【问题转派】" in t and code in t for t in received(runtime, "grid-g3"))
    assert any("已转交第三网格" in t for t in received(runtime, "demo-wangnainai"))


def test_hand_over_conversation_reply_and_the_resident_told(
    wechat: WeChat, runtime: Runtime, work: WORK, console: Callable[[str], Console]
) -> None:
    set_phone(runtime, "demo-wangnainai", "13812345678")
    wechat.say("demo-wangnainai", "转人工")
    with runtime.session_factory() as session:
        handover = session.scalars(select(Handover).order_by(Handover.id.desc())).first()
        assert handover is not None
        handover_id = handover.id
    zhang = console("zhangmin")
    assert zhang.post_form(f"/admin/handovers/{handover_id}/claim").status_code == 303
    page = zhang.http.get(f"/admin/handovers/{handover_id}").text
    assert 'href="tel:13812345678"' in page and 'id="conversation"' in page
    assert "将通过「客服消息」发送" in page
    replied = zhang.post_form(f"/admin/handovers/{handover_id}/reply", text="我下午2点上门看看")
    assert replied.status_code == 303, replied.text
    conversation = (
        zhang.http.get(f"/admin/handovers/{handover_id}")
        .text.split('id="conversation"')[1]
        .split("</section>")[0]
    )
    assert "我下午2点上门看看" in conversation and "张敏（网格员）" in conversation
    closed = zhang.post_form(f"/admin/handovers/{handover_id}/close", note="已上门处理")
    assert closed.status_code == 303
    work()
    texts = received(runtime, "demo-wangnainai")
    assert any("张敏已接手您的转人工请求" in t for t in texts)
    assert any("【张敏回复】我下午2点上门看看" in t for t in texts)
    assert any(f"转人工请求（H{handover_id}）已办结" in t for t in texts)
    assert not any("已上门处理" in t for t in texts)  # the staff's note stays in the record
    late = zhang.post_form(f"/admin/handovers/{handover_id}/reply", text="还有事吗")
    assert late.status_code == 409 and "已办结" in late.text


def test_api_history_names_the_actors(
    wechat: WeChat, runtime: Runtime, console: Callable[[str], Console]
) -> None:
    code = report_code(wechat, "demo-wangnainai", "3号楼2单元楼道灯坏了")
    request_id = get_request(runtime, code).id
    zhang = console("zhangmin")
    assert zhang.api_post(f"/admin/api/requests/{request_id}/claim").status_code == 200
    detail = zhang.http.get(f"/admin/api/requests/{request_id}").json()
    labels = [e["actor_label"] for e in detail["history"]]
    assert labels == ["居民王奶奶", "张敏（网格员）"]


def test_returned_requests_wait_in_the_pool_until_the_community_routes_them(
    wechat: WeChat, runtime: Runtime, work: WORK, console: Callable[[str], Console]
) -> None:
    code = report_code(wechat, "demo-wangnainai", "3号楼2单元楼道灯坏了")
    request_id = get_request(runtime, code).id
    zhang = console("zhangmin")
    returned = zhang.post_form(f"/admin/requests/{request_id}/return", reason="实为邻居家的灯")
    assert returned.status_code == 303
    admin = console("admin")
    pool = admin.http.get("/admin/requests").text
    card = pool.split(f'data-request="{request_id}"')[1].split("</li>")[0]
    assert "社区派单池" in card and "认领" in card
    work()
    assert any("【问题退回】" in t and code in t for t in received(runtime, "community-chengnan"))
    routed = admin.post_form(
        f"/admin/requests/{request_id}/transfer", target_grid="1", reason="仍属第一网格"
    )
    assert routed.status_code == 303, routed.text
    assert code in zhang.http.get("/admin/requests", params={"owner": "none"}).text
    history = zhang.http.get(f"/admin/requests/{request_id}").text.split('id="history"')[1]
    assert "社区派单池 → 第一网格" in history and "刘书记（社区管理员）" in history


def test_followers_are_listed_with_their_phones(
    wechat: WeChat, runtime: Runtime, console: Callable[[str], Console]
) -> None:
    from storage.requests.service import subscribe

    set_phone(runtime, "demo-zhaoxiaoli", "13600001111")
    code = report_code(wechat, "demo-wangnainai", "3号楼2单元楼道灯坏了")
    request_id = get_request(runtime, code).id
    with runtime.session_factory() as session:
        request = session.get(ServiceRequest, request_id)
        zhao = session.scalars(select(Resident).where(Resident.openid == "demo-zhaoxiaoli")).one()
        assert request is not None
        subscribe(
            session, request, zhao.id, actor="resident:demo-zhaoxiaoli", text="灯坏了", now=utcnow()
        )
        session.commit()
    part = (
        console("zhangmin").http.get(f"/admin/requests/{request_id}").text.split('id="people"')[1]
    )
    part = part.split("</section>")[0]
    assert "赵晓丽" in part and "同一问题居民" in part and 'href="tel:13600001111"' in part
    assert part.index("王奶奶") < part.index("赵晓丽")  # the reporter first
