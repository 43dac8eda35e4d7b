"""Colloquial, dialect and mixed messages of real residents: behaviour a
resident would notice if it regressed."""

import json
from pathlib import Path

import pytest

from nlp import evaluate, normalize, understand

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("俺家停水了", "我家停水了"),
        ("咋办啊", "怎么办"),
        ("啥时候来修", "什么时候来修"),
        ("咱们小区", "我们小区"),
        ("灯坏啦", "灯坏了"),
        ("中不中", "行不行"),
    ],
)
def test_dialect_is_normalised(raw, expected):
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    "text, intent",
    [
        ("俺住五号楼二单元三零一", "register_address"),
        ("俺也想为社区出点力", "volunteer_signup"),
        ("咋申请公积金", "consult"),
        ("喂", "greeting_help"),
        ("你们这个能干啥", "greeting_help"),
        ("不用修了 自己修好了", "cancel"),
        ("饭不用送了", "cancel"),
        ("上周反映的路灯修了没", "status_query"),
        ("电梯修好了吗 都坏了好几天了", "status_query"),
        ("我的订餐送出来了没有", "status_query"),
        ("师傅修得挺好 给你们点个赞", "rate"),
        ("今天天气不错", "unknown"),
        ("加微信领红包", "unknown"),
        ("给我妈订个餐 她住6号楼1单元202", "meal_request"),
        ("天然气停了 做不了饭", "report_problem"),
    ],
)
def test_colloquial_intents(text, intent):
    assert understand(text).intent == intent


@pytest.mark.parametrize(
    "text, category",
    [
        ("卫生间漏到楼下了", "房屋维修"),
        ("水龙头拧不紧", "房屋维修"),
        ("楼上往下扔垃圾", "治安安全"),
        ("楼道里充电瓶车", "治安安全"),
        ("有老人被骗了", "治安安全"),
        ("篮球架歪了", "绿化设施"),
        ("小区里车开得太快", "停车交通"),
        ("邻居装修弄坏我家墙 不肯赔", "邻里纠纷"),
        ("楼下饭店油烟太大", "环境卫生"),
    ],
)
def test_categories_of_colloquial_reports(text, category):
    u = understand(text)
    assert u.intent == "report_problem"
    assert u.entities["category"] == category


@pytest.mark.parametrize(
    "text, b, u, r",
    [
        ("我是10号楼的 我爸一个人住 送到10号楼2单元401", "10", "2", "401"),
        ("我是5栋的 我妈住7栋1单元302", "7", "1", "302"),
    ],
)
def test_the_fullest_address_mention_wins(text, b, u, r):
    e = understand(text).entities
    assert (e.get("building"), e.get("unit"), e.get("room")) == (b, u, r)


def test_blind_set_stays_accurate():
    recs = [
        json.loads(x)
        for x in (DATA / "nlu_blind.jsonl").read_text("utf-8").splitlines()
        if x.strip()
    ]
    report = evaluate(recs)
    assert len(recs) >= 300
    assert report["accuracy"] >= 0.95
    assert report["entities"]["category"]["accuracy"] >= 0.9
