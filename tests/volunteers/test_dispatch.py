"""Dispatch: the accept race, hand-back, widening and escalation under a controlled clock,
the per-volunteer limit, and what other volunteers never see."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from bot.jobs import meals as jobs_meals
from bot.processor import HOLDING_REPLY
from bot.runtime import Runtime
from storage.clock import CHINA, FrozenClock
from storage.events import history
from storage.models import HoursEntry, InboundMessage, TaskOffer, VolunteerTask
from storage.outbound.deliveries import list_deliveries
from tests.conftest import InProcessApp, WeChat
from tests.volunteers.conftest import CreateTask, Sandbox, add_volunteer, profile_id, task_row


def final_reply(runtime: Runtime, openid: str, passive: str | None) -> str:
    """The passive reply, or the late customer-service reply after a holding answer."""
    if passive != HOLDING_REPLY:
        return passive or ""
    with runtime.session_factory() as session:
        row = session.scalars(select(InboundMessage).where(InboundMessage.openid == openid)).all()[
            -1
        ]
        late = list_deliveries(session, purpose="late_reply", recipient=openid)
        assert row.status == "deferred" and late
        return str(late[-1].payload["text"])


def race(live_server: InProcessApp, replies: list[tuple[str, str]]) -> list[str | None]:
    """Every (openid, text) posted at the same moment, each over its own connection."""
    gate = threading.Barrier(len(replies))

    def post(item: tuple[str, str]) -> str | None:
        openid, text = item
        client = WeChat(live_server)
        try:
            fields = client.sim.text_fields(openid, text)
            gate.wait()
            response = client.post_fields(fields)
            assert response.status_code == 200, response.text
            return client.sim.read_reply(response.status_code, response.content).text
        finally:
            client.http.close()

    with ThreadPoolExecutor(max_workers=len(replies)) as pool:
        return list(pool.map(post, replies))


def test_fifty_volunteers_accept_at_once_exactly_one_wins(
    live_server: InProcessApp, runtime: Runtime, create_task: CreateTask, sandbox: Sandbox, work
) -> None:
    openids = [f"race-vol-{n:03d}" for n in range(50)]
    for openid in openids:
        add_volunteer(runtime, openid, grid_id=2)
    task = create_task("8-1-402")
    code = task["code"]
    work()
    assert all(len(sandbox.texts(o)) == 1 for o in openids)  # everyone was offered it

    replies = race(live_server, [(o, f"接 {code}") for o in openids])
    finals = [final_reply(runtime, o, r) for o, r in zip(openids, replies, strict=True)]

    winners = [o for o, text in zip(openids, finals, strict=True) if "接单成功" in text]
    refused = [text for text in finals if "已经有其他志愿者接了" in text]
    assert len(winners) == 1 and len(refused) == 49
    assert all("402" not in text for text in refused)
    row = task_row(runtime, task["id"])
    assert row.status == "assigned" and row.volunteer_id == profile_id(runtime, winners[0])
    with runtime.session_factory() as session:
        assigned = [e for e in history(session, "task", task["id"]) if e.to_state == "assigned"]
    assert len(assigned) == 1


def test_handback_reoffers_to_others_not_the_one_who_returned_it(
    wechat: WeChat, runtime: Runtime, create_task: CreateTask, sandbox: Sandbox, work
) -> None:
    task = create_task("3-2-501")  # grid 1: demo-zhaoxiaoli's grid
    code = task["code"]
    work()
    assert len(sandbox.texts("demo-zhaoxiaoli")) == 1
    assert sandbox.texts("demo-sunqiang") == []  # grid 3 is not offered in round one
    assert "接单成功" in (wechat.say("demo-zhaoxiaoli", f"接 {code}") or "")

    reply = wechat.say("demo-zhaoxiaoli", f"退回 {code}")
    assert reply is not None and f"已退回任务 {code}" in reply
    row = task_row(runtime, task["id"])
    assert row.status == "open" and row.volunteer_id is None and row.attempt == 1
    work()
    # Nobody else in grid 1 or its neighbour grid 2: the re-offer goes to everyone at once,
    # except the volunteer who handed it back.
    assert len(sandbox.texts("demo-zhaoxiaoli")) == 1
    assert [code in t for t in sandbox.texts("demo-sunqiang")] == [True]
    with runtime.session_factory() as session:
        offers = session.scalars(
            select(TaskOffer).where(TaskOffer.task_id == task["id"], TaskOffer.attempt == 1)
        ).all()
    assert profile_id(runtime, "demo-zhaoxiaoli") not in [o.volunteer_id for o in offers]
    # Someone else can now take it.
    reply = wechat.say("demo-wuhua", f"接 {code}")
    assert reply is not None and "接单成功" in reply and "3号楼2单元501" in reply


def test_handback_after_the_window_is_refused(
    wechat: WeChat, runtime: Runtime, create_task: CreateTask, work
) -> None:
    task = create_task("3-2-501")
    work()
    assert "接单成功" in (wechat.say("demo-zhaoxiaoli", f"接 {task['code']}") or "")
    with runtime.session_factory() as session:
        row = session.get(VolunteerTask, task["id"])
        assert row is not None
        row.assigned_at = datetime.now(UTC) - timedelta(hours=2)
        session.commit()
    reply = wechat.say("demo-zhaoxiaoli", f"我不送了 {task['code']}")
    assert reply is not None and "超过可退回的时间" in reply
    assert task_row(runtime, task["id"]).status == "assigned"


def test_unaccepted_offer_widens_then_alerts_canteen_staff(
    runtime: Runtime, create_task: CreateTask, sandbox: Sandbox, work
) -> None:
    task = create_task("3-2-501")  # grid 1
    work()
    assert len(sandbox.texts("demo-zhaoxiaoli")) == 1
    start = task_row(runtime, task["id"]).offered_at
    assert start is not None

    assert jobs_meals.widen_offers(now=start + timedelta(minutes=5)) == 0  # not yet
    assert jobs_meals.widen_offers(now=start + timedelta(minutes=11)) == 1
    work()
    # Grid 2, the only neighbour of grid 1, has no volunteer: the circle is everyone.
    row = task_row(runtime, task["id"])
    assert row.offer_round == 2
    assert len(sandbox.texts("demo-sunqiang")) == 1 and len(sandbox.texts("demo-wuhua")) == 1
    assert len(sandbox.texts("demo-zhaoxiaoli")) == 1  # not offered twice
    assert sandbox.records("canteen-xingfu") == []

    assert row.offered_at is not None
    jobs_meals.widen_offers(now=row.offered_at + timedelta(minutes=11))
    work()
    alerts = sandbox.records("canteen-xingfu", kind="wecom_robot")
    assert len(alerts) == 1 and task["code"] in alerts[0]["text"]
    assert "无人接单" in alerts[0]["text"]
    assert task_row(runtime, task["id"]).offer_round == 3
    # Escalated once only.
    jobs_meals.widen_offers(now=row.offered_at + timedelta(hours=3))
    work()
    assert len(sandbox.records("canteen-xingfu", kind="wecom_robot")) == 1


def test_reminder_before_pickup_and_overdue_alert(
    wechat: WeChat, runtime: Runtime, create_task: CreateTask, sandbox: Sandbox, work
) -> None:
    task = create_task("3-2-501")
    work()
    assert "接单成功" in (wechat.say("demo-zhaoxiaoli", f"接 {task['code']}") or "")
    row = task_row(runtime, task["id"])
    before = len(sandbox.texts("demo-zhaoxiaoli"))
    jobs_meals.remind_and_chase(now=row.pickup_at - timedelta(minutes=45))
    work()
    assert len(sandbox.texts("demo-zhaoxiaoli")) == before
    jobs_meals.remind_and_chase(now=row.pickup_at - timedelta(minutes=29))
    jobs_meals.remind_and_chase(now=row.pickup_at - timedelta(minutes=20))
    work()
    reminders = sandbox.texts("demo-zhaoxiaoli")[before:]
    assert len(reminders) == 1 and "提醒" in reminders[0] and "3号楼2单元501" in reminders[0]

    jobs_meals.tick(now=row.deadline_at + timedelta(minutes=1))
    work()
    alerts = sandbox.records("canteen-xingfu", kind="wecom_robot")
    assert len(alerts) == 1 and "逾期未送达" in alerts[0]["text"]


def test_volunteer_holds_at_most_k_active_tasks(
    wechat: WeChat, runtime: Runtime, create_task: CreateTask, work, clock: FrozenClock
) -> None:
    first = create_task("3-2-501")
    codes = [first["code"], create_task("3-2-502")["code"]]
    codes.append(create_task("3-2-601")["code"])
    work()
    clock.set(task_row(runtime, first["id"]).pickup_at)  # deliveries happen at pickup time
    assert "接单成功" in (wechat.say("demo-zhaoxiaoli", f"接 {codes[0]}") or "")
    assert "接单成功" in (wechat.say("demo-zhaoxiaoli", f"接 {codes[1]}") or "")
    reply = wechat.say("demo-zhaoxiaoli", f"接 {codes[2]}")
    assert reply is not None and "已有2个未完成的任务" in reply
    reply = wechat.say("demo-zhaoxiaoli", "已送达")
    assert reply is not None and "请说明送达的是哪一单" in reply
    assert "已完成" in (wechat.say("demo-zhaoxiaoli", f"送达 {codes[0]}") or "")
    assert "接单成功" in (wechat.say("demo-zhaoxiaoli", f"接 {codes[2]}") or "")


def test_other_volunteers_never_see_room_or_phone(
    wechat: WeChat, runtime: Runtime, create_task: CreateTask, sandbox: Sandbox, work
) -> None:
    for n in range(3):
        add_volunteer(runtime, f"priv-vol-{n}", grid_id=2, recent=n != 0)  # one gets a template
    task = create_task("8-1-402")
    work()
    offered_at = task_row(runtime, task["id"]).offered_at
    assert offered_at is not None
    jobs_meals.widen_offers(now=offered_at + timedelta(minutes=11))  # grids 1 and 3 too
    work()
    assert "接单成功" in (wechat.say("priv-vol-1", f"接 {task['code']}") or "")
    row = task_row(runtime, task["id"])
    jobs_meals.tick(now=row.pickup_at - timedelta(minutes=20))
    work()
    for openid in ("priv-vol-0", "priv-vol-2", "demo-zhaoxiaoli", "demo-sunqiang"):
        seen = " ".join(sandbox.texts(openid))
        assert task["code"] in seen
        assert "402" not in seen and "13900000402" not in seen and "李大爷" not in seen
    kinds = {r["kind"] for r in sandbox.records("priv-vol-0")}
    assert kinds == {"template"}
    # The winner's reminder does name the room.
    assert any("8号楼1单元402" in t for t in sandbox.texts("priv-vol-1"))
    with runtime.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(TaskOffer)) == 5


def test_delivered_long_before_pickup_is_questioned_not_credited(
    wechat: WeChat, runtime: Runtime, create_task: CreateTask, work, clock: FrozenClock
) -> None:
    clock.set(datetime(2026, 12, 4, 4, 9, tzinfo=CHINA))
    task = create_task("3-2-501", when=date(2026, 12, 4))  # lunch: pickup 11:30
    code = task["code"]
    work()
    assert "接单成功" in (wechat.say("demo-zhaoxiaoli", f"接 {code}") or "")

    for text in ("已送达", f"{code}送到了"):
        reply = wechat.say("demo-zhaoxiaoli", text)
        assert reply is not None and "还没到取餐时间" in reply and "11:30" in reply
        assert f"送达 {code}" in reply and "已完成" not in reply
    row = task_row(runtime, task["id"])
    assert row.status == "assigned" and row.done_at is None
    with runtime.session_factory() as session:
        assert session.scalars(select(HoursEntry)).all() == []

    # 20 minutes before pickup is not "long before": credited.
    clock.set(datetime(2026, 12, 4, 11, 10, tzinfo=CHINA))
    reply = wechat.say("demo-zhaoxiaoli", "已送达")
    assert reply is not None and f"任务 {code} 已完成" in reply
    assert task_row(runtime, task["id"]).status == "done"
    with runtime.session_factory() as session:
        assert len(session.scalars(select(HoursEntry)).all()) == 1


def test_the_winner_is_told_pickup_address_contact_and_handback_window(
    wechat: WeChat, runtime: Runtime, create_task: CreateTask, work
) -> None:
    add_volunteer(runtime, "card-vol", grid_id=2)
    task = create_task("8-1-402")
    work()
    code = task["code"]
    assert wechat.say("card-vol", f"接 {code}") == (
        f"接单成功！任务 {code}\n取餐：阳光小区1号楼底商幸福食堂，11:30\n送到：8号楼1单元402\n"
        "联系人：李大爷 13900000402\n份数：1份\n"
        f"送达后回复“送达 {code}”。如临时有事，30分钟内可回复“退回 {code}”。"
    )
