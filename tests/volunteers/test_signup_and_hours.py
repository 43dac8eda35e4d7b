"""Signing up by chat, staff approval as a setting, pause/resume/leave, the hours ledger
with corrections, and the monthly leaderboard per grid."""

from __future__ import annotations

from sqlalchemy import select

from bot.runtime import Runtime
from storage.clock import FrozenClock
from storage.models import Resident, VolunteerProfile
from tests.admin.conftest import Console
from tests.conftest import InProcessApp, WeChat
from tests.volunteers.conftest import CreateTask, Sandbox, profile_id, task_row


def profile(runtime: Runtime, openid: str) -> VolunteerProfile:
    with runtime.session_factory() as session:
        found = session.scalars(
            select(VolunteerProfile)
            .join(Resident, Resident.id == VolunteerProfile.resident_id)
            .where(Resident.openid == openid)
        ).one()
        return found


def test_signup_dialogue_records_skills_availability_and_home(
    wechat: WeChat, runtime: Runtime
) -> None:
    reply = wechat.say("u-vol-new", "我想当志愿者")
    assert reply is not None and "住址" in reply
    reply = wechat.say("u-vol-new", "7号楼2单元301")
    assert reply is not None and "已绑定住址" in reply and "第1步" in reply
    reply = wechat.say("u-vol-new", "不知道")
    assert reply is not None and "没看出您选了哪项服务" in reply
    reply = wechat.say("u-vol-new", "1 2 会开车")
    assert reply is not None and "送餐、陪伴、驾车" in reply and "第2步" in reply
    reply = wechat.say("u-vol-new", "周一到周五中午")
    assert reply is not None and "报名成功" in reply and "工作日 午餐" in reply
    assert "7号楼" in reply
    saved = profile(runtime, "u-vol-new")
    assert saved.skills == ["送餐", "陪伴", "驾车"] and saved.days == [0, 1, 2, 3, 4]
    assert saved.slots == ["lunch"] and saved.status == "active" and saved.grid_id == 2
    reply = wechat.say("u-vol-new", "我想当志愿者")
    assert reply is not None and "您已经是志愿者了" in reply


def test_pause_resume_and_leave_by_chat(
    wechat: WeChat,
    runtime: Runtime,
    create_task: CreateTask,
    sandbox: Sandbox,
    work,
    clock: FrozenClock,
) -> None:
    assert "已暂停" in (wechat.say("demo-zhaoxiaoli", "暂停志愿服务") or "")
    task = create_task("3-2-501")
    work()
    assert sandbox.texts("demo-zhaoxiaoli") == []  # paused: no offers
    reply = wechat.say("demo-zhaoxiaoli", "接 T1")
    assert reply is not None and "暂停中" in reply
    assert "已恢复" in (wechat.say("demo-zhaoxiaoli", "恢复志愿服务") or "")
    assert "接单成功" in (wechat.say("demo-zhaoxiaoli", "接 T1") or "")
    reply = wechat.say("demo-zhaoxiaoli", "退出志愿者")
    assert reply is not None and "还有未完成的任务 T1" in reply
    clock.set(task_row(runtime, task["id"]).pickup_at)  # delivered at pickup time
    wechat.say("demo-zhaoxiaoli", "送达 T1")
    assert "确定要退出志愿者队伍" in (wechat.say("demo-zhaoxiaoli", "退出志愿者") or "")
    assert profile(runtime, "demo-zhaoxiaoli").status != "left"
    assert "已退出志愿者队伍" in (wechat.say("demo-zhaoxiaoli", "1") or "")
    assert profile(runtime, "demo-zhaoxiaoli").status == "left"


def test_approval_setting_holds_new_volunteers_until_staff_approve(
    wechat: WeChat, runtime: Runtime, canteen: Console
) -> None:
    changed = canteen.api_post("/admin/api/canteen/settings", json={"require_approval": True})
    assert changed.status_code == 200 and changed.json()["require_approval"] is True
    wechat.say("demo-zhoujie", "我想当志愿者")
    wechat.say("demo-zhoujie", "送餐")
    reply = wechat.say("demo-zhoujie", "周末全天")
    assert reply is not None and "审核后会通知您" in reply
    assert "待审核" in (wechat.say("demo-zhoujie", "接 T1") or "")
    pid = profile_id(runtime, "demo-zhoujie")
    approved = canteen.api_post(f"/admin/api/canteen/volunteers/{pid}/approve")
    assert approved.status_code == 200 and approved.json()["status"] == "active"


def test_hours_ledger_corrections_and_leaderboard(
    wechat: WeChat,
    runtime: Runtime,
    canteen: Console,
    create_task: CreateTask,
    work,
    clock: FrozenClock,
) -> None:
    task = create_task("3-2-501")
    first, second = task["code"], create_task("16-1-102")["code"]
    work()
    wechat.say("demo-zhaoxiaoli", f"接 {first}")
    clock.set(task_row(runtime, task["id"]).pickup_at)  # both delivered at pickup time
    wechat.say("demo-zhaoxiaoli", "已送达")
    wechat.say("demo-wuhua", f"接 {second}")
    wechat.say("demo-wuhua", f"{second}送到了")
    zhao = profile_id(runtime, "demo-zhaoxiaoli")
    ledger = canteen.http.get(f"/admin/api/canteen/volunteers/{zhao}/hours").json()
    assert [e["minutes"] for e in ledger] == [30]
    corrected = canteen.api_post(
        f"/admin/api/canteen/volunteers/{zhao}/hours",
        json={"minutes": 30, "reason": "楼梯多，补记时长", "corrects_id": ledger[0]["id"]},
    )
    assert corrected.status_code == 200 and corrected.json()["total_minutes"] == 60
    ledger = canteen.http.get(f"/admin/api/canteen/volunteers/{zhao}/hours").json()
    assert [e["minutes"] for e in ledger] == [30, 30]  # a new entry; the first is unchanged

    reply = wechat.say("demo-zhaoxiaoli", "我的服务时长")
    assert reply is not None and "累计 1小时" in reply and "本网格第1名" in reply
    board = canteen.http.get("/admin/api/canteen/leaderboard").json()["rows"]
    assert [(r["name"], r["minutes"]) for r in board] == [("赵晓丽", 60), ("吴华", 30)]
    grid4 = canteen.http.get("/admin/api/canteen/leaderboard", params={"grid_id": 4}).json()
    assert [r["name"] for r in grid4["rows"]] == ["吴华"]
    volunteers = canteen.http.get("/admin/api/canteen/volunteers").json()
    assert {v["name"]: v["total_minutes"] for v in volunteers}["吴华"] == 30


def test_console_is_for_canteen_staff_and_admins(live_server: InProcessApp) -> None:
    for username, status in (("zhangmin", 403), ("admin", 200), ("canteen", 200)):
        console = Console(live_server).login(username)
        try:
            assert console.http.get("/admin/api/canteen/orders").status_code == status
        finally:
            console.close()
    anonymous = Console(live_server)
    assert anonymous.http.get("/admin/api/canteen/tasks").status_code == 401
    anonymous.close()
