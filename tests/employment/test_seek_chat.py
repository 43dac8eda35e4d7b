"""The job_seek dialogue through the real webhook."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from bot.runtime import Runtime
from storage.models import Event, JobPosting, JobSeeker, Resident
from tests.conftest import WeChat


def seeker_of(runtime: Runtime, openid: str) -> JobSeeker | None:
    with runtime.session_factory() as session:
        return session.scalar(
            select(JobSeeker)
            .join(Resident, JobSeeker.resident_id == Resident.id)
            .where(Resident.openid == openid)
        )


def test_everything_in_the_first_message_needs_no_question(
    wechat: WeChat, runtime: Runtime, add_posting: Callable[..., JobPosting]
) -> None:
    full_day = add_posting(title="货车司机", hours="full")  # needs a full day: excluded
    half_day = add_posting(
        title="送货司机", employer="城南超市", hours="half", kind="flexible", pay="80元/天"
    )
    reply = wechat.say("demo-zhoujie", "想找工作，会开车，只能干半天要接孩子")
    assert reply is not None
    print(reply)
    assert "已登记：可就业，会开车，半天，需接送孩子" in reply
    assert f"{half_day.code} 送货司机（城南超市）" in reply
    assert "匹配原因：会开车、半天、方便接送孩子" in reply
    assert full_day.code + " " not in reply
    assert f"回复“报名 {half_day.code}”" in reply
    seeker = seeker_of(runtime, "demo-zhoujie")
    assert seeker is not None
    assert (seeker.labour_status, seeker.skills, seeker.hours, seeker.constraints) == (
        "available",
        ["开车"],
        "half",
        ["接送孩子"],
    )
    with runtime.session_factory() as session:
        event = session.scalars(
            select(Event).where(Event.entity_type == "job_seeker", Event.entity_id == seeker.id)
        ).one()
    assert event.to_state == "available" and "会开车" in (event.note or "")


def test_only_what_is_missing_is_asked_then_matches(
    wechat: WeChat, runtime: Runtime, add_posting: Callable[..., JobPosting]
) -> None:
    sewing = add_posting(
        kind="workshop",
        title="缝纫工",
        employer="扶贫车间（阳光小区）",
        skills=["缝纫"],
        hours="half",
        place="阳光小区3号楼底商",
        pay="计件，约2000元/月",
        compound="阳光小区",
    )
    training = add_posting(
        kind="training",
        title="麻编技能培训",
        employer="县人社局",
        skills=[],
        hours="half",
        place="社区活动室",
        pay="免费，有补贴",
        order_firm="鑫源麻编合作社",
    )
    ask = wechat.say("demo-wangnainai", "扶贫车间还招人吗")
    assert ask is not None
    assert "会什么手艺" in ask and "全天还是半天" in ask
    assert "想去扶贫车间" not in ask  # the kind was already said: not asked again
    reply = wechat.say("demo-wangnainai", "会缝纫，半天")
    assert reply is not None
    assert "已登记：可就业，会缝纫，想做扶贫车间，半天" in reply
    assert sewing.code in reply and "匹配原因：会缝纫、想去扶贫车间、半天、就在本小区" in reply
    assert training.code not in reply  # a training is not what she asked for
    # The dialogue is over: the next message is a new request.
    assert "会什么手艺" not in (wechat.say("demo-wangnainai", "你好") or "")


def test_a_vague_answer_is_asked_once_more_then_defaults(
    wechat: WeChat, runtime: Runtime, add_posting: Callable[..., JobPosting]
) -> None:
    add_posting(kind="flexible", title="小区保洁", skills=["保洁"], hours="any")
    assert "会什么手艺" in (wechat.say("demo-lidaye", "想找工作") or "")
    again = wechat.say("demo-lidaye", "嗯嗯")
    assert again is not None and again.startswith("没太听明白")
    done = wechat.say("demo-lidaye", "嗯")
    assert done is not None and "已登记：可就业" in done
    seeker = seeker_of(runtime, "demo-lidaye")
    assert seeker is not None and seeker.skills == [] and seeker.hours == "any"


def test_cancel_leaves_the_dialogue_and_records_nothing(wechat: WeChat, runtime: Runtime) -> None:
    assert "会什么手艺" in (wechat.say("demo-zhengyan", "想找工作") or "")
    assert "已取消" in (wechat.say("demo-zhengyan", "取消") or "")
    assert seeker_of(runtime, "demo-zhengyan") is None


def test_not_able_to_work_is_recorded_with_the_reason(wechat: WeChat, runtime: Runtime) -> None:
    reply = wechat.say("demo-zhaoxiaoli", "我怀孕了，暂时不能工作，找工作的事以后再说")
    assert reply is not None and "已登记：暂不能就业（怀孕）" in reply
    seeker = seeker_of(runtime, "demo-zhaoxiaoli")
    assert seeker is not None
    assert (seeker.labour_status, seeker.unable_reason) == ("unable", "怀孕")


def test_a_registered_seeker_asking_again_gets_matches_from_the_profile(
    wechat: WeChat, runtime: Runtime, add_posting: Callable[..., JobPosting]
) -> None:
    wechat.say("demo-sunqiang", "想找工作，会电工，全天")
    posting = add_posting(kind="county", title="电工", skills=["电工"], hours="full")
    reply = wechat.say("demo-sunqiang", "找工作")
    assert reply is not None
    assert "按您登记的信息（可就业，会电工，全天）" in reply
    assert f"{posting.code} 电工" in reply and "匹配原因：会电工、全天" in reply
    assert len(reply.encode()) < 2048  # fits a passive reply
