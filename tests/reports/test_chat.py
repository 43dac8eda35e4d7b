"""Reporting in chat: duplicates, urgency, asking for the address, status and cancel."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from bot.runtime import Runtime
from storage.clock import CHINA, FrozenClock
from tests.admin.conftest import Console
from tests.conftest import WeChat
from tests.reports.conftest import all_requests, get_request, received, states

CODE = re.compile(r"M\d{8}-\d{4}")


def code_in(reply: str | None) -> str:
    found = CODE.search(reply or "")
    assert found is not None, reply
    return found.group(0)


def test_same_problem_in_same_building_follows_the_open_request(
    wechat: WeChat,
    runtime: Runtime,
    work: Callable[[], None],
    console: Callable[[str], Console],
) -> None:
    first = code_in(wechat.say("demo-wangnainai", "3号楼电梯坏了"))
    wechat.say("u-neighbour", "我住3号楼1单元101")
    reply = wechat.say("u-neighbour", "3号楼的电梯又停了")
    assert reply is not None and "已有居民反映" in reply and first in reply and "2户" in reply
    assert len(all_requests(runtime)) == 1
    request = get_request(runtime, first)
    assert request.same_count == 2
    # Staff resolve it: the follower hears about it too.
    admin = console("admin")
    admin.api_post(f"/admin/api/requests/{request.id}/claim")
    admin.api_post(f"/admin/api/requests/{request.id}/resolve", {"note": "电梯已修复"})
    work()
    assert any("您关注的问题" in t and "电梯已修复" in t for t in received(runtime, "u-neighbour"))
    assert any("请为处理结果打分" in t for t in received(runtime, "demo-wangnainai"))


def test_not_the_same_problem_files_a_new_request(wechat: WeChat, runtime: Runtime) -> None:
    first = code_in(wechat.say("demo-wangnainai", "3号楼楼道灯坏了"))
    wechat.say("u-other", "我住3号楼3单元601")
    assert "已有居民反映" in (wechat.say("u-other", "3号楼3单元的灯不亮") or "")
    reply = wechat.say("u-other", "新问题")
    second = code_in(reply)
    assert second != first and "已受理" in (reply or "")
    assert get_request(runtime, first).same_count == 1
    assert get_request(runtime, second).location == "3号楼3单元"


def test_urgent_words_jump_the_queue_with_a_short_clock(
    wechat: WeChat,
    runtime: Runtime,
    console: Callable[[str], Console],
    frozen_clock: FrozenClock,
) -> None:
    calm = code_in(wechat.say("demo-zhaoxiaoli", "5号楼门口垃圾没人清"))
    reply = wechat.say("u-lift", "救命 5号楼电梯困人了")
    urgent = code_in(reply)
    assert "紧急" in (reply or "")
    row = get_request(runtime, urgent)
    assert row.urgent and (row.respond_by - row.created_at).total_seconds() == 2 * 3600
    assert (row.resolve_by - row.created_at).total_seconds() == 24 * 3600
    queue = console("zhangmin").http.get("/admin/api/requests", params={"grid_id": 1}).json()
    assert [item["code"] for item in queue["items"]] == [urgent, calm]
    general = get_request(runtime, calm)  # 7 working days from Monday 10:00
    assert general.resolve_by == datetime(2026, 12, 16, 10, 0, tzinfo=CHINA)


def test_without_an_address_asks_then_files_the_report(wechat: WeChat, runtime: Runtime) -> None:
    reply = wechat.say("demo-newcomer", "楼道里的灯坏了好几天了")
    assert reply is not None and "住址" in reply and all_requests(runtime) == []
    reply = wechat.say("demo-newcomer", "12号楼2单元302")
    assert reply is not None and "已绑定住址" in reply and "已受理" in reply
    (request,) = all_requests(runtime)
    assert request.location == "12号楼2单元302" and request.grid_id == 3
    assert request.category == "公共照明" and not request.urgent
    assert "李强" in reply


def test_an_emergency_is_filed_before_the_address(wechat: WeChat, runtime: Runtime) -> None:
    reply = wechat.say("demo-newcomer", "楼道里有很重的煤气味")
    assert reply is not None and "已受理" in reply and "不要开关电器" in reply
    assert "楼号、单元号和房号" in reply
    (request,) = all_requests(runtime)
    assert request.category == "水电燃气" and request.urgent and request.grid_id is None
    reply = wechat.say("demo-newcomer", "12号楼2单元302")
    assert reply is not None and "已把位置补充到工单" in reply
    (request,) = all_requests(runtime)
    assert request.location == "12号楼2单元302" and request.grid_id == 3


def test_unknown_building_is_explained(wechat: WeChat, runtime: Runtime) -> None:
    assert "没有40号楼" in (wechat.say("demo-wangnainai", "40号楼路灯坏了") or "")
    assert all_requests(runtime) == []


def test_status_lists_own_requests_only(wechat: WeChat, runtime: Runtime) -> None:
    one = code_in(wechat.say("demo-wangnainai", "3号楼楼道灯坏了"))
    two = code_in(wechat.say("demo-wangnainai", "家里厨房下水道堵了"))
    other = code_in(wechat.say("demo-lidaye", "8号楼门口乱停车"))
    reply = wechat.say("demo-wangnainai", "我反映的问题怎么样了") or ""
    assert one in reply and two in reply and other not in reply and "待派单" in reply
    assert "没有找到" in (wechat.say("demo-wangnainai", f"查询 {other}") or "")


def test_cancel_own_request_with_reason_but_never_someone_elses(
    wechat: WeChat, runtime: Runtime
) -> None:
    mine = code_in(wechat.say("demo-lidaye", "8号楼楼下路灯坏了"))
    theirs = code_in(wechat.say("demo-wangnainai", "3号楼楼道灯坏了"))
    assert "不能撤销" in (wechat.say("demo-lidaye", f"撤销 {theirs}") or "") or "没有找到" in (
        wechat.say("demo-lidaye", f"撤销 {theirs}") or ""
    )
    assert get_request(runtime, theirs).status == "accepted"
    reply = wechat.say("demo-lidaye", f"我要撤销{mine}，已经自己修好了")
    assert reply is not None and f"确定要撤销工单 {mine}" in reply
    assert get_request(runtime, mine).status == "accepted"  # nothing happens before "1"
    reply = wechat.say("demo-lidaye", "1")
    assert reply is not None and "已撤销工单 " + mine in reply
    cancelled = get_request(runtime, mine)
    assert cancelled.status == "cancelled" and "自己修好了" in (cancelled.status_note or "")
    assert states(runtime, cancelled.id)[-1] == ("accepted", "cancelled")


def test_a_follower_cannot_cancel_the_reporters_request(wechat: WeChat, runtime: Runtime) -> None:
    code = code_in(wechat.say("demo-wangnainai", "3号楼电梯坏了"))
    wechat.say("u-follow", "我住3号楼1单元101")
    wechat.say("u-follow", "3号楼电梯坏了")
    assert "不是您提交的" in (wechat.say("u-follow", f"撤销 {code}") or "")
    assert get_request(runtime, code).status == "accepted"


def test_just_reported_then_changed_mind(wechat: WeChat, runtime: Runtime) -> None:
    code = code_in(wechat.say("demo-zhoujie", "21号楼楼道很脏没人打扫"))
    reply = wechat.say("demo-zhoujie", "算了不报了")
    assert reply is not None and "确定要撤销工单" in reply and code in reply
    reply = wechat.say("demo-zhoujie", "1")
    assert reply is not None and "已撤销" in reply
    assert get_request(runtime, code).status == "cancelled"
