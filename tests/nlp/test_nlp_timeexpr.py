"""Dates residents write, counted from the China date the caller passes in."""

import time
from datetime import date, datetime, timedelta, timezone

import pytest

from nlp import understand
from nlp.timeexpr import china_today

FRIDAY = date(2026, 12, 4)


def when(text, today=FRIDAY):
    e = understand(text, today=today).entities
    return e.get("when_date"), e.get("when_slot")


@pytest.mark.parametrize(
    "text, day, slot",
    [
        ("明天中午送一份饭", "2026-12-05", "lunch"),
        ("后天晚上送饭", "2026-12-06", "dinner"),
        ("下周一中午订饭", "2026-12-07", "lunch"),
        ("今晚送个饭", "2026-12-04", "dinner"),
        ("今早送一份早餐", "2026-12-04", "breakfast"),
        ("明早送早饭", "2026-12-05", "breakfast"),
        ("周末中午送饭", "2026-12-05", "lunch"),
        ("周六中午送饭", "2026-12-05", "lunch"),
        ("下周末中午送饭", "2026-12-12", "lunch"),
        ("下个星期天晚上送饭", "2026-12-13", "dinner"),
        ("大后天中午送饭", "2026-12-07", "lunch"),
        ("今天晚饭送一份", "2026-12-04", "dinner"),
    ],
)
def test_dates_from_a_friday(text, day, slot):
    assert when(text) == (day, slot)


def test_weekend_on_a_weekend_day_is_today():
    assert when("周末中午送饭", date(2026, 12, 5))[0] == "2026-12-05"
    assert when("周末中午送饭", date(2026, 12, 6))[0] == "2026-12-06"


def test_last_week_is_not_a_date_to_deliver():
    assert when("上周一的饭没送到") == (None, None)


def test_the_date_passed_in_is_used_across_a_month_end():
    assert when("明天中午送饭", date(2026, 12, 31)) == ("2027-01-01", "lunch")


@pytest.fixture
def server_tz_other_than_china(monkeypatch):
    """Run with a server TZ whose date differs from China's right now (POSIX TZ
    strings: UTC-12 or UTC+14; one of them is on another date at any moment)."""
    china = datetime.now(timezone(timedelta(hours=8))).date()
    tz = next(
        name
        for name, hours in (("XXX+12", -12), ("YYY-14", 14))
        if datetime.now(timezone(timedelta(hours=hours))).date() != china
    )
    monkeypatch.setenv("TZ", tz)
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_without_a_date_china_today_is_used_not_the_server_date(server_tz_other_than_china):
    china = datetime.now(timezone(timedelta(hours=8))).date()
    assert date.today() != china  # the server clock is on another date
    assert china_today() == china
    tomorrow = (china + timedelta(days=1)).isoformat()
    assert understand("明天中午送饭").entities["when_date"] == tomorrow
