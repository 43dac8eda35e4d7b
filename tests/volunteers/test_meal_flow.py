"""The whole meal-delivery flow through the webhook, the console API and the sandbox."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.jobs import meal_orders as jobs_meal_orders
from bot.runtime import Runtime
from storage.clock import FrozenClock
from storage.events import history
from storage.models import HoursEntry, Household, MealOrder
from tests.admin.conftest import Console
from tests.conftest import WeChat
from tests.volunteers.conftest import Sandbox, profile_id, task_row


def test_order_confirm_offer_accept_deliver_credit(
    wechat: WeChat,
    runtime: Runtime,
    canteen: Console,
    sandbox: Sandbox,
    work,
    clock: FrozenClock,
) -> None:
    reply = wechat.say("demo-lidaye", "明天中午给我送一份饭到8号楼402")
    assert reply is not None and "请确认订餐" in reply and "8号楼1单元402" in reply
    reply = wechat.say("demo-lidaye", "两份，少盐")
    assert reply is not None and "2份" in reply and "备注：少盐" in reply
    reply = wechat.say("demo-lidaye", "确认")
    assert reply is not None and "已下单" in reply and "订单号 D" in reply

    orders = canteen.http.get("/admin/api/canteen/orders").json()
    assert [(o["address"], o["count"], o["note"], o["status"]) for o in orders] == [
        ("8号楼1单元402", 2, "少盐", "pending")
    ]
    confirmed = canteen.api_post(f"/admin/api/canteen/orders/{orders[0]['id']}/confirm")
    assert confirmed.status_code == 200, confirmed.text
    task = confirmed.json()["task"]
    code = task["code"]
    work()
    # The one who ordered hears that the canteen confirmed, once (a retried job sends nothing).
    told = [t for t in sandbox.texts("demo-lidaye") if "食堂已确认" in t]
    assert len(told) == 1 and orders[0]["code"] in told[0] and "12月5日午餐" in told[0]
    assert jobs_meal_orders.tell_order_confirmed(orders[0]["id"])
    work()
    assert len([t for t in sandbox.texts("demo-lidaye") if "食堂已确认" in t]) == 1

    # Building 8 is in grid 2, which has no volunteer: the neighbours (grids 1, 3) get it.
    for openid in ("demo-zhaoxiaoli", "demo-sunqiang"):
        offers = sandbox.texts(openid)
        assert len(offers) == 1 and code in offers[0] and "8号楼1单元" in offers[0]
        assert "402" not in offers[0] and "13900000402" not in offers[0]
    assert sandbox.texts("demo-wuhua") == []  # grid 4 is not a neighbour of grid 2

    # "好的我去" right after the offer accepts it; the winner alone gets room and phone.
    reply = wechat.say("demo-zhaoxiaoli", "好的我去")
    assert reply is not None and f"接单成功！任务 {code}" in reply
    assert "8号楼1单元402" in reply and "13900000402" in reply and "少盐" in reply
    reply = wechat.say("demo-sunqiang", f"接 {code}")
    assert reply is not None and "已经有其他志愿者接了" in reply and "402" not in reply
    work()
    # ... and that a volunteer took it: a surname, never the volunteer's phone.
    accepted = [t for t in sandbox.texts("demo-lidaye") if "已接单" in t]
    assert len(accepted) == 1 and "赵志愿者已接单" in accepted[0] and "11:30" in accepted[0]
    assert "13800000302" not in accepted[0] and "赵晓丽" not in accepted[0]
    assert jobs_meal_orders.tell_task_accepted(task["id"], 0)
    work()
    assert len([t for t in sandbox.texts("demo-lidaye") if "已接单" in t]) == 1

    clock.set(task_row(runtime, task["id"]).pickup_at + timedelta(minutes=15))
    reply = wechat.say("demo-zhaoxiaoli", "已送达")
    assert reply is not None and f"任务 {code} 已完成" in reply and "0.5小时" in reply
    work()
    assert any("已由志愿者送达" in t for t in sandbox.texts("demo-lidaye"))
    reply = wechat.say("demo-lidaye", "收到了")
    assert reply is not None and "已确认收到" in reply

    reply = wechat.say("demo-zhaoxiaoli", "我的服务时长")
    assert reply is not None and "累计 0.5小时" in reply and "完成送餐 1 单" in reply

    done = task_row(runtime, task["id"])
    assert done.status == "done" and done.confirmed_at is not None
    with runtime.session_factory() as session:
        states = [e.to_state for e in history(session, "task", task["id"])]
        entries = list(session.scalars(select(HoursEntry)))
        order = session.scalars(select(MealOrder)).one()
    assert states[0] == "open" and states[-3:] == ["assigned", "done", "received"]
    assert [(e.volunteer_id, e.minutes) for e in entries] == [
        (profile_id(runtime, "demo-zhaoxiaoli"), 30)
    ]
    assert order.status == "delivered"
    detail = canteen.http.get(f"/admin/api/canteen/tasks/{task['id']}").json()
    assert detail["status_label"] == "已送达" and detail["volunteer"]["name"] == "赵晓丽"


def test_meal_order_asks_address_first_then_continues(wechat: WeChat) -> None:
    reply = wechat.say("u-meal-new", "明天中午送两份饭")
    assert reply is not None and "送餐地址" in reply
    reply = wechat.say("u-meal-new", "8号楼1单元401")
    assert reply is not None and "已绑定住址" in reply and "请确认订餐" in reply
    assert "2份" in reply
    assert "已下单" in (wechat.say("u-meal-new", "确认") or "")


def test_meal_order_asks_when_and_can_be_cancelled(
    wechat: WeChat, canteen: Console, clock: FrozenClock
) -> None:
    reply = wechat.say("demo-wangnainai", "老人下不了楼想要送餐")
    assert reply is not None and "哪天哪一顿" in reply
    reply = wechat.say("demo-wangnainai", "明天晚饭")
    assert reply is not None and "晚餐" in reply and "3号楼2单元501" in reply
    assert "已下单" in (wechat.say("demo-wangnainai", "好的") or "")
    reply = wechat.say("demo-wangnainai", "取消订餐")
    assert reply is not None and "确定要取消订餐" in reply
    assert [o["status"] for o in canteen.http.get("/admin/api/canteen/orders").json()] == [
        "pending"
    ]
    reply = wechat.say("demo-wangnainai", "1")
    assert reply is not None and "已取消订餐" in reply
    orders = canteen.http.get("/admin/api/canteen/orders").json()
    assert [o["status"] for o in orders] == ["cancelled"]
    assert "没有可以取消的订餐" in (wechat.say("demo-wangnainai", "取消订餐") or "")


def order_addresses(runtime: Runtime) -> list[str]:
    with runtime.session_factory() as session:
        orders = session.scalars(select(MealOrder).order_by(MealOrder.id))
        return [session.get_one(Household, o.household_id).address for o in orders]


def test_named_address_is_used_and_only_the_missing_unit_is_asked(
    wechat: WeChat, runtime: Runtime, clock: FrozenClock
) -> None:
    # 王奶奶 lives at 3-2-501; building 8 has three units with a flat 402.
    reply = wechat.say("demo-wangnainai", "明天中午送一份饭到8号楼402")
    assert reply is not None and "送到8号楼几单元402？" in reply
    assert "3号楼2单元501" not in reply and "请确认订餐" not in reply
    reply = wechat.say("demo-wangnainai", "2")
    assert reply is not None and "请确认订餐" in reply and "送到：8号楼2单元402" in reply
    assert "12月5日午餐" in reply
    reply = wechat.say("demo-wangnainai", "确认")
    assert reply is not None and "已下单" in reply and "8号楼2单元402" in reply
    assert order_addresses(runtime) == ["8号楼2单元402"]


def test_named_household_that_does_not_exist_is_said_and_asked_again(
    wechat: WeChat, runtime: Runtime, clock: FrozenClock
) -> None:
    reply = wechat.say("demo-wangnainai", "明天中午送一份饭到8号楼5单元402")
    assert reply is not None and "没有找到8号楼5单元" in reply and "送到8号楼几单元402？" in reply
    reply = wechat.say("demo-wangnainai", "1单元")
    assert reply is not None and "送到：8号楼1单元402" in reply
    assert "已下单" in (wechat.say("demo-wangnainai", "确认") or "")
    assert order_addresses(runtime) == ["8号楼1单元402"]


def test_without_an_address_the_home_is_shown_and_can_be_corrected(
    wechat: WeChat, runtime: Runtime, clock: FrozenClock
) -> None:
    reply = wechat.say("demo-wangnainai", "我要订饭")
    assert reply is not None and "请问要哪天哪一顿" in reply
    # The example answer moves the dialogue on (it used to ask the same question again).
    reply = wechat.say("demo-wangnainai", "明天中午")
    assert reply is not None and "请确认订餐" in reply and "12月5日午餐（明天）" in reply
    assert "送到：3号楼2单元501" in reply and "哪天哪一顿" not in reply
    reply = wechat.say("demo-wangnainai", "送到8号楼2单元402")
    assert reply is not None and "请确认订餐" in reply and "送到：8号楼2单元402" in reply
    assert "备注" not in reply
    assert "已下单" in (wechat.say("demo-wangnainai", "确认") or "")
    assert order_addresses(runtime) == ["8号楼2单元402"]


def test_dates_are_china_time_at_four_in_the_morning(
    wechat: WeChat, runtime: Runtime, clock: FrozenClock
) -> None:
    # 04:15 on 12月4日 in China (20:15 on 12月3日 UTC).
    reply = wechat.say("demo-wangnainai", "明天中午送一份饭")
    assert reply is not None and "12月5日午餐（明天）" in reply and "送到：3号楼2单元501" in reply
    assert "没有提交" in (wechat.say("demo-wangnainai", "取消") or "")
    reply = wechat.say("demo-wangnainai", "今天晚饭送一份")
    assert reply is not None and "12月4日晚餐（今天）" in reply and "已截止" not in reply
    assert "已下单" in (wechat.say("demo-wangnainai", "确认") or "")
    with runtime.session_factory() as session:
        order = session.scalars(select(MealOrder)).one()
    assert (order.meal_date.isoformat(), order.slot) == ("2026-12-04", "dinner")


def test_cancel_order_after_a_misunderstood_message_asks_to_confirm(
    wechat: WeChat, runtime: Runtime, clock: FrozenClock
) -> None:
    assert "请确认订餐" in (wechat.say("demo-wangnainai", "明天中午送一份饭") or "")
    assert "已下单" in (wechat.say("demo-wangnainai", "确认") or "")
    wechat.say("demo-wangnainai", "嗯嗯")  # not understood
    reply = wechat.say("demo-wangnainai", "取消订餐")
    assert reply is not None and "确定要取消订餐 D" in reply and "（12月5日午餐）" in reply
    assert "已取消" not in reply
    with runtime.session_factory() as session:
        assert session.scalars(select(MealOrder)).one().status == "pending"
    reply = wechat.say("demo-wangnainai", "1")
    assert reply is not None and "已取消订餐 D" in reply and "（12月5日午餐）" in reply
    with runtime.session_factory() as session:
        assert session.scalars(select(MealOrder)).one().status == "cancelled"


def test_a_new_request_while_confirming_is_not_taken_as_a_dietary_note(
    wechat: WeChat, runtime: Runtime, clock: FrozenClock
) -> None:
    assert "请确认订餐" in (wechat.say("demo-wangnainai", "明天中午送一份饭") or "")
    reply = wechat.say("demo-wangnainai", "3号楼楼道灯坏了")
    assert reply is not None and "请确认订餐" not in reply and "备注" not in reply
    with runtime.session_factory() as session:
        assert session.scalars(select(MealOrder)).all() == []
