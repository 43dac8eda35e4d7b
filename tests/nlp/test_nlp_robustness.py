"""Colloquial, dialect and mixed messages of real residents, and hostile or
oversized input: behaviour a resident would notice if it regressed."""

import json
import random
from pathlib import Path

import pytest

from nlp import INTENTS, evaluate, load_lexicon, normalize, understand

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


# --- hostile and oversized input: understanding never raises, reads a bounded prefix ---

HOSTILE = {
    "numerals": "一二三四五六七八九十" * 600,
    "digit_numerals": "一二三四五六七八九零" * 600,
    "100kb": "电梯坏了楼道灯不亮3号楼2单元501" * 5000,
    "spaces": " " * 100_000,
    "fillers": "啊" * 100_000,
    "dense_keywords": "坏了" * 50_000,
    "addresses": "3号楼2单元" * 10_000,
    "emoji": "😀🏠🔥电梯坏了🙏" * 100,
    "controls": "".join(chr(i) for i in range(32)) + "电梯坏了\x7f\x85\x9f",
    "lone_surrogates": "电梯\ud800坏了\udfff",
    "mixed_scripts": "Лифт сломан 電梯壞了 エレベーター 엘리베이터 3号楼 مصعد",
    "zero_width": "\u200b\u200d\ufeff电\u200b梯坏了",
    "combining": "e\u0301" * 1000,
    "nul": "\x00" * 1000,
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_input_is_understood_without_raising(name):
    u = understand(HOSTILE[name])
    assert u.intent in INTENTS
    assert 0.0 <= u.confidence <= 1.0
    assert all(isinstance(v, str) for v in u.entities.values())
    assert normalize(HOSTILE[name]) is not None


def test_a_long_letter_is_read_up_to_the_bound():
    lex = load_lexicon()
    text = "3号楼电梯坏了，" + "我们等了很久。" * 20_000 + "转人工"
    u = understand(text)
    assert (u.intent, u.entities["category"], u.entities["building"]) == (
        "report_problem",
        "电梯",
        "3",
    )
    assert u.evidence[0] == f"截断:只读前{lex.max_chars}字"
    assert "转人工→human" not in u.evidence  # beyond the bound
    assert understand(text[: lex.max_chars]).intent == u.intent


def test_control_characters_and_surrogates_do_not_break_words():
    u = understand("电\x00梯\u200b坏\ud800了")
    assert normalize("电\x00梯\u200b坏了") == "电梯坏了"
    assert u.intent == "report_problem" and u.entities["category"] == "电梯"


def test_a_long_run_of_numerals_is_not_a_number():
    run = "一二三四五六七八九零" * 600
    assert normalize(run) == run
    assert normalize("三零二室") == "302室"


def test_random_mixtures_never_raise():
    rng = random.Random(20261204)
    alphabet = (
        list("电梯坏了楼道灯不亮停水送饭接单已送达取消满意不号楼单元室零一二三四五六七八九十百")
        + list("0123456789-#TJM ，。！？,.!?\n\t")
        + ["😀", "\ud800", "\udfff", "\x00", "\x1b", "\u200b", "\u0301", "Ж", "ﾊ", "\ufffd"]
    )
    for _ in range(200):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 3000)))
        u = understand(text)
        assert u.intent in INTENTS
        normalize(text)
