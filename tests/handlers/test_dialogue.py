"""Conversations through the webhook: binding an address, cancel, timeout, fallback."""

from __future__ import annotations

import json

from redis import Redis
from sqlalchemy import select

from bot.runtime import Runtime
from storage.events import history
from storage.models import Handover, Household, Resident
from tests.conftest import WeChat


def resident(runtime: Runtime, openid: str) -> Resident:
    with runtime.session_factory() as session:
        found = session.scalars(select(Resident).where(Resident.openid == openid)).one()
        if found.household_id:
            household = session.get(Household, found.household_id)
            assert household is not None
            _ = household.address  # load before the session closes
            found.household = household
        return found


def test_address_in_one_message_binds_household(wechat: WeChat, runtime: Runtime) -> None:
    reply = wechat.say("u-bind", "我住3号楼2单元501")
    assert reply is not None and "已绑定住址：3号楼2单元501" in reply and "第一网格" in reply
    bound = resident(runtime, "u-bind")
    assert bound.household is not None and bound.household.address == "3号楼2单元501"
    with runtime.session_factory() as session:
        events = history(session, "resident", bound.id)
    assert [e.to_state for e in events] == [f"household:{bound.household_id}"]


def test_dash_form_and_rebinding(wechat: WeChat, runtime: Runtime) -> None:
    assert "8号楼1单元402" in (wechat.say("u-dash", "绑定房号 8-1-402") or "")
    assert "12号楼3单元601" in (wechat.say("u-dash", "我住12号楼3单元601") or "")
    bound = resident(runtime, "u-dash")
    assert bound.household is not None and bound.household.address == "12号楼3单元601"


def test_unknown_address_is_explained_and_asked_again(wechat: WeChat, runtime: Runtime) -> None:
    reply = wechat.say("u-unknown", "我住30号楼2单元501")
    assert reply is not None and "没有找到" in reply and "没有30号楼" in reply
    reply = wechat.say("u-unknown", "3号楼2单元901")
    assert reply is not None and "3号楼没有2单元901室" in reply
    reply = wechat.say("u-unknown", "3号楼2单元502")
    assert reply is not None and "已绑定住址：3号楼2单元502" in reply
    assert resident(runtime, "u-unknown").household_id is not None


def test_flow_asks_for_address_then_continues(wechat: WeChat, runtime: Runtime) -> None:
    reply = wechat.say("u-flow", "绑定房号")
    assert reply is not None and "请告诉我您的住址" in reply
    reply = wechat.say("u-flow", "5栋1单元302")
    assert reply is not None and "已绑定住址：5号楼1单元302" in reply


def test_cancel_leaves_the_flow(wechat: WeChat, runtime: Runtime, redis: Redis) -> None:
    wechat.say("u-cancel", "绑定房号")
    assert redis.get("dialogue:u-cancel") is not None
    assert "不登记住址了" in (wechat.say("u-cancel", "取消") or "")
    assert redis.get("dialogue:u-cancel") is None
    assert "没有可以取消的事情" in (wechat.say("u-cancel", "取消") or "")
    assert resident(runtime, "u-cancel").household_id is None


def test_timed_out_flow_is_dropped_and_said_so(wechat: WeChat, redis: Redis) -> None:
    wechat.say("u-timeout", "绑定房号")
    state = json.loads(redis.get("dialogue:u-timeout") or "{}")
    state["expires_at"] = 1.0  # as if the resident came back an hour later
    redis.set("dialogue:u-timeout", json.dumps(state))
    reply = wechat.say("u-timeout", "你好")
    assert reply is not None and "已自动结束" in reply
    assert redis.get("dialogue:u-timeout") is None


def test_human_records_handover_and_names_the_grid_worker(wechat: WeChat, runtime: Runtime) -> None:
    reply = wechat.say("demo-wangnainai", "转人工")
    assert reply is not None and "张敏" in reply  # 3号楼 → 第一网格 → 张敏
    with runtime.session_factory() as session:
        handover = session.scalars(select(Handover)).one()
        assert handover.status == "open" and handover.grid_id is not None
        assert [e.to_state for e in history(session, "handover", handover.id)] == ["open"]


def test_human_without_address_still_recorded_and_asks_for_address(
    wechat: WeChat, runtime: Runtime
) -> None:
    reply = wechat.say("u-nohome", "我要找网格员")
    assert reply is not None and "住址" in reply
    with runtime.session_factory() as session:
        assert session.scalars(select(Handover)).one().grid_id is None


def test_gibberish_twice_offers_a_person(wechat: WeChat) -> None:
    first = wechat.say("u-lost", "啊啊啊啊")
    assert first is not None and ("没太明白" in first or "您是想" in first)
    second = wechat.say("u-lost", "呜呜呜")
    assert second is not None and "转人工" in second
