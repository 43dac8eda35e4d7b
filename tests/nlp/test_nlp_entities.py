"""Entity extraction, table-driven."""

from datetime import date

import pytest

from nlp import understand

TODAY = date(2026, 11, 20)  # a Friday


def ents(text, **kw):
    return understand(text, today=TODAY, **kw).entities


@pytest.mark.parametrize(
    "text, b, u, r",
    [
        ("我住3号楼2单元501", "3", "2", "501"),
        ("5栋2单元601", "5", "2", "601"),
        ("绑定房号 8-1-402", "8", "1", "402"),
        ("8#1-402", "8", "1", "402"),
        ("十二号楼一单元三零二", "12", "1", "302"),
        ("四号楼的 一单元 三楼东户 301", "4", "1", "301"),
        ("3幢", "3", None, None),
        ("3号楼502", "3", None, "502"),
        ("二十一号楼二单元一零零一", "21", "2", "1001"),
        ("住址：6栋3单元202室", "6", "3", "202"),
    ],
)
def test_address_forms(text, b, u, r):
    e = ents(text)
    assert (e.get("building"), e.get("unit"), e.get("room")) == (b, u, r)


def test_floor_is_not_a_building():
    e = ents("电梯又卡在5楼不动了")
    assert "building" not in e


def test_phone_is_not_a_room():
    e = ents("我住3号楼 电话13812345678")
    assert e.get("phone") == "13812345678"
    assert e.get("building") == "3" and "room" not in e


@pytest.mark.parametrize(
    "text, key, value",
    [
        ("接 t23", "task_code", "T23"),
        ("T15送到了", "task_code", "T15"),
        ("报名 j5", "job_code", "J5"),
        ("查询 m20261120-0003", "ticket_code", "M20261120-0003"),
        ("查询M202611200003", "ticket_code", "M20261120-0003"),
    ],
)
def test_codes_case_insensitive(text, key, value):
    assert ents(text)[key] == value


@pytest.mark.parametrize(
    "text, rating",
    [
        ("满意", "5"),
        ("非常满意", "5"),
        ("很满意", "5"),
        ("比较满意", "4"),
        ("一般", "3"),
        ("还行", "3"),
        ("不太满意", "2"),
        ("不满意", "1"),
        ("很不满意", "1"),
        ("5", "5"),
        ("2", "2"),
        ("5分", "5"),
        ("五星", "5"),
        ("五颗星", "5"),
        ("十分满意", "5"),
    ],
)
def test_rating(text, rating):
    u = understand(text, today=TODAY)
    assert u.intent == "rate"
    assert u.entities["rating"] == rating


@pytest.mark.parametrize(
    "text, day, slot",
    [
        ("明天中午给我送一份饭", "2026-11-21", "lunch"),
        ("今天晚饭送一份", "2026-11-20", "dinner"),
        ("后天早上送早餐", "2026-11-22", "breakfast"),
        ("十二点前送一份饭", "2026-11-20", "lunch"),
        ("明晚送个饭", "2026-11-21", "dinner"),
        ("下周一中午订饭", "2026-11-23", "lunch"),
    ],
)
def test_when(text, day, slot):
    e = ents(text)
    assert (e.get("when_date"), e.get("when_slot")) == (day, slot)
    assert e.get("when_text")


def test_today_is_used_not_the_clock():
    e = understand("明天中午送饭", today=date(2030, 1, 31)).entities
    assert e["when_date"] == "2030-02-01"


@pytest.mark.parametrize(
    "text, category",
    [
        ("3号楼楼道灯坏了", "公共照明"),
        ("电梯又停了", "电梯"),
        ("楼上半夜太吵", "噪音扰民"),
        ("投诉乱停车", "停车交通"),
        ("又停水了", "水电燃气"),
        ("垃圾没人清", "环境卫生"),
        ("卫生间漏水", "房屋维修"),
        ("楼道里给电动车充电", "治安安全"),
        ("邻居把杂物堆在楼道里", "邻里纠纷"),
        ("健身器材坏了", "绿化设施"),
        ("我要投诉物业", "其他"),
    ],
)
def test_category(text, category):
    u = understand(text, today=TODAY)
    assert u.intent == "report_problem"
    assert u.entities["category"] == category


def test_compounds_passed_in():
    e = ents("我住阳光3号楼", compounds=("阳光小区", "幸福家园"))
    assert e["compound"] == "阳光小区"
    assert "compound" not in ents("我住3号楼", compounds=("阳光小区",))


def test_compound_without_a_list():
    assert ents("我是新搬来的 住在幸福家园6号楼")["compound"] == "幸福家园"
    assert "compound" not in ents("我们小区的路灯坏了")


def test_entities_are_strings_with_known_keys():
    from nlp import ENTITY_KEYS

    u = understand("明天中午送饭到3号楼2单元501 电话13812345678 T15", today=TODAY)
    assert set(u.entities) <= set(ENTITY_KEYS)
    assert all(isinstance(v, str) for v in u.entities.values())
