"""Privacy by role: phones masked unless the role needs them for that resident, no
resident directory for canteen and employment staff, wildcards searched literally,
exports formula-safe and audited; the public-text scrubber."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot.runtime import Runtime
from storage.exports import export_rows
from storage.models import Canteen, JobSeeker, MealOrder, Resident, ServiceRequest
from storage.privacy import mask_phone, scrub_public_text
from tests.admin.conftest import Console, audit_rows, signed_in_consoles
from tests.conftest import InProcessApp

WANG_PHONE = "13900000501"  # 王奶奶, 3-2-501 (seeded)
LI_PHONE = "13900000402"  # 李大爷, 8-1-402 (seeded)
RESULT_LINK = re.compile(r'href="/admin/residents/(\d+)"')


@pytest.fixture
def console(live_server: InProcessApp) -> Iterator[Callable[[str], Console]]:
    yield from signed_in_consoles(live_server)


def resident(runtime: Runtime, openid: str) -> Resident:
    with runtime.session_factory() as session:
        return session.scalars(select(Resident).where(Resident.openid == openid)).one()


def order_meal(runtime: Runtime, openid: str) -> None:
    """A meal order as the meal handler stores it."""
    with runtime.session_factory() as session:
        who = session.scalars(select(Resident).where(Resident.openid == openid)).one()
        canteen = session.scalars(select(Canteen)).first()
        assert canteen is not None and who.household_id is not None
        session.add(
            MealOrder(
                canteen_id=canteen.id,
                resident_id=who.id,
                household_id=who.household_id,
                meal_date=date(2026, 12, 5),
                slot="lunch",
            )
        )
        session.commit()


def results(page: str) -> list[str]:
    return RESULT_LINK.findall(page)


def test_canteen_sees_full_phones_only_of_its_order_recipients(
    runtime: Runtime, console: Callable[[str], Console]
) -> None:
    canteen = console("canteen")
    wang = resident(runtime, "demo-wangnainai")
    before = canteen.http.get(f"/admin/residents/{wang.id}").text
    assert "139****0501" in before and WANG_PHONE not in before
    listing = canteen.http.get("/admin/residents", params={"q": "3-2-501"}).text
    assert "139****0501" in listing and WANG_PHONE not in listing

    order_meal(runtime, "demo-wangnainai")
    after = canteen.http.get(f"/admin/residents/{wang.id}").text
    assert WANG_PHONE in after
    [order] = canteen.http.get("/admin/api/canteen/orders").json()
    assert order["phone"] == WANG_PHONE
    board = canteen.http.get("/admin/canteen").text
    assert WANG_PHONE in board
    # 李大爷 has no order with the canteen: still masked.
    li = resident(runtime, "demo-lidaye")
    assert "139****0402" in canteen.http.get(f"/admin/residents/{li.id}").text
    assert LI_PHONE not in canteen.http.get(f"/admin/residents/{li.id}").text
    # The volunteer roster is not a phone book either.
    roster = canteen.http.get("/admin/api/canteen/volunteers").json()
    assert roster and all("****" in v["phone"] for v in roster)
    # The community admin sees every number.
    assert LI_PHONE in console("admin").http.get(f"/admin/residents/{li.id}").text


def test_employment_officer_sees_full_phones_only_of_job_seekers_grid_workers_of_their_grids(
    runtime: Runtime, console: Callable[[str], Console]
) -> None:
    jobs = console("jobs")
    li = resident(runtime, "demo-lidaye")
    assert LI_PHONE not in jobs.http.get(f"/admin/residents/{li.id}").text
    with runtime.session_factory() as session:
        session.add(JobSeeker(resident_id=li.id, household_id=li.household_id, name="李大爷"))
        session.commit()
    assert LI_PHONE in jobs.http.get(f"/admin/residents/{li.id}").text
    wang = resident(runtime, "demo-wangnainai")
    assert "139****0501" in jobs.http.get(f"/admin/residents/{wang.id}").text

    zhang = console("zhangmin")  # grids 1 and 2: 王奶奶 (3号楼) and 李大爷 (8号楼)
    assert WANG_PHONE in zhang.http.get(f"/admin/residents/{wang.id}").text
    assert LI_PHONE in zhang.http.get(f"/admin/residents/{li.id}").text
    liqiang = console("liqiang")  # grid 3: neither
    assert liqiang.http.get(f"/admin/residents/{wang.id}").status_code == 403
    found = liqiang.http.get("/admin/residents", params={"q": WANG_PHONE}).text
    assert results(found) == [] and "没有找到符合条件的居民" in found


def test_canteen_and_employment_staff_get_no_resident_directory(
    console: Callable[[str], Console],
) -> None:
    admin = console("admin")
    assert len(results(admin.http.get("/admin/residents", params={"q": "王"}).text)) >= 1
    assert len(results(admin.http.get("/admin/residents", params={"q": "139"}).text)) >= 2
    for username in ("canteen", "jobs"):
        staff = console(username)
        for fragment in ("王", "139", "1", "大爷"):
            page = staff.http.get("/admin/residents", params={"q": fragment}).text
            assert results(page) == [], (username, fragment)
        # A resident they are told about can still be found exactly.
        for exact in ("王奶奶", WANG_PHONE, "3号楼2单元501"):
            assert len(results(staff.http.get("/admin/residents", params={"q": exact}).text)) == 1


@pytest.mark.parametrize("q", ["_", "%", "__", "%%"])
def test_wildcards_in_a_search_are_searched_literally(
    q: str, console: Callable[[str], Console]
) -> None:
    for username in ("admin", "zhangmin"):
        page = console(username).http.get("/admin/residents", params={"q": q})
        assert page.status_code == 200
        assert results(page.text) == [] and "没有找到符合条件的居民" in page.text


def test_survey_export_is_formula_safe_and_audited(
    runtime: Runtime, console: Callable[[str], Console]
) -> None:
    li = resident(runtime, "demo-lidaye")
    with runtime.session_factory() as session:
        session.add(
            JobSeeker(
                household_id=li.household_id,
                name="李大爷",
                note="=cmd|' /C calc'!A0",
                constraints=["@SUM(A1)"],
                source="survey",
            )
        )
        session.commit()
    officer = console("jobs")
    response = officer.http.get("/admin/api/employment/survey/export")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content))["摸排登记"]
    [header, row] = list(sheet.iter_rows())
    cells = {h.value: c for h, c in zip(header, row, strict=True)}
    assert cells["备注"].value == "'=cmd|' /C calc'!A0" and cells["备注"].data_type == "s"
    assert cells["困难"].value == "'@SUM(A1)"
    [audited] = audit_rows(runtime, "export")
    assert audited.username == "jobs" and audited.target_id == "survey"
    assert audited.detail == "xlsx 1行"


def test_exports_quote_a_leading_tab_or_carriage_return(runtime: Runtime) -> None:
    now = datetime.now(UTC)
    with runtime.session_factory() as session:
        session.add(
            ServiceRequest(
                code="M20260101-0001",
                community_id=1,
                grid_id=1,
                location="\t=1+1",
                category="其他",
                description="\r=HYPERLINK(1)",
                respond_by=now,
                resolve_by=now,
                due_at=now,
            )
        )
        session.commit()
        _headers, rows = export_rows(session, "requests", None)
    assert rows[0][5] == "'\t=1+1" and rows[0][6] == "'\r=HYPERLINK(1)"


@pytest.mark.parametrize(
    ("text", "public"),
    [
        (
            "我是王奶奶，住3号楼2单元501，楼道灯坏了，电话13812345678",
            "我是居民，住3号楼，楼道灯坏了，电话＊＊",
        ),
        ("8号楼402漏水，联系 138-1234-5678", "8号楼漏水，联系 ＊＊"),
        ("3-2-501门口堆了垃圾", "3号楼门口堆了垃圾"),
        ("身份证11010119900307123X", "身份证＊＊"),
        ("座机0571-87654321", "座机＊＊"),
        ("2单元501室门坏了", "门坏了"),
        ("M20261122-0007 已于2026-11-25办结", "M20261122-0007 已于2026-11-25办结"),
        ("10号楼电梯停了", "10号楼电梯停了"),
    ],
)
def test_public_text_is_scrubbed_of_phones_ids_rooms_and_names(text: str, public: str) -> None:
    assert scrub_public_text(text, ["王奶奶"]) == public


def test_phones_are_masked_to_the_first_three_and_last_four_digits() -> None:
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone(None) == "" and mask_phone("110") == "****"
