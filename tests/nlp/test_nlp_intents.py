"""Intent decisions, negation and priority rules, table-driven."""

from datetime import date

import pytest

from nlp import INTENTS, Understanding, understand

TODAY = date(2026, 11, 20)


@pytest.mark.parametrize(
    "text, intent",
    [
        ("3号楼楼道灯坏了", "report_problem"),
        ("电梯又停了", "report_problem"),
        ("明天中午给我送一份饭到8号楼402", "meal_request"),
        ("老人下不了楼想要送餐", "meal_request"),
        ("我想当志愿者", "volunteer_signup"),
        ("送餐志愿队还缺人吗", "volunteer_signup"),
        ("接单", "task_accept"),
        ("接 T15", "task_accept"),
        ("这单我去送", "task_accept"),
        ("已送达", "task_done"),
        ("T15送到了", "task_done"),
        ("想找工作，会开车", "job_seek"),
        ("扶贫车间还招人吗", "job_seek"),
        ("麻编培训怎么报名", "job_seek"),
        ("报名 J12", "job_apply"),
        ("J3这个岗位我想去", "job_apply"),
        ("我反映的问题怎么样了", "status_query"),
        ("查询 M20261120-0003", "status_query"),
        ("满意", "rate"),
        ("不满意", "rate"),
        ("5分", "rate"),
        ("5", "rate"),
        ("我住3号楼2单元501", "register_address"),
        ("绑定房号 8-1-402", "register_address"),
        ("低保怎么申请", "consult"),
        ("老年证在哪里办", "consult"),
        ("你好", "greeting_help"),
        ("帮助", "greeting_help"),
        ("菜单", "greeting_help"),
        ("取消", "cancel"),
        ("算了不报了", "cancel"),
        ("我不接了", "cancel"),
        ("不要了", "cancel"),
        ("转人工", "human"),
        ("我要找网格员", "human"),
        ("人工客服", "human"),
        ("哈哈哈", "unknown"),
        ("", "unknown"),
    ],
)
def test_design_examples(text, intent):
    assert understand(text, today=TODAY).intent == intent


@pytest.mark.parametrize(
    "text, intent",
    [
        ("不用送饭了", "cancel"),  # negated meal word
        ("明天不用送饭了", "cancel"),
        ("我不想当志愿者了", "cancel"),
        ("电梯不是坏了是有异响", "report_problem"),  # 不是 only negates 坏了
        ("是不是停水了", "report_problem"),  # a question, not a negation
        ("有没有工作人员在", "human"),
    ],
)
def test_negation(text, intent):
    assert understand(text, today=TODAY).intent == intent


def test_address_inside_a_report_is_a_report():
    u = understand("3号楼2单元501卫生间漏水了", today=TODAY)
    assert u.intent == "report_problem"
    assert (u.entities["building"], u.entities["unit"], u.entities["room"]) == ("3", "2", "501")


def test_volunteer_words_beat_meal_words():
    assert understand("我想报名送餐志愿者").intent == "volunteer_signup"


def test_codes_decide():
    assert understand("T15").intent == "task_accept"
    assert understand("J12").intent == "job_apply"
    assert understand("M20261120-0003").intent == "status_query"
    assert understand("取消 T15").intent == "cancel"


def test_long_letter_strongest_signal_wins():
    text = (
        "你好！社区的领导你们好，打扰了。我是6号楼的住户，我们楼的电梯这个月已经坏了三次，"
        "老人下不了楼，买菜都成问题，希望尽快派人来修，谢谢！"
    )
    u = understand(text, today=TODAY)
    assert u.intent == "report_problem"
    assert u.entities["category"] == "电梯"


def test_result_shape():
    u = understand("电梯坏了", today=TODAY)
    assert isinstance(u, Understanding)
    assert u.intent in INTENTS
    assert 0.0 <= u.confidence <= 1.0
    assert u.evidence and all(isinstance(e, str) for e in u.evidence)
    assert all(name in INTENTS and isinstance(score, float) for name, score in u.alternatives)
    with pytest.raises(AttributeError):
        u.intent = "rate"  # frozen


def test_alternatives_best_first_and_ambiguity_lowers_confidence():
    clear = understand("电梯坏了，快派人来修")
    mixed = understand("电梯坏了 帮我转人工")
    assert mixed.alternatives
    scores = [s for _, s in mixed.alternatives]
    assert scores == sorted(scores, reverse=True)
    assert mixed.confidence < clear.confidence


def test_unknown_has_low_top_score():
    u = understand("今天天气真好")
    assert u.intent == "unknown"
