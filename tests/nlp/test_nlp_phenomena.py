"""General phenomena of residents' messages: dialect, typos, variant
characters, offers of help without the word 志愿, references to earlier
reports, and the category a problem belongs to."""

from datetime import date

import pytest

from nlp import understand
from nlp.lexicon import load_lexicon
from nlp.rules import compile_rule

TODAY = date(2026, 11, 20)


def _u(text):
    return understand(text, today=TODAY)


@pytest.mark.parametrize(
    "text, intent",
    [
        # variant characters OpenCC keeps, and homophone typos
        ("妳好", "greeting_help"),
        ("妳們好", "greeting_help"),
        ("满易", "rate"),
        ("非常满易", "rate"),
        ("取小", "cancel"),
        ("取小 不要了", "cancel"),
        ("叫网格圆来一下", "human"),
        ("喂喂 听得到不", "greeting_help"),
        ("能听到吗", "greeting_help"),
        ("我要跟人说 机器说不清", "human"),
        ("叫个活人来", "human"),
        # offers of help without 志愿
        ("我会理发 能帮老人剪剪头", "volunteer_signup"),
        ("我是退休医生 可以给居民量血压", "volunteer_signup"),
        ("送餐的还要人不", "volunteer_signup"),
        ("我有辆面包车 需要拉东西就喊我", "volunteer_signup"),
        ("想做点公益", "volunteer_signup"),
        ("我想去给困难户帮忙", "volunteer_signup"),
        ("想加入你们送饭的队伍", "volunteer_signup"),
        ("年轻力壮 能帮什么忙", "volunteer_signup"),
        # ...but asking for help for oneself stays a request
        ("能不能给老人送个饭", "meal_request"),
        ("能给我们修一下楼道灯吗", "report_problem"),
        # taking and finishing a task
        ("这一单我来", "task_accept"),
        ("收到 我去送餐", "task_accept"),
        ("已经送到王大爷家了", "task_done"),
        # earlier reports and applications
        ("昨天投诉的噪音 有结果没得", "status_query"),
        ("上回反映的路灯修了没", "status_query"),
        ("我报名的J5有消息没", "status_query"),
        ("报名J5", "job_apply"),
        # a fault with only "anyone on it?" is a new report
        ("停電了 有沒有人管", "report_problem"),
        ("电梯坏了 有人管吗", "report_problem"),
        ("上次报的电梯有人管吗", "status_query"),
        # opening hours are a question, a door that stays shut is a problem
        ("卫生服务站周六开门不", "consult"),
        ("活动室一直不开门", "report_problem"),
        # a bare quality word about a named thing is a complaint, alone a rating
        ("物业服务太差了", "report_problem"),
        ("太差了", "rate"),
        ("我会开车 可以接送老人看病", "volunteer_signup"),
        ("有事叫我", "volunteer_signup"),
        ("我不去送了", "cancel"),
        ("老伴做不动饭了", "meal_request"),
    ],
)
def test_intent(text, intent):
    assert _u(text).intent == intent, _u(text)


@pytest.mark.parametrize(
    "text, category",
    [
        ("家里没电了", "水电燃气"),
        ("停電了", "水电燃气"),
        ("电一会儿有一会儿没", "水电燃气"),
        ("水时有时无的", "水电燃气"),
        ("整个单元都黑了 啥时候来电", "水电燃气"),
        ("电闸老跳", "水电燃气"),
        ("自来水是黄的", "水电燃气"),
        ("水龙头里的水有股怪味", "水电燃气"),
        ("下水道有股怪味", "房屋维修"),
        ("家里漏水了有股怪味", "房屋维修"),
        ("车库里全是水", "房屋维修"),
        ("公告栏的玻璃碎了", "绿化设施"),
        ("充电桩坏了", "绿化设施"),
        ("楼道里给电动车充电", "治安安全"),
        ("小区门口谁都能进 也没人问", "治安安全"),
        ("外面的车随便进来停", "停车交通"),
        ("楼上花盆掉下来砸坏了车", "治安安全"),
        ("外墙皮掉下来了", "房屋维修"),
        ("车为被人占了", "停车交通"),
        ("邻居往我家门口倒垃圾水 说了也不听", "邻里纠纷"),
        ("草地上全是狗屎", "环境卫生"),
        ("花坛里堆满垃圾", "环境卫生"),
        ("单元门口的台阶碎了", "房屋维修"),
        ("单元门关不上 谁都能进", "治安安全"),
        ("医务室不开门", "其他"),
        ("遛狗不牵绳", "治安安全"),
        ("高空扔垃圾", "治安安全"),
        ("鸽子屎", "环境卫生"),
        ("院子里的长凳坏了", "绿化设施"),
        ("门口有只死狗 没人收拾", "环境卫生"),
        ("水龙头不出水了", "水电燃气"),
        ("三轮车乱放 路都堵了", "停车交通"),
    ],
)
def test_category(text, category):
    u = _u(text)
    assert u.intent == "report_problem", u
    assert u.entities["category"] == category, u


def test_long_letter_mentioning_earlier_complaints_is_a_report():
    text = (
        "书记你好 我是7号楼的 我们楼后面的垃圾站好久没人清了 臭得很 夏天苍蝇到处飞 "
        "之前跟物业反映过两次 到现在也没人来 麻烦社区管一管"
    )
    u = _u(text)
    assert u.intent == "report_problem"
    assert u.entities["category"] == "环境卫生"


def test_score_below_condition():
    rule = compile_rule(
        {"name": "t", "when": {"score_below": {"status_query": 3}}, "mul": {"status_query": 0.5}}
    )
    assert rule.score_below == (("status_query", 3.0),)
    with pytest.raises(ValueError):
        compile_rule({"name": "t", "when": {"score_under": {"status_query": 3}}})


def test_rules_file_uses_score_below():
    lex = load_lexicon()
    assert any(r.score_below for r in lex.compiled_rules)
