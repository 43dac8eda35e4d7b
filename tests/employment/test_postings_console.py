"""The officer's console API: postings notify matching seekers within channel limits;
decisions reach the seeker; placements feed the household figures."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from bot.runtime import Runtime
from storage.models import Delivery, JobApplication, Resident, SandboxRecord
from tests.admin.conftest import Console
from tests.conftest import InProcessApp, WeChat
from tests.employment.conftest import posting_fields


def sent(runtime: Runtime, kind: str) -> dict[str, str]:
    with runtime.session_factory() as session:
        rows = session.scalars(select(SandboxRecord).where(SandboxRecord.kind == kind))
        return {r.target: r.text or "" for r in rows}


def set_resident(runtime: Runtime, openid: str, **values: object) -> None:
    with runtime.session_factory() as session:
        session.execute(update(Resident).where(Resident.openid == openid).values(**values))
        session.commit()


def test_new_posting_reaches_matching_seekers_by_the_right_channel(
    wechat: WeChat, runtime: Runtime, officer: Console, run_workers: Callable[[], None]
) -> None:
    wechat.say("demo-zhoujie", "想找工作，会开车，全天")  # wrote just now: 客服消息
    wechat.say("demo-lidaye", "想找工作，会开车，全天")
    set_resident(runtime, "demo-lidaye", last_message_at=datetime.now(UTC) - timedelta(hours=50))
    wechat.say("demo-zhengyan", "想找工作，会开车，全天")
    set_resident(runtime, "demo-zhengyan", cs_quota_used=4)  # quota nearly spent: template
    wechat.say("demo-wuhua", "想找工作，会开车，全天")
    wechat.say("demo-wuhua", "退订")  # opted out
    wechat.say("demo-sunqiang", "想找工作，会缝纫，全天")  # does not drive
    run_workers()  # (nothing of ours queued yet)
    response = officer.api_post("/admin/api/employment/postings", json=posting_fields())
    assert response.status_code == 201, response.text
    code = response.json()["code"]
    run_workers()
    custom, template = sent(runtime, "custom"), sent(runtime, "template")
    assert set(custom) == {"demo-zhoujie"}
    assert set(template) == {"demo-lidaye", "demo-zhengyan"}
    assert f"【新岗位】{code} 货车司机（县城物流公司）" in custom["demo-zhoujie"]
    assert "匹配原因：会开车、全天" in custom["demo-zhoujie"]
    assert f"回复“报名 {code}”" in custom["demo-zhoujie"]
    # The officer sees who matches and why.
    detail = officer.http.get(f"/admin/api/employment/postings/{response.json()['id']}").json()
    names = {m["name"]: m["explanation"] for m in detail["matching_seekers"]}
    assert names["李大爷"] == "匹配原因：会开车、全天"
    assert "孙强" not in names
    # Running the notice job again sends nothing twice.
    from bot.jobs.employment import notify_new_posting

    again = notify_new_posting(response.json()["id"])
    run_workers()
    assert again["matched"] == 3  # 吴华 opted out, 孙强 does not drive
    assert len(sent(runtime, "custom")) == 1
    with runtime.session_factory() as session:
        notices = session.scalars(select(Delivery).where(Delivery.purpose == "job_notice")).all()
    assert len(notices) == 3 and all(d.status == "sent" for d in notices)


def test_at_most_three_posting_notices_a_week(
    wechat: WeChat, runtime: Runtime, officer: Console, run_workers: Callable[[], None]
) -> None:
    wechat.say("demo-zhoujie", "想找工作，会开车，全天")
    set_resident(runtime, "demo-zhoujie", last_message_at=datetime.now(UTC) - timedelta(days=3))
    for n in range(4):
        response = officer.api_post(
            "/admin/api/employment/postings", json=posting_fields(title=f"司机{n}")
        )
        assert response.status_code == 201
        run_workers()
    with runtime.session_factory() as session:
        notices = session.scalars(select(Delivery).where(Delivery.purpose == "job_notice")).all()
    assert [d.channel for d in notices] == ["template"] * 3


def test_posting_validation_and_roles(officer: Console, live_server: InProcessApp) -> None:
    bad = officer.api_post("/admin/api/employment/postings", json=posting_fields(skills=["飞行"]))
    assert bad.status_code == 422
    firm = officer.api_post(
        "/admin/api/employment/postings", json=posting_fields(order_firm="鑫源合作社")
    )
    assert firm.status_code == 400 and "培训" in firm.json()["detail"]
    ok = officer.api_post(
        "/admin/api/employment/postings",
        json=posting_fields(kind="training", skills=["麻编"], order_firm="鑫源合作社"),
    )
    assert ok.status_code == 201 and ok.json()["order_firm"] == "鑫源合作社"
    worker = Console(live_server).login("zhangmin")
    try:
        assert worker.http.get("/admin/api/employment/postings").status_code == 403
    finally:
        worker.close()
    no_csrf = officer.http.post("/admin/api/employment/postings", json=posting_fields())
    assert no_csrf.status_code == 403


def test_decision_tells_the_seeker_and_updates_household_figures(
    wechat: WeChat, runtime: Runtime, officer: Console, run_workers: Callable[[], None]
) -> None:
    created = officer.api_post("/admin/api/employment/postings", json=posting_fields(openings=1))
    posting = created.json()
    wechat.say("demo-zhoujie", "想找工作，会开车，全天")
    wechat.say("demo-zhoujie", f"报名 {posting['code']}")
    wechat.say("demo-lidaye", f"报名 {posting['code']}")
    before = officer.http.get("/admin/api/employment/figures").json()
    assert before["zero_employment_households"] == 2 and before["placements"] == 0
    detail = officer.http.get(f"/admin/api/employment/postings/{posting['id']}").json()
    first, second = (a["id"] for a in detail["application_list"])
    hired = officer.api_post(
        f"/admin/api/employment/applications/{first}/decision", json={"decision": "hired"}
    )
    assert hired.status_code == 200 and hired.json()["status_label"] == "已录用"
    full = officer.api_post(
        f"/admin/api/employment/applications/{second}/decision", json={"decision": "hired"}
    )
    assert full.status_code == 409 and "名额" in full.json()["detail"]
    officer.api_post(
        f"/admin/api/employment/applications/{second}/decision", json={"decision": "rejected"}
    )
    run_workers()
    custom = sent(runtime, "custom")
    assert "已录用" in custom["demo-zhoujie"] and "未录用" in custom["demo-lidaye"]
    after = officer.http.get("/admin/api/employment/figures").json()
    assert after["zero_employment_households"] == 1 and after["placements"] == 1
    assert after["zero_employment_addresses"] == ["8号楼1单元402"]
    with runtime.session_factory() as session:
        statuses = sorted(a.status for a in session.scalars(select(JobApplication)))
    assert statuses == ["hired", "rejected"]
    late = wechat.say("demo-lidaye", f"报名 {posting['code']}")
    assert late is not None and "您已经报名过" in late and "未录用" in late
