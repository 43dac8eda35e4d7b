"""Context-dependent replies, 办事指南 answers and staff-added words, through the webhook."""

from __future__ import annotations

from redis import Redis
from sqlalchemy import select

from bot.dialogue_store import RedisDialogueStore
from bot.runtime import Runtime
from handlers.context import is_affirmative
from handlers.dialogue import DialogueState
from storage.models import (
    Handover,
    InboundMessage,
    KnowledgeEntry,
    LexiconWord,
    ServiceRequest,
    utcnow,
)
from tests.conftest import WeChat


def test_consult_answers_from_the_knowledge_base(wechat: WeChat) -> None:
    reply = wechat.say("u-consult", "低保怎么申请啊")
    assert reply is not None and "【低保怎么申请？】" in reply and "社区便民服务大厅" in reply
    reply = wechat.say("u-consult", "请问社区办事大厅几点上班")
    assert reply is not None and "8:30" in reply


def test_consult_without_an_answer_goes_to_staff(wechat: WeChat, runtime: Runtime) -> None:
    reply = wechat.say("demo-wangnainai", "请问养狗要办什么手续")
    assert reply is not None and "已转给社区工作人员" in reply and "工作日" in reply
    with runtime.session_factory() as session:
        handover = session.scalars(select(Handover)).one()
    assert handover.text == "请问养狗要办什么手续"


def test_staff_knowledge_entry_takes_effect_without_restart(
    wechat: WeChat, runtime: Runtime
) -> None:
    question = "电动车充电桩在哪里办卡"
    before = wechat.say("u-kb", question) or ""
    assert "充电卡在物业服务中心" not in before
    with runtime.session_factory() as session:
        session.add(
            KnowledgeEntry(
                question="充电桩怎么办卡？",
                answer="充电卡在物业服务中心办理。",
                keywords=["充电桩", "充电卡"],
                updated_by="admin",
            )
        )
        session.commit()
    # The running service picks the entry up on the next message (settings check every 0 s).
    reply = wechat.say("u-kb", "请问" + question) or ""
    assert "充电卡在物业服务中心办理" in reply


def test_staff_word_changes_understanding_without_restart(wechat: WeChat, runtime: Runtime) -> None:
    with runtime.session_factory() as session:
        session.add(
            LexiconWord(
                word="化粪池冒了",
                target="环境卫生",
                weight=3.0,
                added_by="admin",
                updated_at=utcnow(),
            )
        )
        session.add(
            LexiconWord(
                word="化粪池冒了",
                target="report_problem",
                weight=3.0,
                added_by="admin",
                updated_at=utcnow(),
            )
        )
        session.commit()
    reply = wechat.say("demo-wangnainai", "化粪池冒了") or ""
    # Understood as a problem report: it becomes a request in the grid's queue.
    assert "已受理" in reply and "环境卫生" in reply
    with runtime.session_factory() as session:
        assert session.scalars(select(ServiceRequest)).first() is not None


def test_report_without_address_asks_then_continues(wechat: WeChat, runtime: Runtime) -> None:
    first = wechat.say("u-newcomer", "楼道灯坏了好几天了")
    assert first is not None and "请先告诉我您的住址" in first
    second = wechat.say("u-newcomer", "7号楼1单元201")
    assert second is not None and "已绑定住址：7号楼1单元201" in second
    assert "已受理" in second and "7号楼1单元201" in second
    with runtime.session_factory() as session:
        request = session.scalars(select(ServiceRequest)).one()
    assert request.description == "楼道灯坏了好几天了" and request.grid_id is not None


def intent_logged(runtime: Runtime, openid: str) -> str | None:
    """The intent recorded for the one message this resident sent."""
    with runtime.session_factory() as session:
        row = session.scalars(select(InboundMessage).where(InboundMessage.openid == openid)).one()
    return row.intent


def test_bare_rating_after_a_rating_question(
    wechat: WeChat, runtime: Runtime, redis: Redis
) -> None:
    store = RedisDialogueStore(redis)
    store.save(
        "demo-zhoujie",
        DialogueState(
            flow="rating",
            step="asked",
            data={"expects": "rate", "carry": {"ticket_code": "M20261122-0007"}},
        ),
        600,
    )
    reply = wechat.say("demo-zhoujie", "5")
    # The rated ticket does not exist: a truthful answer, and no staff hand-over.
    assert reply is not None and "目前没有需要您评价的事项" in reply
    assert intent_logged(runtime, "demo-zhoujie") == "rate"
    with runtime.session_factory() as session:
        assert session.scalars(select(Handover)).all() == []


def test_yes_after_a_task_offer_is_an_acceptance(
    wechat: WeChat, runtime: Runtime, redis: Redis
) -> None:
    store = RedisDialogueStore(redis)
    store.save(
        "demo-sunqiang",
        DialogueState(
            flow="task_offer",
            step="offered",
            data={"expects": "task_accept", "carry": {"task_code": "T15"}},
        ),
        600,
    )
    wechat.say("demo-sunqiang", "好的我去")
    assert intent_logged(runtime, "demo-sunqiang") == "task_accept"


def test_numbered_choice_after_clarifying_question(wechat: WeChat, redis: Redis) -> None:
    store = RedisDialogueStore(redis)
    store.save(
        "u-choice",
        DialogueState(
            flow="not_understood",
            step="clarifying",
            data={"expects": "choice", "options": ["consult", "greeting_help"]},
        ),
        600,
    )
    reply = wechat.say("u-choice", "2")
    assert reply is not None and "我是社区助手" in reply


def test_affirmations() -> None:
    for text in ["好的", "好的我去", "行", "没问题我来", "OK", "嗯嗯"]:
        assert is_affirmative(text), text
    for text in ["不去", "好的我不去", "明天再说", "算了吧", ""]:
        assert not is_affirmative(text), text
