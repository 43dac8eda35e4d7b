"""The canteen and employment boards: the right role sees the data, others are refused;
the action buttons name the existing JSON endpoints, which the page posts to."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select

from bot.runtime import Runtime
from storage.models import (
    Canteen,
    Household,
    JobApplication,
    JobPosting,
    JobSeeker,
    MealOrder,
    Resident,
    utcnow,
)
from storage.volunteers.orders import place_order
from tests.admin.conftest import Console, audit_rows

BUTTON = re.compile(r'data-api="([^"]+)"')


def add_order(runtime: Runtime) -> int:
    with runtime.session_factory() as session:
        resident = session.scalars(
            select(Resident).where(Resident.openid == "demo-wangnainai")
        ).one()
        household = session.get(Household, resident.household_id)
        canteen = session.scalars(select(Canteen)).first()
        assert household is not None and canteen is not None
        now = utcnow()
        order = place_order(
            session,
            resident=resident,
            household=household,
            canteen=canteen,
            meal_date=(now + timedelta(days=1)).date(),
            slot="lunch",
            count=2,
            note="少放盐",
            now=now,
        )
        session.commit()
        return order.id


def test_canteen_board_shows_orders_and_confirms(
    runtime: Runtime, console: Callable[[str], Console]
) -> None:
    order_id = add_order(runtime)
    canteen = console("canteen")
    page = canteen.http.get("/admin/canteen")
    assert page.status_code == 200
    assert "少放盐" in page.text and "待确认" in page.text and "3号楼2单元501" in page.text
    buttons = BUTTON.findall(page.text)
    confirm = f"/admin/api/canteen/orders/{order_id}/confirm"
    assert confirm in buttons and f"/admin/api/canteen/orders/{order_id}/reject" in buttons
    # What the button's script does: POST JSON with the page's CSRF token.
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page.text)
    assert token is not None
    done = canteen.http.post(confirm, json={}, headers={"X-CSRF-Token": token.group(1)})
    assert done.status_code == 200, done.text
    after = canteen.http.get("/admin/canteen").text
    assert "已确认" in after and "待接单" in after  # the order's delivery task
    assert confirm not in after
    assert [r.action for r in audit_rows(runtime, "meal_order.confirm")] == ["meal_order.confirm"]
    with runtime.session_factory() as session:
        order = session.get(MealOrder, order_id)
        assert order is not None and order.status == "confirmed"
    assert console("admin").http.get("/admin/canteen").status_code == 200
    for other in ("zhangmin", "jobs"):
        refused = console(other).http.get("/admin/canteen")
        assert refused.status_code == 403 and "无权" in refused.text


def add_application(runtime: Runtime) -> tuple[int, str]:
    with runtime.session_factory() as session:
        posting = session.scalars(select(JobPosting).order_by(JobPosting.id)).first()
        assert posting is not None
        seeker = JobSeeker(name="钱师傅", source="survey", labour_status="unemployed")
        session.add(seeker)
        session.flush()
        application = JobApplication(posting_id=posting.id, seeker_id=seeker.id, status="applied")
        session.add(application)
        session.commit()
        return application.id, posting.title


def test_employment_board_shows_postings_and_decides(
    runtime: Runtime, console: Callable[[str], Console]
) -> None:
    application_id, title = add_application(runtime)
    jobs = console("jobs")
    page = jobs.http.get("/admin/employment")
    assert page.status_code == 200
    assert title in page.text and "钱师傅" in page.text and "已报名" in page.text
    decision = f"/admin/api/employment/applications/{application_id}/decision"
    assert decision in BUTTON.findall(page.text)
    assert '{"decision": "hired"}' in page.text
    done = jobs.api_post(decision, {"decision": "hired"})
    assert done.status_code == 200, done.text
    after = jobs.http.get("/admin/employment").text
    assert "已录用" in after and decision not in after
    assert [r.action for r in audit_rows(runtime, "job_hired")] == ["job_hired"]
    assert console("admin").http.get("/admin/employment").status_code == 200
    for other in ("zhangmin", "canteen"):
        refused = console(other).http.get("/admin/employment")
        assert refused.status_code == 403 and "无权" in refused.text
