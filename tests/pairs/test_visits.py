"""A volunteer records a visit by one reply: the stored Visit keeps the reply as sent; a
need becomes a request linked to the visit; a code that is not theirs changes nothing."""

from __future__ import annotations

from sqlalchemy import select

from bot.runtime import Runtime
from storage.models import Pair, ServiceRequest, Visit
from tests.admin.conftest import Console
from tests.conftest import WeChat
from tests.pairs.conftest import make_pair, resident_id, volunteer_id


def visits(runtime: Runtime) -> list[Visit]:
    with runtime.session_factory() as session:
        return list(session.scalars(select(Visit).order_by(Visit.id)))


def test_a_visit_is_recorded_by_one_loosely_typed_reply(
    wechat: WeChat, runtime: Runtime, zhangmin: Console
) -> None:
    pair = make_pair(zhangmin, runtime)
    code = pair["code"]
    reply = wechat.say("demo-sunqiang", f"「{code.lower()}探访了，挺好」")
    assert reply is not None
    assert f"已记录王奶奶的探访（{code}，12月7日）：挺好" in reply
    assert "12月14日前" in reply
    [visit] = visits(runtime)
    assert (visit.pair_id, visit.mode, visit.note) == (pair["id"], "visit", "挺好")
    assert visit.text == f"「{code.lower()}探访了，挺好」"
    assert visit.request_id is None

    reply = wechat.say("demo-sunqiang", f"电话　{code}　老人说腿疼")  # full-width spaces
    assert reply is not None and "已记录王奶奶的电话" in reply and "老人说腿疼" in reply
    assert [v.mode for v in visits(runtime)] == ["visit", "call"]
    shown = zhangmin.http.get(f"/admin/api/pairs/{pair['id']}/visits").json()
    assert [v["text"] for v in shown] == [
        f"电话　{code}　老人说腿疼",
        f"「{code.lower()}探访了，挺好」",
    ]


def test_a_need_in_the_record_becomes_a_request_linked_to_the_visit(
    wechat: WeChat, runtime: Runtime, zhangmin: Console
) -> None:
    pair = make_pair(zhangmin, runtime)
    reply = wechat.say("demo-sunqiang", f"探访 {pair['code']} 需要帮忙：水管漏水")
    [visit] = visits(runtime)
    with runtime.session_factory() as session:
        request = session.get(ServiceRequest, visit.request_id)
        assert request is not None
        assert request.location == "3号楼2单元501"
        assert request.category == "房屋维修"
        assert "水管漏水" in request.description and pair["code"] in request.description
        code = request.code
    assert reply is not None and code in reply and "已转给网格员办理" in reply
    assert visit.need == "水管漏水"


def test_a_pair_that_is_unknown_or_someone_elses_changes_nothing(
    wechat: WeChat, runtime: Runtime, zhangmin: Console
) -> None:
    pair = make_pair(zhangmin, runtime)
    unknown = wechat.say("demo-sunqiang", "探访 P999 一切都好")
    assert unknown is not None and "没有找到结对 P999" in unknown and "没有记录" in unknown
    other = wechat.say("demo-wuhua", f"探访 {pair['code']} 一切都好")
    assert other is not None and "不是您负责的" in other and "王奶奶" not in other
    stranger = wechat.say("demo-lidaye", f"探访 {pair['code']} 需要帮忙：灯坏了")
    assert stranger is not None and "您还不是志愿者" in stranger
    assert visits(runtime) == []
    with runtime.session_factory() as session:
        assert session.scalar(select(ServiceRequest.id)) is None
        stored = session.get(Pair, pair["id"])
        assert stored is not None and stored.last_visit_at is None


def test_one_volunteer_for_several_residents_and_a_family_sees_only_their_own(
    wechat: WeChat, runtime: Runtime, zhangmin: Console
) -> None:
    body = {
        "kind": "空巢老人",
        "members": [{"address": "8-1-402"}, {"address": "9-2-301"}],
        "volunteer_id": volunteer_id(runtime, "demo-sunqiang"),
    }
    created = zhangmin.api_post("/admin/api/pairs", json=body)
    assert created.status_code == 201, created.text
    pair = created.json()
    assert pair["form"] == "一帮2" and [m["name"] for m in pair["members"]] == ["李大爷", "郑燕"]
    family = zhangmin.api_post(
        f"/admin/api/pairs/{pair['id']}/family",
        json={
            "member_id": resident_id(runtime, "demo-lidaye"),
            "address": "21-2-202",
            "relation": "儿子",
        },
    )
    assert family.status_code == 200, family.text
    reply = wechat.say("demo-sunqiang", f"探访 {pair['code']} 两位老人都挺好，郑燕阿姨血压有点高")
    assert reply is not None and "已记录李大爷、郑燕的探访" in reply

    answer = wechat.say("demo-zhoujie", "我爸最近有人去看吗")
    assert answer is not None
    assert "李大爷最近30天有1次探访或电话" in answer and "孙强" in answer
    assert "郑燕" not in answer and "血压" not in answer
