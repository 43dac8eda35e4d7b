"""新邻居: the first address binding welcomes the resident, stores a newcomer record and
asks before arranging anything; yes makes a pending pair, no makes none."""

from __future__ import annotations

from sqlalchemy import select

from bot.runtime import Runtime
from storage.models import Newcomer, Pair, PairMember
from tests.admin.conftest import Console
from tests.conftest import WeChat
from tests.pairs.conftest import resident_id


def newcomer(runtime: Runtime, openid: str) -> Newcomer | None:
    with runtime.session_factory() as session:
        rid = resident_id(runtime, openid)
        return session.scalar(select(Newcomer).where(Newcomer.resident_id == rid))


def pairs(runtime: Runtime) -> list[Pair]:
    with runtime.session_factory() as session:
        return list(session.scalars(select(Pair)))


def test_yes_makes_a_pending_neighbour_pair_for_the_grid_worker(
    wechat: WeChat, runtime: Runtime, zhangmin: Console
) -> None:
    reply = wechat.say("demo-newcomer", "我住3号楼2单元502")
    assert reply is not None
    assert "已绑定住址：3号楼2单元502" in reply and "欢迎您成为城南社区的新邻居" in reply
    assert "回复1需要，回复2不用" in reply
    record = newcomer(runtime, "demo-newcomer")
    assert record is not None and record.status == "offered" and record.grid_id == 1
    assert pairs(runtime) == []  # only asked so far

    reply = wechat.say("demo-newcomer", "1")
    assert reply is not None and "网格员会为您安排一位邻居志愿者" in reply
    [pair] = pairs(runtime)
    assert (pair.kind, pair.status, pair.volunteer_id, pair.grid_id) == (
        "新邻居",
        "pending",
        None,
        1,
    )
    record = newcomer(runtime, "demo-newcomer")
    assert record is not None and record.status == "accepted" and record.pair_id == pair.id
    with runtime.session_factory() as session:
        member = session.scalar(select(PairMember.resident_id).where(PairMember.pair_id == pair.id))
    assert member == resident_id(runtime, "demo-newcomer")
    listed = zhangmin.http.get("/admin/api/pairs").json()
    assert [(p["code"], p["status_label"]) for p in listed] == [(pair.code, "待安排志愿者")]

    again = wechat.say("demo-newcomer", "1")  # the question is answered: no second pair
    assert again is not None and "已为您登记" not in again
    assert len(pairs(runtime)) == 1


def test_no_arranges_nothing_and_a_second_address_is_not_a_newcomer(
    wechat: WeChat, runtime: Runtime
) -> None:
    assert "新邻居" in (wechat.say("demo-newcomer", "绑定房号 5-1-301") or "")
    reply = wechat.say("demo-newcomer", "不用了")
    assert reply is not None and "不安排了" in reply
    assert pairs(runtime) == []
    record = newcomer(runtime, "demo-newcomer")
    assert record is not None and record.status == "declined"
    moved = wechat.say("demo-newcomer", "我住5号楼1单元302")
    assert moved is not None and "已绑定住址：5号楼1单元302" in moved and "新邻居" not in moved


def test_a_resident_who_already_had_an_address_is_not_welcomed(
    wechat: WeChat, runtime: Runtime
) -> None:
    reply = wechat.say("demo-wangnainai", "我住3号楼2单元502")
    assert reply is not None and "已绑定住址" in reply and "新邻居" not in reply
    assert newcomer(runtime, "demo-wangnainai") is None
