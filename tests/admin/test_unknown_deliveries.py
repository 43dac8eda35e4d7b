"""Staff see a send whose outcome is unknown as 「结果未知」 and resend it by hand, warned."""

from __future__ import annotations

from redis import Redis
from sqlalchemy import select

from bot.runtime import Runtime
from storage.events import history
from storage.models import Delivery, Resident, SandboxRecord, utcnow
from tests.admin.conftest import Console
from tests.conftest import InProcessApp
from tests.helpers import plan_text
from tests.notices.conftest import run_all_work

OPENID = "demo-wangnainai"


def custom_texts(runtime: Runtime) -> list[str | None]:
    with runtime.session_factory() as session:
        rows = session.scalars(
            select(SandboxRecord).where(
                SandboxRecord.kind == "custom", SandboxRecord.target == OPENID
            )
        )
        return [r.text for r in rows]


def test_unknown_send_is_shown_and_resent_only_by_staff(
    live_server: InProcessApp, runtime: Runtime, redis: Redis, browser: Console
) -> None:
    with runtime.session_factory() as session:
        resident = session.scalar(select(Resident).where(Resident.openid == OPENID))
        assert resident is not None
        resident.last_message_at = utcnow()
        delivery = plan_text(
            session,
            channel="customer_service",
            recipient=OPENID,
            text="您订的午餐已安排",
            key="console-unknown-1",
        )
        session.commit()
        delivery_id = delivery.id
    with live_server.client() as http:
        control = http.post("/sandbox/api/control", json={"drop_responses": 1})
    assert control.status_code == 200
    run_all_work(runtime, redis)
    assert custom_texts(runtime) == ["您订的午餐已安排"]

    browser.login("admin")
    page = browser.http.get("/admin/deliveries", params={"status": "unknown"}).text
    assert "结果未知" in page and "核实后重发" in page
    assert "请先向接收人确认没有收到" in page
    dashboard = browser.http.get("/admin/api/dashboard").json()
    assert {"status": "unknown", "label": "结果未知", "count": 1} in dashboard["deliveries"]

    response = browser.post_form(f"/admin/deliveries/{delivery_id}/retry")
    assert response.status_code == 303
    run_all_work(runtime, redis)

    assert custom_texts(runtime) == ["您订的午餐已安排", "您订的午餐已安排"]
    with runtime.session_factory() as session:
        final = session.get(Delivery, delivery_id)
        assert final is not None and final.status == "sent"
        resent = [e for e in history(session, "delivery", delivery_id) if e.from_state == "unknown"]
    assert len(resent) == 1 and resent[0].actor == "staff:admin"
    assert "已确认对方未收到" in (resent[0].note or "")
