"""The words staff read instead of codes (admin/labels.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from admin.labels import (
    ActorNames,
    days_ago_words,
    due_words,
    duration_words,
    intent_label,
    purpose_label,
    recipient_labels,
)
from bot.runtime import Runtime

NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)  # 10:00 China time


def test_durations_in_words() -> None:
    assert duration_words(timedelta(minutes=20)) == "不到1小时"
    assert duration_words(timedelta(hours=5, minutes=59)) == "5小时"
    assert duration_words(timedelta(hours=48)) == "2天"
    assert duration_words(timedelta(hours=51)) == "2天3小时"
    assert due_words(NOW - timedelta(minutes=10), NOW) == "已超期不到1小时"
    assert due_words(NOW + timedelta(hours=3), NOW) == "还剩3小时"


def test_days_ago_count_china_days() -> None:
    assert days_ago_words(NOW - timedelta(hours=1), NOW) == "今天"
    # 23:30 China time the day before is 昨天, though fewer than 24 hours ago.
    assert days_ago_words(datetime(2026, 12, 6, 15, 30, tzinfo=UTC), NOW) == "昨天"
    assert days_ago_words(NOW - timedelta(days=5), NOW) == "5天前"


def test_codes_in_chinese() -> None:
    assert intent_label("report_problem") == "反映问题"
    assert intent_label("unknown") == "未识别"
    assert purpose_label("notice:2") == "通知（第2号）"
    assert purpose_label("request_update") == "工单进展告知居民"


def test_actors_and_recipients_as_names(runtime: Runtime) -> None:
    with runtime.session_factory() as session:
        names = ActorNames(session)
        assert names("staff:admin") == "刘书记（社区管理员）"
        assert names("staff:zhangmin") == "张敏（网格员）"
        assert names("resident:demo-wangnainai") == "居民王奶奶"
        assert names("system:督办") == "系统（督办）"
        assert names("worker") == "发送程序"
        found = recipient_labels(session, ["bldg-3", "demo-lidaye", "grid-g1"])
        assert found == {
            "bldg-3": "阳光小区3号楼居民群",
            "demo-lidaye": "居民李大爷",
            "grid-g1": "第一网格工作群",
        }


def test_every_intent_and_purpose_has_words() -> None:
    """A new intent or outbound purpose gets its Chinese name here, or staff read a code."""
    import re
    from pathlib import Path

    from admin.labels import INTENT_LABELS
    from nlp.types import INTENTS
    from storage.labels import PURPOSE_LABELS

    assert [i for i in INTENTS if i not in INTENT_LABELS] == []
    root = Path(__file__).resolve().parents[2]
    written = set()
    for package in ("storage", "bot", "handlers", "admin"):
        for path in (root / package).rglob("*.py"):
            written |= set(re.findall(r'purpose="([a-z_]+)"', path.read_text(encoding="utf-8")))
    written |= {"pair_assigned", "pair_newcomer", "job_notice", "job_decision", "request_update"}
    assert sorted(written - set(PURPOSE_LABELS)) == []
