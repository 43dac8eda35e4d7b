"""The queue for a day's work: filters (grid, building, owner, urgency, due), search by
code, place and words, pages that say 「共N条」, overdue first; the home page as a
to-do list; messages and deliveries in words, paged."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select, update

from bot.runtime import Runtime
from storage.models import Building, Community, ServiceRequest, utcnow
from storage.requests.service import NewRequest, create_request
from tests.admin.conftest import Console, add_handover
from tests.conftest import WeChat


def file_requests(
    runtime: Runtime, building: str, count: int, text: str, **kw: object
) -> list[int]:
    """`count` requests in a building as the chat would file them (storage service)."""
    with runtime.session_factory() as session:
        place = session.scalars(select(Building).where(Building.number == building)).one()
        community = session.scalars(select(Community)).one()
        ids = []
        for n in range(count):
            new = NewRequest(
                community_id=community.id,
                grid_id=place.grid_id,
                building_id=place.id,
                household_id=None,
                location=f"{building}号楼",
                category=str(kw.get("category", "公共照明")),
                description=f"{text}{n + 1}",
                urgent=bool(kw.get("urgent", False)),
            )
            ids.append(create_request(session, new, actor="system", now=utcnow()).id)
        session.commit()
        return ids


def codes_in(page: str) -> list[str]:
    return re.findall(r'class="code" href="/admin/requests/\d+">(M\d{8}-\d{4})<', page)


def test_filters_search_pages_and_overdue_first(
    runtime: Runtime, console: Callable[[str], Console]
) -> None:
    lights = file_requests(runtime, "3", 22, "楼道灯不亮")  # grid 1
    (gas,) = file_requests(runtime, "4", 1, "燃气味很重", category="水电燃气", urgent=True)
    (rubbish,) = file_requests(runtime, "8", 1, "垃圾没人收", category="环境卫生")  # grid 2
    (far,) = file_requests(runtime, "12", 1, "路灯坏了")  # grid 3
    late = lights[-1]
    with runtime.session_factory() as session:
        session.execute(
            update(ServiceRequest)
            .where(ServiceRequest.id == late)
            .values(due_at=utcnow() - timedelta(minutes=30))
        )
        session.commit()
        code_of = dict(session.execute(select(ServiceRequest.id, ServiceRequest.code)).all())
    zhang = console("zhangmin")  # grids 1 and 2
    first = zhang.http.get("/admin/requests").text
    assert "共24条，第1–20条（第1/2页）" in first
    shown = codes_in(first)
    # Overdue first (with its state in words), then urgent, then by deadline.
    assert shown[0] == code_of[late] and shown[1] == code_of[gas]
    card = first.split(f'data-request="{late}"')[1].split("</li>")[0]
    assert "已超期" in card and "已超期不到1小时" in card and "联系：" in card
    second = zhang.http.get("/admin/requests", params={"page": "2"}).text
    assert len(codes_in(second)) == 4 and "第21–24条（第2/2页）" in second
    assert code_of[far] not in first + second  # another grid's
    # ?grid_id= is honoured, and another grid's is refused.
    grid2 = zhang.http.get("/admin/requests", params={"grid_id": "2"}).text
    assert codes_in(grid2) == [code_of[rubbish]] and "共1条" in grid2
    assert zhang.http.get("/admin/requests", params={"grid_id": "3"}).status_code == 403
    # Search by words, code and place; building, urgency and due filters.
    assert codes_in(zhang.http.get("/admin/requests", params={"q": "垃圾"}).text) == [
        code_of[rubbish]
    ]
    assert codes_in(zhang.http.get("/admin/requests", params={"q": code_of[gas]}).text) == [
        code_of[gas]
    ]
    with runtime.session_factory() as session:
        b4 = session.scalars(select(Building.id).where(Building.number == "4")).one()
    by_building = zhang.http.get("/admin/requests", params={"building_id": str(b4)}).text
    assert codes_in(by_building) == [code_of[gas]]
    assert codes_in(zhang.http.get("/admin/requests", params={"urgent": "1"}).text) == [
        code_of[gas]
    ]
    assert codes_in(zhang.http.get("/admin/requests", params={"due": "overdue"}).text) == [
        code_of[late]
    ]
    # Mine: after claiming one.
    assert zhang.post_form(f"/admin/requests/{gas}/claim").status_code == 303
    assert codes_in(zhang.http.get("/admin/requests", params={"owner": "me"}).text) == [
        code_of[gas]
    ]
    assert "共23条" in zhang.http.get("/admin/requests", params={"owner": "none"}).text
    # The home page counts the same lists, each a link to it.
    home = zhang.http.get("/admin").text
    todo = dict(re.findall(r'data-todo="(\w+)"><span class="num">(\d+)</span>', home))
    assert todo == {
        "mine": "1",
        "today": "1",
        "overdue": "1",
        "unclaimed": "23",
        "handovers": "0",
        "deliveries": "0",
    }
    assert 'href="/admin/requests?owner=me" data-todo="mine"' in home
    # Then the first few in working order, overdue one first.
    first = home.split("先办这几件")[1]
    assert codes_in(first)[:2] == [code_of[late], code_of[gas]]


def test_home_counts_hand_overs_of_my_grids(
    runtime: Runtime, console: Callable[[str], Console]
) -> None:
    add_handover(runtime, "demo-wangnainai")  # grid 1
    add_handover(runtime, "demo-sunqiang")  # grid 3
    home = console("zhangmin").http.get("/admin").text
    assert 'href="/admin/handovers?status=open" data-todo="handovers"><span class="num">1<' in home


def test_messages_and_deliveries_in_words(
    wechat: WeChat, runtime: Runtime, console: Callable[[str], Console]
) -> None:
    wechat.say("demo-wangnainai", "3号楼2单元楼道灯坏了")
    zhang = console("zhangmin")
    messages = zhang.http.get("/admin/messages").text
    rows = messages.split("<tbody>")[1]
    assert '<td data-label="识别">反映问题</td>' in rows and "report_problem" not in rows
    assert "共1条" in messages
    assert "共0条" in zhang.http.get("/admin/messages", params={"intent": "human"}).text
    assert "共1条" in zhang.http.get("/admin/messages", params={"q": "王奶奶"}).text
    deliveries = zhang.http.get("/admin/deliveries").text.split("<tbody>")[1]
    assert "企业微信群" in deliveries and "第一网格工作群" in deliveries
    assert "工单通知网格员" in deliveries
    assert "wecom_robot" not in deliveries and "grid-g1" not in deliveries
    assert "共1条" in zhang.http.get("/admin/deliveries").text


def test_ages_in_words_on_the_agenda_draft(
    wechat: WeChat, console: Callable[[str], Console]
) -> None:
    wechat.say("demo-wangnainai", "3号楼楼道灯坏了")
    page = console("zhangmin").http.get("/admin/meetings/new", params={"scope": "grid:1"}).text
    assert "今天反映" in page and "0天前" not in page


def test_resident_search_says_how_many_and_pages(
    runtime: Runtime, console: Callable[[str], Console]
) -> None:
    from storage.models import Household, Resident

    with runtime.session_factory() as session:
        homes = session.scalars(select(Household.id).order_by(Household.id).limit(55)).all()
        session.add_all(
            Resident(openid=f"t-{n}", name=f"测试居民{n:02d}", household_id=home)
            for n, home in enumerate(homes)
        )
        session.commit()
    admin = console("admin")
    first = admin.http.get("/admin/residents", params={"q": "测试居民"}).text
    assert "共55条，第1–50条（第1/2页）" in first and first.count("测试居民") >= 50
    second = admin.http.get("/admin/residents", params={"q": "测试居民", "page": "2"}).text
    assert "第51–55条（第2/2页）" in second and "测试居民54" in second
