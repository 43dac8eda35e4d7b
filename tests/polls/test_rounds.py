"""A monthly poll of the elderly in 张敏's grids, under a controlled clock: the first
question reaches residents within WeChat's rules (template when the 48-hour window is
closed, customer service inside it), households nobody can chat with go on the phone list,
residents answer one question at a time in loose words, a low score or a complaint files a
request linked to the answer, unanswered households move to the phone list when the chat
time is over, and the next round follows the cadence."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.dialogue_store import RedisDialogueStore
from bot.jobs.polls import tick
from bot.runtime import Runtime
from storage.clock import FrozenClock
from storage.models import PollOptOut, PollRound, ServiceRequest
from storage.polls.models import Poll
from storage.polls.scheduling import start_round
from storage.polls.service import activate
from tests.conftest import WeChat
from tests.notices.conftest import set_last_message
from tests.polls.conftest import answers, compose, received, resident_id, start, targets


def test_round_reaches_by_template_and_lists_offline_households(
    clock: FrozenClock, console, wechat: WeChat, runtime: Runtime, work
) -> None:
    zhang = console("zhangmin")
    poll = compose(zhang)
    assert poll["cadence_days"] == 30  # care-tagged households: monthly by default
    preview = {c["channel"]: c["count"] for c in poll["preview"]["channels"]}
    # 王奶奶 3-2-501 and 李大爷 8-1-402 use WeChat (window closed: template); 3-1-101 and
    # 7-2-201 have nobody on the official account.
    assert preview == {"customer_service": 0, "template": 2, "phone": 2}
    assert poll["preview"]["phone_reasons"] == [{"reason": "无微信", "count": 2}]

    detail = start(zhang, poll["id"], work)
    assert detail["status"] == "active" and detail["round_list"][0]["progress"]["chat"] == 2
    first = received(runtime, "demo-wangnainai")
    assert [r.kind for r in first] == ["template"]
    assert "【社区民调】12月独居空巢老人回访" in (first[0].text or "")
    assert "您对社区最近的服务打几分" in (first[0].text or "") and "不答了" in (first[0].text or "")
    found = targets(runtime, poll["id"])
    assert found["3-1-101"].status == "phone" and found["3-1-101"].phone_reason == "无微信"
    assert found["3-2-501"].channel == "template" and found["3-2-501"].status == "chat"
    assert "9-2-301" not in found  # 郑燕's household is tagged 残疾, not in this population


def test_loose_answers_one_at_a_time_and_a_complaint_becomes_a_request(
    clock: FrozenClock, console, wechat: WeChat, runtime: Runtime, work
) -> None:
    zhang = console("zhangmin")
    poll = compose(zhang)
    start(zhang, poll["id"], work)
    reply = wechat.say("demo-wangnainai", "五分")
    assert reply is not None and "记下了" in reply and "您最近身体怎么样" in reply
    assert "1 挺好" in reply
    reply = wechat.say("demo-wangnainai", "第二个吧")
    assert reply is not None and "有什么需要社区帮忙的吗" in reply
    reply = wechat.say("demo-wangnainai", "楼道的灯坏了好几天了没人管")
    assert reply is not None and "都答完了" in reply and "已转给网格员" in reply
    target = targets(runtime, poll["id"])["3-2-501"]
    assert target.status == "answered" and target.via == "chat"
    given = answers(runtime, target.id)
    assert [(a.number, a.text) for a in given] == [
        (5, None),
        (2, None),
        (None, "楼道的灯坏了好几天了没人管"),
    ]
    assert given[2].request_id is not None
    with runtime.session_factory() as session:
        request = session.get(ServiceRequest, given[2].request_id)
        assert request is not None and request.source == "poll"
        assert request.location == "3号楼2单元501" and "楼道的灯坏了" in request.description
        assert request.code in (reply or "")
    # The resident is out of the flow: the next message is an ordinary one.
    assert "记下了" not in (wechat.say("demo-wangnainai", "你好") or "")


def test_low_score_files_a_request_and_unclear_answer_is_asked_again(
    clock: FrozenClock, console, wechat: WeChat, runtime: Runtime, work
) -> None:
    zhang = console("zhangmin")
    poll = compose(zhang)
    start(zhang, poll["id"], work)
    again = wechat.say("demo-lidaye", "嗯嗯")
    assert again is not None and "1到5" in again and "您对社区最近的服务打几分" in again
    reply = wechat.say("demo-lidaye", "很差")
    assert reply is not None and "已转给网格员" in reply and "您最近身体怎么样" in reply
    target = targets(runtime, poll["id"])["8-1-402"]
    low = answers(runtime, target.id)[0]
    assert low.number == 1 and low.request_id is not None


def test_stop_and_opt_out(
    clock: FrozenClock, console, wechat: WeChat, runtime: Runtime, work
) -> None:
    zhang = console("zhangmin")
    poll = compose(zhang)
    start(zhang, poll["id"], work)
    assert "记下了" in (wechat.say("demo-wangnainai", "4") or "")
    reply = wechat.say("demo-wangnainai", "不答了")
    assert reply is not None and "已答的1道题已记下" in reply
    assert targets(runtime, poll["id"])["3-2-501"].status == "stopped"
    assert "记下了" not in (wechat.say("demo-wangnainai", "2") or "")

    reply = wechat.say("demo-lidaye", "退订")
    assert reply is not None and "不再通过微信" in reply
    with runtime.session_factory() as session:
        opted = session.scalars(select(PollOptOut.resident_id)).all()
    assert opted == [resident_id(runtime, "demo-lidaye")]
    # The next round phones 李大爷's household instead.
    clock.advance(timedelta(days=30))
    tick()
    work()
    found = targets(runtime, poll["id"])
    assert found["8-1-402"].status == "phone" and found["8-1-402"].phone_reason == "已退订微信民调"


def test_unanswered_go_on_the_phone_list_and_the_cadence_brings_round_two(
    clock: FrozenClock, console, wechat: WeChat, runtime: Runtime, work
) -> None:
    zhang = console("zhangmin")
    poll = compose(zhang)
    start(zhang, poll["id"], work)
    wechat.say("demo-wangnainai", "5")
    clock.advance(timedelta(days=2, hours=23))
    assert tick()["expired"] == 0
    clock.advance(timedelta(hours=2))
    assert tick()["expired"] == 2  # 李大爷 never answered; 王奶奶 stopped halfway
    found = targets(runtime, poll["id"])
    assert (found["8-1-402"].status, found["8-1-402"].phone_reason) == ("phone", "微信未回复")
    assert found["3-2-501"].phone_reason == "微信未答完"
    listing = zhang.http.get("/admin/api/polls/phone-list").json()
    assert {i["address"] for i in listing} == {
        "3号楼1单元101",
        "7号楼2单元201",
        "8号楼1单元402",
        "3号楼2单元501",
    }
    li = next(i for i in listing if i["address"] == "8号楼1单元402")
    assert li["name"] == "李大爷" and li["phone"] == "13900000402"

    clock.advance(timedelta(days=26))  # day 29: not yet due
    assert tick()["rounds"] == 0
    clock.advance(timedelta(days=1, hours=1))
    assert tick()["rounds"] == 1
    work()
    with runtime.session_factory() as session:
        rounds = session.scalars(select(PollRound).order_by(PollRound.number)).all()
        assert [(r.number, r.status) for r in rounds] == [(1, "closed"), (2, "open")]
    assert zhang.http.get("/admin/api/polls/phone-list").json()[0]["round"] == 2


def test_window_open_uses_customer_service_and_no_template_means_phone(
    clock: FrozenClock, console, wechat: WeChat, runtime: Runtime, work
) -> None:
    zhang = console("zhangmin")
    poll = compose(zhang)
    set_last_message(runtime, "demo-wangnainai", clock.now() - timedelta(hours=3))
    set_last_message(runtime, "demo-lidaye", clock.now() - timedelta(hours=47, minutes=30))
    preview = zhang.http.get(f"/admin/api/polls/{poll['id']}").json()["preview"]
    counts = {c["channel"]: c["count"] for c in preview["channels"]}
    # 47.5 h ago is inside WeChat's 48 h but not the planning margin: template.
    assert counts == {"customer_service": 1, "template": 1, "phone": 2}
    with runtime.session_factory() as session:
        row = session.get(Poll, poll["id"])
        assert row is not None
        activate(session, row, actor="test", first_round_at=clock.now())
        started = start_round(session, poll["id"], now=clock.now(), template_ok=False)
        assert started is not None
        runtime.commit(session)
    work()
    found = targets(runtime, poll["id"])
    assert found["3-2-501"].channel == "customer_service"
    assert (found["8-1-402"].status, found["8-1-402"].phone_reason) == (
        "phone",
        "超过48小时未互动且不能发模板消息",
    )
    assert [r.kind for r in received(runtime, "demo-wangnainai")] == ["custom"]
    assert received(runtime, "demo-lidaye") == []


def test_answer_taken_when_the_question_arrived_during_another_conversation(
    clock: FrozenClock, console, wechat: WeChat, runtime: Runtime, work
) -> None:
    zhang = console("zhangmin")
    poll = compose(zhang)
    assert "住址" in (wechat.say("demo-wangnainai", "绑定房号") or "")
    start(zhang, poll["id"], work)  # the address question is open: no poll flow over it
    reply = wechat.say("demo-wangnainai", "5分")
    assert reply is not None and "记下了" in reply and "您最近身体怎么样" in reply
    reply = wechat.say("demo-wangnainai", "第一个")
    assert reply is not None and "有什么需要社区帮忙的吗" in reply
    target = targets(runtime, poll["id"])["3-2-501"]
    assert [a.number for a in answers(runtime, target.id)] == [5, 1]


def test_answer_taken_after_the_dialogue_state_was_lost(
    clock: FrozenClock, console, wechat: WeChat, runtime: Runtime, work, redis
) -> None:
    """Redis holds only what can be rebuilt: the open question is in the database."""
    zhang = console("zhangmin")
    poll = compose(zhang)
    start(zhang, poll["id"], work)
    store = RedisDialogueStore(redis)
    assert store.load("demo-lidaye") is not None
    store.clear("demo-lidaye")
    reply = wechat.say("demo-lidaye", "5")
    assert reply is not None and "记下了" in reply and "您最近身体怎么样" in reply
    assert "记下了" not in (wechat.say("demo-zhaoxiaoli", "5") or "")  # not polled


def test_paused_poll_sends_no_round_until_resumed(
    clock: FrozenClock, console, wechat: WeChat, runtime: Runtime, work
) -> None:
    zhang = console("zhangmin")
    poll = compose(zhang)
    start(zhang, poll["id"], work)
    paused = zhang.api_post(f"/admin/api/polls/{poll['id']}/pause")
    assert paused.status_code == 200 and paused.json()["status_label"] == "已暂停"
    clock.advance(timedelta(days=31))
    assert tick()["rounds"] == 0
    assert zhang.api_post(f"/admin/api/polls/{poll['id']}/pause").status_code == 409
    page = zhang.http.get(f"/admin/polls/{poll['id']}")
    assert "恢复民调" in page.text
    resumed = start(zhang, poll["id"], work)  # the round was due: it is sent now
    assert resumed["status"] == "active" and len(resumed["round_list"]) == 2
    assert resumed["round_list"][0]["started_label"] == "2027-01-07 10:00"
