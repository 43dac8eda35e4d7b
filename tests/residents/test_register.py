"""The household register: browse compound → building → unit → household as an admin or a
grid worker (only their grids), search by address as staff type it (8号楼, 8-1, 8号楼1单元,
8-1-402), and a resident's page listing their requests, orders, applications and
volunteering for the roles that handle those records."""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import select

from bot.runtime import Runtime
from storage.models import Building, Household, Resident, Unit
from storage.residents.register import AddressQuery, parse_address
from tests.admin.conftest import Console
from tests.conftest import WeChat
from tests.meetings.conftest import report


def _ids(page: str) -> list[str]:
    return re.findall(r'href="/admin/residents/(\d+)"', page)


def _resident(runtime: Runtime, openid: str) -> Resident:
    with runtime.session_factory() as session:
        return session.scalars(select(Resident).where(Resident.openid == openid)).one()


def _building_id(runtime: Runtime, number: str) -> int:
    with runtime.session_factory() as session:
        return session.scalars(select(Building.id).where(Building.number == number)).one()


def test_addresses_as_staff_type_them() -> None:
    assert parse_address("8号楼") == AddressQuery("8")
    assert parse_address("8栋") == AddressQuery("8")
    assert parse_address("8-1") == AddressQuery("8", "1")
    assert parse_address("8号楼1单元") == AddressQuery("8", "1")
    assert parse_address("8-1-402") == AddressQuery("8", "1", "402")
    assert parse_address("8号楼1单元402室") == AddressQuery("8", "1", "402")
    assert parse_address("幸福家园8号楼") == AddressQuery("8", compound="幸福家园")
    for text in ("王奶奶", "13800001111", "8", "8-", "demo-lidaye"):
        assert parse_address(text) is None, text


def test_search_understands_building_unit_and_room(console: Callable[[str], Console]) -> None:
    admin = console("admin")
    for q, names in (
        ("8号楼", {"李大爷"}),
        ("8-1", {"李大爷"}),
        ("8号楼1单元", {"李大爷"}),
        ("8号楼2单元", set()),
        ("幸福家园8号楼", {"李大爷"}),
        ("阳光小区8号楼", set()),
        ("9号楼", {"郑燕"}),
        ("3-2-501", {"王奶奶"}),
    ):
        page = admin.http.get("/admin/residents", params={"q": q}).text
        found = set(re.findall(r'href="/admin/residents/\d+">([^<]+)<', page))
        assert found == names, (q, found)
        assert f"共找到{len(names)}位居民" in page, q
    # Canteen staff find a whole address only, never a building's residents.
    canteen = console("canteen")
    assert _ids(canteen.http.get("/admin/residents", params={"q": "8号楼"}).text) == []
    assert len(_ids(canteen.http.get("/admin/residents", params={"q": "8-1-402"}).text)) == 1
    # A grid worker finds only their grids' buildings.
    li = console("liqiang")  # grid 3: buildings 11-15
    assert _ids(li.http.get("/admin/residents", params={"q": "8号楼"}).text) == []
    assert len(_ids(li.http.get("/admin/residents", params={"q": "12号楼"}).text)) == 1


def test_browse_compound_building_unit_household(
    runtime: Runtime, console: Callable[[str], Console]
) -> None:
    admin = console("admin")
    index = admin.http.get("/admin/register")
    assert index.status_code == 200
    for compound in ("阳光小区", "幸福家园", "和谐苑", "新城花园"):
        assert f"<h2>{compound}</h2>" in index.text
    eight = _building_id(runtime, "8")
    assert f'href="/admin/register/buildings/{eight}">8号楼<' in index.text
    building = admin.http.get(f"/admin/register/buildings/{eight}").text
    assert "幸福家园8号楼" in building and "共3个单元" in building
    units = re.findall(r'href="/admin/register/units/(\d+)">(\d)单元<', building)
    assert [n for _id, n in units] == ["1", "2", "3"]
    unit = admin.http.get(f"/admin/register/units/{units[0][0]}").text
    assert "幸福家园8号楼1单元" in unit and "402室" in unit
    rooms = re.findall(r'data-room="(\d+)"', unit)
    assert rooms[:3] == ["101", "102", "201"] and len(rooms) == 12
    lidaye = _resident(runtime, "demo-lidaye")
    assert f'href="/admin/residents/{lidaye.id}">李大爷<' in unit and "独居老人" in unit
    home = admin.http.get(f"/admin/register/households/{lidaye.household_id}").text
    assert "幸福家园8号楼1单元402" in home and f"/admin/residents/{lidaye.id}" in home
    assert "独居老人、低保" in home
    trail = re.findall(r'<nav class="trail"[^>]*>(.*?)</nav>', home)[0]
    assert "住户台账" in trail and "幸福家园" in trail and "8号楼" in trail and "1单元" in trail

    zhang = console("zhangmin")  # grids 1 and 2: buildings 1-10
    mine = zhang.http.get("/admin/register").text
    assert "8号楼" in mine and "12号楼" not in mine and "新城花园" not in mine
    twelve = _building_id(runtime, "12")
    assert zhang.http.get(f"/admin/register/buildings/{twelve}").status_code == 403
    with runtime.session_factory() as session:
        far = session.scalars(
            select(Household.id)
            .join(Unit, Unit.id == Household.unit_id)
            .where(Unit.building_id == twelve)
        ).first()
    assert zhang.http.get(f"/admin/register/households/{far}").status_code == 403
    assert console("canteen").http.get("/admin/register").status_code == 403
    assert admin.http.get("/admin/register/units/999999").status_code == 404


def test_resident_page_lists_requests_orders_applications_and_volunteering(
    wechat: WeChat, runtime: Runtime, console: Callable[[str], Console]
) -> None:
    report(wechat, "demo-lidaye", "8号楼门口垃圾好几天没人收", runtime)
    assert "已下单" in (
        (wechat.say("demo-lidaye", "明天中午送一份饭") or "")
        + (wechat.say("demo-lidaye", "确认") or "")
    )
    wechat.say("demo-lidaye", "想找工作，会开车，全天")
    assert "已报名" in (wechat.say("demo-lidaye", "报名 J2") or "")
    lidaye = _resident(runtime, "demo-lidaye").id

    admin = console("admin").http.get(f"/admin/residents/{lidaye}").text
    for section in (
        "record-requests",
        "record-orders",
        "record-applications",
        "record-volunteering",
    ):
        assert f'id="{section}"' in admin, section
    assert "环境卫生" in admin and "垃圾" in admin and "受理" in admin
    assert "午餐" in admin and "J2 货车司机" in admin and "已报名" in admin
    assert "没有登记为志愿者" in admin

    canteen = console("canteen").http.get(f"/admin/residents/{lidaye}").text
    assert 'id="record-orders"' in canteen and "午餐" in canteen
    assert 'id="record-requests"' not in canteen and 'id="record-applications"' not in canteen
    jobs = console("jobs").http.get(f"/admin/residents/{lidaye}").text
    assert 'id="record-applications"' in jobs and 'id="record-orders"' not in jobs
    assert "垃圾" not in jobs

    zhao = _resident(runtime, "demo-zhaoxiaoli").id  # a volunteer in grid 1
    volunteer = console("zhangmin").http.get(f"/admin/residents/{zhao}").text
    assert 'id="record-volunteering"' in volunteer and "累计时长" in volunteer
    assert "没有反映过问题" in volunteer
