"""Reminders and missed-visit alerts under a controlled clock: the volunteer is reminded
within the channels' limits, and a missed visit reaches the grid's work group once."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.jobs import pairs as pair_jobs
from bot.runtime import Runtime
from storage.clock import CHINA, FrozenClock
from storage.volunteers.profiles import profile_of
from tests.admin.conftest import Console
from tests.pairs.conftest import make_pair, planned, resident_id, set_last_message


def test_a_missed_visit_alerts_the_grid_group_once(
    runtime: Runtime, zhangmin: Console, clock: FrozenClock
) -> None:
    pair = make_pair(zhangmin, runtime)  # every 7 days, grace 2 days
    start = clock.now()
    assert pair_jobs.tick(now=start + timedelta(days=5)) == {"reminded": 0, "missed": 0}
    assert pair_jobs.tick(now=start + timedelta(days=9)) == {"reminded": 1, "missed": 0}
    assert planned(runtime, "pair_missed") == []
    later = start + timedelta(days=9, hours=1)
    assert pair_jobs.tick(now=later) == {"reminded": 0, "missed": 1}
    for extra in (1, 5, 30):
        assert pair_jobs.tick(now=later + timedelta(days=extra))["missed"] == 0
    [alert] = planned(runtime, "pair_missed")
    assert alert.channel == "wecom_robot" and alert.recipient == "grid-g1"
    text = str(alert.payload["text"])
    assert pair["code"] in text and "王奶奶" in text and "12月14日前" in text and "孙强" in text


def test_a_visit_recorded_moves_the_due_date_and_a_new_miss_alerts_again(
    runtime: Runtime, zhangmin: Console, clock: FrozenClock, wechat
) -> None:
    pair = make_pair(zhangmin, runtime)
    start = clock.now()
    pair_jobs.tick(now=start + timedelta(days=10))
    clock.set(start + timedelta(days=11))
    assert "已记录" in (wechat.say("demo-sunqiang", f"探访 {pair['code']} 一切都好") or "")
    assert pair_jobs.tick(now=start + timedelta(days=12))["missed"] == 0
    assert pair_jobs.tick(now=start + timedelta(days=20, hours=1))["missed"] == 1
    assert len(planned(runtime, "pair_missed")) == 2


def test_reminders_go_by_customer_service_inside_the_window_else_by_template(
    runtime: Runtime, zhangmin: Console, clock: FrozenClock
) -> None:
    start = clock.now()
    due_soon = start + timedelta(days=6, hours=1)
    # 孙强 wrote an hour before the reminder: a customer-service message.
    set_last_message(runtime, "demo-sunqiang", due_soon - timedelta(hours=1))
    make_pair(zhangmin, runtime, "3-2-501", "demo-sunqiang")
    # 吴华 wrote three days ago (window closed); 赵晓丽 used up her quota of five.
    set_last_message(runtime, "demo-wuhua", due_soon - timedelta(days=3))
    make_pair(zhangmin, runtime, "8-1-402", "demo-wuhua")
    set_last_message(runtime, "demo-zhaoxiaoli", due_soon - timedelta(hours=1), used=5)
    make_pair(zhangmin, runtime, "9-2-301", "demo-zhaoxiaoli")

    assert pair_jobs.tick(now=start + timedelta(days=5))["reminded"] == 0
    assert pair_jobs.tick(now=due_soon)["reminded"] == 3
    assert pair_jobs.tick(now=due_soon + timedelta(hours=2))["reminded"] == 0  # once
    channels = {d.recipient: d.channel for d in planned(runtime, "pair_reminder")}
    assert channels == {
        "demo-sunqiang": "customer_service",
        "demo-wuhua": "template",
        "demo-zhaoxiaoli": "template",
    }
    [reminder] = planned(runtime, "pair_reminder", "demo-wuhua")
    assert reminder.payload["template_id"] == "pair_visit"
    assert "李大爷" in str(reminder.payload["text"]) and "探访 P" in str(reminder.payload["text"])


def test_reminders_wait_for_the_daytime_and_skip_volunteers_who_left(
    runtime: Runtime, zhangmin: Console, clock: FrozenClock
) -> None:
    clock.set(datetime(2026, 12, 7, 23, 30, tzinfo=CHINA))  # created late at night
    make_pair(zhangmin, runtime, "3-2-501", "demo-sunqiang")
    make_pair(zhangmin, runtime, "8-1-402", "demo-wuhua")
    with runtime.session_factory() as session:
        profile = profile_of(session, resident_id(runtime, "demo-wuhua"))
        assert profile is not None
        profile.status = "left"
        session.commit()
    night = datetime(2026, 12, 13, 23, 45, tzinfo=CHINA)  # a day before: but midnight
    assert pair_jobs.tick(now=night)["reminded"] == 0
    morning = datetime(2026, 12, 14, 8, 0, tzinfo=CHINA)
    assert pair_jobs.tick(now=morning)["reminded"] == 1
    assert [d.recipient for d in planned(runtime, "pair_reminder")] == ["demo-sunqiang"]
    # The one who left is not reminded; the grid worker hears of the missed visit instead.
    late = datetime(2026, 12, 17, 9, 0, tzinfo=CHINA)
    assert pair_jobs.tick(now=late)["missed"] == 2


def test_an_ended_pair_is_neither_reminded_nor_recorded(
    runtime: Runtime, zhangmin: Console, clock: FrozenClock, wechat
) -> None:
    pair = make_pair(zhangmin, runtime)
    ended = zhangmin.api_post(f"/admin/api/pairs/{pair['id']}/end", json={"reason": "已搬离"})
    assert ended.status_code == 200 and ended.json()["status_label"] == "已结束"
    assert zhangmin.http.get("/admin/api/pairs").json() == []
    assert pair_jobs.tick(now=clock.now() + timedelta(days=30)) == {"reminded": 0, "missed": 0}
    reply = wechat.say("demo-sunqiang", f"探访 {pair['code']} 一切都好")
    assert reply is not None and "已结束" in reply and "没有记录" in reply
    again = zhangmin.api_post(f"/admin/api/pairs/{pair['id']}/end", json={"reason": "重复"})
    assert again.status_code == 400
