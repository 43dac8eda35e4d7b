"""China time whatever the server's TZ, and deadlines that fall in working time.

The server here runs on Los Angeles time: at 04:15 on Friday 12月4日 in China it is still
Thursday 12月3日 there. Non-urgent reports count the community's working time (工作日
8:30–17:30, the State Council's holidays and 调休 days); urgent ones keep their hour limit.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import update

from admin.timefmt import local_time, start_of_today
from bot.runtime import Runtime
from storage import work_calendar
from storage.clock import CHINA, FrozenClock, china_today, now
from storage.employment.service import local_today
from storage.models import Community
from storage.outbound.platform_rules import mass_window
from storage.requests.rules import deadline_label
from storage.work_calendar import (
    WorkCalendar,
    add_working_hours,
    is_working_time,
    next_working_moment,
    parse_office_hours,
)
from tests.conftest import WeChat
from tests.reports.conftest import get_request

CODE = re.compile(r"M\d{8}-\d{4}")
FRIDAY_NIGHT = datetime(2026, 12, 4, 22, 0, tzinfo=CHINA)


def china(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=CHINA)  # type: ignore[misc]


@pytest.fixture
def los_angeles() -> Iterator[None]:
    """This process's local zone is America/Los_Angeles for the test."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "America/Los_Angeles"
    time.tzset()
    yield
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.fixture
def days_file() -> Iterator[Path | None]:
    yield None
    work_calendar.configure(None)


def report(wechat: WeChat, runtime: Runtime, openid: str, text: str) -> tuple[str, datetime]:
    """The reply to a report and the request's respond_by, in China time."""
    reply = wechat.say(openid, text) or ""
    found = CODE.search(reply)
    assert found is not None, reply
    return reply, get_request(runtime, found.group(0)).respond_by.astimezone(CHINA)


def test_dates_and_labels_are_china_time_on_a_los_angeles_server(
    los_angeles: None, frozen_clock: FrozenClock, wechat: WeChat, runtime: Runtime
) -> None:
    frozen_clock.set(china(2026, 12, 4, 4, 15))
    # The server's own idea of that instant's date (LA is still on 12月3日).
    assert datetime.fromtimestamp(now().timestamp()).date() == date(2026, 12, 3)
    assert china_today() == local_today(now()) == date(2026, 12, 4)
    assert local_time(now()) == "2026-12-04 04:15"
    assert start_of_today(now()) == china(2026, 12, 4, 0, 0)
    assert deadline_label(china(2026, 12, 4, 17, 30)) == "今天（12月4日）17:30"
    assert deadline_label(china(2026, 12, 5, 0, 15)) == "明天（12月5日）00:15"
    assert deadline_label(china(2026, 12, 7, 9, 0)) == "12月7日（周一）09:00"
    assert mass_window("subscription", now())[0] == "20261204"
    # A street light reported before dawn: contacted by the end of today's working day.
    reply, respond_by = report(wechat, runtime, "demo-wangnainai", "3号楼路灯不亮")
    assert "M20261204-" in reply
    assert "今天（12月4日）17:30前会联系您" in reply
    assert respond_by == china(2026, 12, 4, 17, 30)


def test_working_hours_skip_nights_weekends_holidays_and_count_make_up_days(
    los_angeles: None,
) -> None:
    assert add_working_hours(china(2026, 12, 4, 17, 0), 1) == china(2026, 12, 7, 9, 0)
    assert add_working_hours(china(2026, 12, 7, 8, 30), 9) == china(2026, 12, 7, 17, 30)
    assert add_working_hours(china(2026, 12, 7, 3, 0), 10) == china(2026, 12, 8, 9, 30)
    # 国庆: 10月1日–7日 off; 9月20日 (a Sunday) and 10月10日 (a Saturday) are worked.
    assert add_working_hours(china(2026, 9, 30, 16, 30), 2) == china(2026, 10, 8, 9, 30)
    assert add_working_hours(china(2026, 9, 19, 20, 0), 1) == china(2026, 9, 20, 9, 30)
    assert add_working_hours(china(2026, 10, 9, 17, 0), 1) == china(2026, 10, 10, 9, 0)
    # 春节: 2月14日 (Saturday) is worked, then off until 2月23日.
    assert add_working_hours(china(2026, 2, 14, 17, 0), 1) == china(2026, 2, 24, 9, 0)
    assert next_working_moment(china(2026, 12, 4, 17, 30)) == china(2026, 12, 7, 8, 30)
    assert next_working_moment(china(2026, 12, 7, 10, 0)) == china(2026, 12, 7, 10, 0)
    assert is_working_time(china(2026, 9, 20, 10, 0))
    assert not is_working_time(china(2026, 10, 1, 10, 0))
    assert not is_working_time(china(2026, 12, 7, 8, 29))
    assert not is_working_time(china(2026, 12, 7, 17, 30))


def test_office_hours_with_a_lunch_break() -> None:
    periods, weekdays = parse_office_hours("周一至周六 8:30-12:00，14:00-17:30")
    calendar = WorkCalendar(periods, weekdays)
    assert calendar.day_hours == 7
    assert calendar.add_working_hours(china(2026, 12, 7, 11, 30), 1) == china(2026, 12, 7, 14, 30)
    # Saturday is worked here: half an hour on Saturday, half an hour on Monday.
    assert calendar.add_working_hours(china(2026, 12, 5, 17, 0), 1) == china(2026, 12, 7, 9, 0)
    assert not calendar.is_working_time(china(2026, 12, 7, 13, 0))


def test_non_urgent_report_on_friday_night_is_answered_in_monday_working_hours(
    los_angeles: None, frozen_clock: FrozenClock, wechat: WeChat, runtime: Runtime
) -> None:
    frozen_clock.set(FRIDAY_NIGHT)
    reply, respond_by = report(wechat, runtime, "demo-wangnainai", "3号楼路灯不亮")
    assert respond_by.date() == date(2026, 12, 7)  # Monday
    assert "08:30" <= f"{respond_by:%H:%M}" <= "17:30"
    assert "12月7日（周一）17:30前会联系您" in reply
    request = get_request(runtime, CODE.search(reply).group(0))  # type: ignore[union-attr]
    assert request.resolve_by == china(2026, 12, 9, 17, 30)  # 72 h → 3 working days


def test_urgent_report_keeps_its_two_hours_at_night(
    los_angeles: None, frozen_clock: FrozenClock, wechat: WeChat, runtime: Runtime
) -> None:
    frozen_clock.set(FRIDAY_NIGHT)
    reply, respond_by = report(wechat, runtime, "demo-zhaoxiaoli", "电梯困人了，快来人")
    assert respond_by == china(2026, 12, 5, 0, 0)
    assert "明天（12月5日）00:00前会联系您" in reply


def test_the_community_sets_its_hours_and_closure_days(
    frozen_clock: FrozenClock,
    wechat: WeChat,
    runtime: Runtime,
    tmp_path: Path,
    days_file: None,
) -> None:
    with runtime.session_factory() as session:
        session.execute(update(Community).values(office_hours="工作日 9:00-17:00"))
        session.commit()
    path = tmp_path / "days.json"
    path.write_text(
        json.dumps({"communities": {"chengnan": {"holidays": ["2026-12-07"]}}}), encoding="utf-8"
    )
    work_calendar.configure(path)
    frozen_clock.set(FRIDAY_NIGHT)
    reply, respond_by = report(wechat, runtime, "demo-wangnainai", "3号楼路灯不亮")
    assert respond_by == china(2026, 12, 8, 17, 0)
    assert "12月8日（周二）17:00前会联系您" in reply


def test_a_bad_days_file_is_refused_by_name(tmp_path: Path, days_file: None) -> None:
    path = tmp_path / "days.json"
    path.write_text(json.dumps({"holidays": ["2026-13-01"]}), encoding="utf-8")
    with pytest.raises(ValueError, match="2026-13-01"):
        work_calendar.configure(path)
