"""job_apply ("报名 J12"), withdrawing, and 退订 through the real webhook."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy import select

from bot.runtime import Runtime
from storage.events import history
from storage.models import JobApplication, JobPosting, JobSeeker
from tests.conftest import WeChat


def applications(runtime: Runtime) -> list[JobApplication]:
    with runtime.session_factory() as session:
        return list(session.scalars(select(JobApplication).order_by(JobApplication.id)))


def test_apply_then_duplicate_is_told_and_recorded_once(
    wechat: WeChat, runtime: Runtime, add_posting: Callable[..., JobPosting]
) -> None:
    posting = add_posting()
    ok = wechat.say("demo-zhoujie", f"报名 {posting.code}")
    assert ok is not None and f"已报名 {posting.code} 货车司机（县城物流公司）" in ok
    again = wechat.say("demo-zhoujie", f"{posting.code.lower()}这个岗位我想去")
    assert again is not None
    assert f"您已经报名过 {posting.code} 货车司机，当前状态：已报名" in again
    rows = applications(runtime)
    assert len(rows) == 1 and rows[0].status == "applied"
    with runtime.session_factory() as session:
        events = history(session, "job_application", rows[0].id)
        seeker = session.get(JobSeeker, rows[0].seeker_id)
    assert [e.to_state for e in events] == ["applied"]
    assert seeker is not None and seeker.household_id is not None  # registered by applying


def test_unknown_closed_and_full_postings_get_clear_answers(
    wechat: WeChat, runtime: Runtime, add_posting: Callable[..., JobPosting]
) -> None:
    unknown = wechat.say("demo-zhoujie", "报名 J999")
    assert unknown is not None and "没有找到编号为 J999 的岗位" in unknown
    past = add_posting(deadline=(date.today() - timedelta(days=2)).isoformat())
    closed = wechat.say("demo-zhoujie", f"报名 {past.code}")
    assert closed is not None and f"{past.code} 货车司机已于" in closed and "截止报名" in closed
    full = add_posting(openings=1)
    with runtime.session_factory() as session:
        other = JobSeeker(name="钱师傅", source="survey", labour_status="employed")
        session.add(other)
        session.flush()
        session.add(JobApplication(posting_id=full.id, seeker_id=other.id, status="hired"))
        session.commit()
    answer = wechat.say("demo-zhoujie", f"报名 {full.code}")
    assert answer is not None and f"{full.code} 货车司机名额已满" in answer
    no_code = wechat.say("demo-zhoujie", "报名 J")
    assert no_code is not None
    assert all(a.seeker_id == other.id for a in applications(runtime))


def test_withdraw_an_application(
    wechat: WeChat, runtime: Runtime, add_posting: Callable[..., JobPosting]
) -> None:
    posting = add_posting()
    wechat.say("demo-wuhua", f"报名 {posting.code}")
    reply = wechat.say("demo-wuhua", "算了不报了")
    assert reply is not None and f"已撤回 {posting.code} 货车司机 的报名" in reply
    assert applications(runtime)[0].status == "withdrawn"
    # Applying again reopens the same application.
    assert "已报名" in (wechat.say("demo-wuhua", f"报名 {posting.code}") or "")
    rows = applications(runtime)
    assert len(rows) == 1 and rows[0].status == "applied"


def test_opt_out_and_back_in(wechat: WeChat, runtime: Runtime) -> None:
    assert "还没有登记找工作" in (wechat.say("demo-zhoujie", "退订岗位通知") or "")
    wechat.say("demo-zhoujie", "想找工作，会开车，全天")
    assert "已退订" in (wechat.say("demo-zhoujie", "退订") or "")
    assert "已经退订过" in (wechat.say("demo-zhoujie", "退订") or "")
    with runtime.session_factory() as session:
        seeker = session.scalars(select(JobSeeker)).one()
        assert seeker.notify is False
    assert "已恢复岗位通知" in (wechat.say("demo-zhoujie", "恢复岗位通知") or "")
    with runtime.session_factory() as session:
        seeker = session.scalars(select(JobSeeker)).one()
        assert seeker.notify is True
        assert [e.to_state for e in history(session, "job_seeker", seeker.id)] == [
            "available",
            "muted",
            "notify",
        ]
