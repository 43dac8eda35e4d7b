"""The whole meal-delivery flow through the webhook, the console API and the sandbox."""

from __future__ import annotations

from sqlalchemy import select

from bot.runtime import Runtime
from storage.events import history
from storage.models import HoursEntry, MealOrder
from tests.admin.conftest import Console
from tests.conftest import WeChat
from tests.volunteers.conftest import Sandbox, profile_id, task_row


def test_order_confirm_offer_accept_deliver_credit(
    wechat: WeChat, runtime: Runtime, canteen: Console, sandbox: Sandbox, work
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


def test_meal_order_asks_when_and_can_be_cancelled(wechat: WeChat, canteen: Console) -> None:
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
