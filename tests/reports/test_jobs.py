"""Scheduled work under a controlled clock: 督 (warn, escalate, overdue counts), rating
reminders and closing as not rated, the follow-up questionnaire; plus unique codes."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from redis import Redis

from bot.jobs import requests as jobs_reports
from bot.runtime import Runtime
from storage.requests.service import next_code
from tests.admin.conftest import Console
from tests.conftest import WeChat
from tests.reports.conftest import (
    get_request,
    received,
    report_and_resolve,
    report_code,
    states,
)


def test_overdue_requests_are_warned_then_escalated(
    wechat: WeChat, runtime: Runtime, work: Callable[[], None], console: Callable[[str], Console]
) -> None:
    code = report_code(wechat, "demo-wangnainai", "3号楼楼道灯坏了")
    request = get_request(runtime, code)
    zhang = console("zhangmin")
    zhang.api_post(f"/admin/api/requests/{request.id}/claim")
    due = get_request(runtime, code).due_at  # 公共照明: 72 h
    assert jobs_reports.chase_requests(now=due - timedelta(hours=30)) == {
        "contact_overdue": 0,  # claimed: the resident was contacted in time
        "warned": 0,
        "escalated_grid": 0,
        "escalated_community": 0,
    }
    assert jobs_reports.chase_requests(now=due - timedelta(hours=10))["warned"] == 1
    assert jobs_reports.chase_requests(now=due - timedelta(hours=5))["warned"] == 0  # once
    assert jobs_reports.chase_requests(now=due + timedelta(hours=1))["escalated_grid"] == 1
    assert jobs_reports.chase_requests(now=due + timedelta(hours=3))["escalated_grid"] == 0
    later = jobs_reports.chase_requests(now=due + timedelta(hours=25))
    assert later["escalated_community"] == 1
    work()
    grid_texts = received(runtime, "grid-g1", "wecom_robot")
    assert any("临期提醒" in t and code in t and "@张敏" in t for t in grid_texts)
    assert any("超期督办·网格" in t for t in grid_texts)
    assert any("超期督办·社区" in t and code in t for t in received(runtime, "community-chengnan"))
    tail = [to for _f, to in states(runtime, request.id)][-3:]
    assert tail == ["warned", "escalated_grid", "escalated_community"]
    # Overdue counts per grid and owner (the real clock: not overdue yet).
    counts = zhang.http.get("/admin/api/requests/overdue").json()
    assert counts == {"by_grid": [], "by_owner": []}
    with runtime.session_factory() as session:
        from storage.requests.queries import overdue_counts

        late = overdue_counts(session, due + timedelta(hours=1))
    assert late["by_grid"] == [{"grid_id": 1, "count": 1}]
    assert late["by_owner"][0]["owner"] == "张敏"


def test_nobody_contacting_the_resident_in_time_is_chased_once(
    wechat: WeChat, runtime: Runtime, work: Callable[[], None]
) -> None:
    code = report_code(wechat, "demo-wangnainai", "3号楼楼道灯坏了")
    respond_by = get_request(runtime, code).respond_by
    assert (
        jobs_reports.chase_requests(now=respond_by - timedelta(minutes=5))["contact_overdue"] == 0
    )
    assert (
        jobs_reports.chase_requests(now=respond_by + timedelta(minutes=20))["contact_overdue"] == 1
    )
    assert (
        jobs_reports.chase_requests(now=respond_by + timedelta(hours=2))["contact_overdue"] == 0
    )  # once per deadline
    work()
    texts = received(runtime, "grid-g1", "wecom_robot")
    late = [t for t in texts if "联系超期" in t and code in t]
    assert len(late) == 1 and "已超过不到1小时" in late[0]
    assert "contact_overdue" in [to for _f, to in states(runtime, get_request(runtime, code).id)]


def test_no_rating_gets_one_reminder_then_closes(
    wechat: WeChat,
    runtime: Runtime,
    redis: Redis,
    work: Callable[[], None],
    console: Callable[[str], Console],
) -> None:
    code, _request_id = report_and_resolve(
        wechat, runtime, work, console("admin"), "demo-lidaye", "8号楼楼道灯坏了", "已修好"
    )
    asked_at = get_request(runtime, code).rating_asked_at
    assert asked_at is not None
    assert jobs_reports.rating_reminders(now=asked_at + timedelta(hours=2)) == {
        "reminded": 0,
        "not_rated": 0,
    }
    assert jobs_reports.rating_reminders(now=asked_at + timedelta(hours=25))["reminded"] == 1
    assert jobs_reports.rating_reminders(now=asked_at + timedelta(hours=30))["reminded"] == 0
    work()
    assert any("还没收到您的评价" in t for t in received(runtime, "demo-lidaye"))
    closed = jobs_reports.rating_reminders(now=asked_at + timedelta(hours=25 + 49))
    assert closed["not_rated"] == 1
    final = get_request(runtime, code)
    assert final.rating_state == "not_rated" and final.rating is None
    # A late "5" is no longer taken as a rating of this request.
    redis.delete("dialogue:demo-lidaye")
    assert "感谢您的评价" not in (wechat.say("demo-lidaye", "5") or "")


def test_followup_questionnaire_no_reopens(
    wechat: WeChat,
    runtime: Runtime,
    redis: Redis,
    work: Callable[[], None],
    console: Callable[[str], Console],
) -> None:
    code, request_id = report_and_resolve(
        wechat,
        runtime,
        work,
        console("admin"),
        "demo-zhengyan",
        "9号楼门口的健身器材坏了",
        "已更换",
    )
    assert "感谢您的评价（4分）" in (wechat.say("demo-zhengyan", "4分") or "")
    resolved_at = get_request(runtime, code).resolved_at
    assert resolved_at is not None
    assert jobs_reports.followups(now=resolved_at + timedelta(days=2)) == 0
    assert jobs_reports.followups(now=resolved_at + timedelta(days=8)) == 1
    assert jobs_reports.followups(now=resolved_at + timedelta(days=9)) == 0
    work()
    assert any("现在解决了吗" in t for t in received(runtime, "demo-zhengyan"))
    assert json.loads(redis.get("dialogue:demo-zhengyan") or "{}")["flow"] == "report_followup"
    reply = wechat.say("demo-zhengyan", "没解决，又坏了")
    assert reply is not None and "已重新受理" in reply
    reopened = get_request(runtime, code)
    assert reopened.status == "accepted" and reopened.followup_state == "no"
    assert [to for _f, to in states(runtime, request_id)][-2:] == ["followup", "accepted"]


def test_resident_outside_48_hours_is_told_by_template(
    wechat: WeChat, runtime: Runtime, work: Callable[[], None], console: Callable[[str], Console]
) -> None:
    code = report_code(wechat, "demo-sunqiang", "12号楼电梯坏了")
    with runtime.session_factory() as session:
        from storage.models import Resident

        resident = session.query(Resident).filter_by(openid="demo-sunqiang").one()
        resident.last_message_at = datetime.now(UTC) - timedelta(hours=60)
        session.commit()
    request_id = get_request(runtime, code).id
    console("liqiang").api_post(f"/admin/api/requests/{request_id}/claim")
    work()
    assert received(runtime, "demo-sunqiang", "custom") == []
    (template,) = received(runtime, "demo-sunqiang", "template")
    assert "已派给李强" in template and code in template


def test_ticket_codes_are_unique_under_concurrency(runtime: Runtime) -> None:
    now = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)
    codes: list[str] = []
    lock = threading.Lock()

    def take() -> None:
        for _ in range(10):
            with runtime.session_factory() as session:
                code = next_code(session, now)
                session.commit()
            with lock:
                codes.append(code)

    threads = [threading.Thread(target=take) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(codes)) == 80
    assert sorted(codes)[0] == "M20261122-0001" and sorted(codes)[-1] == "M20261122-0080"
