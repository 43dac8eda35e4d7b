"""The rules of problem reports: statuses, categories, urgency and SLA clocks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

import nlp
from storage.clock import CHINA, in_china
from storage.clock import now as clock_now
from storage.models import SlaRule
from storage.orm import utcnow
from storage.work_calendar import WorkCalendar

CST = CHINA  # the name other modules import; China time is defined once, in storage.clock

ACCEPTED = "accepted"
DISPATCHED = "dispatched"
IN_PROGRESS = "in_progress"
RESOLVED = "resolved"
RETURNED = "returned"
CANCELLED = "cancelled"
STATUS_LABELS = {
    ACCEPTED: "受理",
    DISPATCHED: "已派单",
    IN_PROGRESS: "处理中",
    RESOLVED: "已办结",
    RETURNED: "退回",
    CANCELLED: "已撤销",
}
OPEN_STATUSES = (ACCEPTED, DISPATCHED, IN_PROGRESS, RETURNED)
# Which status may follow which (reopening a resolved request goes back to 受理).
TRANSITIONS: dict[str, frozenset[str]] = {
    ACCEPTED: frozenset({DISPATCHED, RETURNED, CANCELLED, RESOLVED}),
    DISPATCHED: frozenset({DISPATCHED, IN_PROGRESS, RETURNED, RESOLVED, CANCELLED}),
    IN_PROGRESS: frozenset({DISPATCHED, RESOLVED, RETURNED, CANCELLED}),
    RETURNED: frozenset({DISPATCHED, CANCELLED, RESOLVED}),
    RESOLVED: frozenset({ACCEPTED}),
    CANCELLED: frozenset(),
}
# History entries that are not status changes (Event.to_state values).
ACTION_LABELS = {
    "subscribed": "同一问题居民关注",
    "photo": "补充照片",
    "warned": "临近期限提醒",
    "escalated_grid": "超期，升级至网格负责人",
    "escalated_community": "超期，升级至社区",
    "agenda": "列入居民议事会议题",
    "decided": "居民议事会作出决定",
    "rating_asked": "请居民评价",
    "rating_reminded": "提醒居民评价",
    "rated": "居民评价",
    "not_rated": "未评价，自动结束",
    "followup_asked": "回访：问题解决了吗",
    "followup": "回访答复",
    "note": "补充说明",
    "corrected": "修改信息",
    "transferred": "转派",
    "replied": "回复居民",
    "contact_overdue": "超过联系期限，提醒网格",
}

CATEGORIES = (
    "水电燃气",
    "公共照明",
    "电梯",
    "环境卫生",
    "房屋维修",
    "噪音扰民",
    "治安安全",
    "停车交通",
    "邻里纠纷",
    "绿化设施",
    "其他",
)
# Open311 service codes.
SERVICE_CODES = {
    "水电燃气": "utilities",
    "公共照明": "lighting",
    "电梯": "elevator",
    "环境卫生": "sanitation",
    "房屋维修": "repairs",
    "噪音扰民": "noise",
    "治安安全": "safety",
    "停车交通": "parking",
    "邻里纠纷": "neighbours",
    "绿化设施": "facilities",
    "其他": "other",
}
CATEGORY_BY_CODE = {code: name for name, code in SERVICE_CODES.items()}

# Default SLA hours (respond, resolve), after the 12345 hotline's practice. Urgent limits are
# wall-clock hours; non-urgent ones count working time (see `sla_deadline`).
URGENT_SLA = (2.0, 24.0)
DEFAULT_SLA = (24.0, 24.0 * 7)
CATEGORY_SLA = {
    "水电燃气": (4.0, 24.0),
    "电梯": (4.0, 24.0),
    "公共照明": (24.0, 72.0),
}
DUPLICATE_WINDOW = timedelta(days=7)
# Warn the owner when this much of the time to the deadline is left (at most 24 h).
WARN_FRACTION = 0.2
# After the deadline: escalate to the grid at once, to the community after this long.
COMMUNITY_ESCALATION_AFTER = timedelta(hours=24)


def is_urgent(text: str) -> bool:
    """Life and safety first, whatever the category: a danger happening now as the
    understanding layer reads it (电梯困人, 燃气泄漏，味道很大, 电梯里有人被困住了, 起火冒烟,
    爆管 …; nlp/data/cues.json), not a negated or hypothetical mention (没着火)."""
    return nlp.is_emergency(text) is not None


@dataclass(frozen=True)
class Sla:
    respond_hours: float
    resolve_hours: float


def sla_for(session: Session, category: str, urgent: bool) -> Sla:
    """The configured rule for (category, urgency), else "*", else the defaults."""
    rows = {
        (row.category, row.urgent): row
        for row in session.scalars(
            select(SlaRule).where(SlaRule.category.in_((category, "*")), SlaRule.urgent == urgent)
        )
    }
    row = rows.get((category, urgent)) or rows.get(("*", urgent))
    if row is not None:
        return Sla(row.respond_hours, row.resolve_hours)
    if urgent:
        return Sla(*URGENT_SLA)
    return Sla(*CATEGORY_SLA.get(category, DEFAULT_SLA))


def set_sla_rule(
    session: Session,
    category: str,
    *,
    urgent: bool,
    respond_hours: float,
    resolve_hours: float,
    by: str,
) -> SlaRule:
    """The rule for (category, urgency), created or changed; `category` may be "*"."""
    row = session.scalar(
        select(SlaRule).where(SlaRule.category == category, SlaRule.urgent == urgent)
    )
    if row is None:
        row = SlaRule(category=category, urgent=urgent, respond_hours=0, resolve_hours=0)
        session.add(row)
    row.respond_hours, row.resolve_hours = respond_hours, resolve_hours
    row.updated_by, row.updated_at = by, utcnow()
    session.flush()
    return row


def sla_deadline(start: datetime, hours: float, urgent: bool, calendar: WorkCalendar) -> datetime:
    """When an SLA of `hours` from `start` runs out, as 12345 work orders count it.

    Urgent: wall-clock hours (2 h is 2 h, at night too). Non-urgent: working time of the
    community's calendar — each whole 24 h of the rule is one working day (24 h → 1
    working day, 168 h → 7 working days), the rest counts as working hours, at most one
    more working day (4 h → 4 working hours). A report at 22:00 on a Friday with a 24 h
    rule is due at the end of Monday's working day; one at 10:00 on a Monday, on Tuesday
    at 10:00."""
    if urgent:
        return start + timedelta(hours=hours)
    days, rest = divmod(max(0.0, hours), 24.0)
    working = days * calendar.day_hours + min(rest, calendar.day_hours)
    return calendar.add_working_hours(start, working)


def default_rules() -> list[dict[str, object]]:
    rules: list[dict[str, object]] = [
        {
            "category": "*",
            "urgent": True,
            "respond_hours": URGENT_SLA[0],
            "resolve_hours": URGENT_SLA[1],
        }
    ]
    for category in CATEGORIES:
        respond, resolve = CATEGORY_SLA.get(category, DEFAULT_SLA)
        rules.append(
            {
                "category": category,
                "urgent": False,
                "respond_hours": respond,
                "resolve_hours": resolve,
            }
        )
    return rules


def local_label(value: datetime | None) -> str:
    """ "11月22日 14:30" in China time, as residents read it."""
    if value is None:
        return ""
    local = in_china(value)
    return f"{local.month}月{local.day}日 {local:%H:%M}"


WEEKDAY_LABELS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
RELATIVE_DAYS = {0: "今天", 1: "明天", 2: "后天"}


def deadline_label(value: datetime, now: datetime | None = None) -> str:
    """A moment as a resident reads it at `now` (default: the service clock), days counted
    in China time: "今天（12月4日）17:30", "明天（12月5日）10:00", "12月7日（周一）17:30".
    The date is always there, so a message read later is still right."""
    local = in_china(value)
    offset = (local.date() - in_china(now or clock_now()).date()).days
    word = RELATIVE_DAYS.get(offset)
    if word:
        return f"{word}（{local.month}月{local.day}日）{local:%H:%M}"
    return f"{local.month}月{local.day}日（{WEEKDAY_LABELS[local.weekday()]}）{local:%H:%M}"


def china_day(value: datetime) -> str:
    return in_china(value).strftime("%Y%m%d")


def duration_words(delta: timedelta) -> str:
    """A length of time as people say it: 不到1小时, 5小时, 2天, 2天3小时."""
    hours = int(abs(delta).total_seconds() // 3600)
    if hours < 1:
        return "不到1小时"
    if hours < 24:
        return f"{hours}小时"
    days, rest = divmod(hours, 24)
    return f"{days}天{rest}小时" if rest else f"{days}天"
