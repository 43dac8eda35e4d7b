"""Words staff read instead of codes: who did something (names and roles, not
`staff:admin` or `resident:<openid>`), intents, channels, purposes and statuses in Chinese,
and durations in words (「不到1小时」, 「今天」). One module, so every console page and
export uses the same words."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.clock import in_china
from storage.labels import CHANNEL_LABELS, PURPOSE_LABELS, purpose_label
from storage.models import GroupChannel, Resident, StaffAccount
from storage.requests.rules import duration_words
from storage.staff.accounts import ROLE_LABELS

INTENT_LABELS = {
    "report_problem": "反映问题",
    "meal_request": "助餐订餐",
    "volunteer_signup": "志愿者报名",
    "task_accept": "接志愿任务",
    "task_done": "志愿任务完成",
    "job_seek": "求职登记",
    "job_apply": "应聘岗位",
    "status_query": "查询进度",
    "rate": "评价",
    "register_address": "登记住址",
    "consult": "办事咨询",
    "greeting_help": "问候 / 求助菜单",
    "cancel": "取消",
    "human": "转人工",
    "project_query": "问社区项目",
    "visit_record": "记录探访",
    "visit_query": "问探访情况",
    "unknown": "未识别",
}
MESSAGE_TYPE_LABELS = {
    "text": "文字",
    "image": "图片",
    "voice": "语音",
    "location": "位置",
    "event": "事件",
    "link": "链接",
    "video": "视频",
}
# Actors that are programs, by the name they write into event rows.
SYSTEM_ACTORS = {
    "worker": "发送程序",
    "planner": "系统",
    "system": "系统",
    "scheduler": "定时任务",
    "dispatcher": "派单程序",
    "open311": "公开接口",
}
# Re-exported: the same words on console pages as in the ledgers.
__all__ = ["CHANNEL_LABELS", "PURPOSE_LABELS", "duration_words", "purpose_label"]


def intent_label(code: str | None) -> str:
    if not code:
        return ""
    return INTENT_LABELS.get(code, code)


def channel_label(code: str | None) -> str:
    return CHANNEL_LABELS.get(code or "", code or "")


class ActorNames:
    """Event actors in words, looked up once per page: 「张敏（网格员）」, 「居民王奶奶」,
    「系统（督办）」. Residents are named only as residents (no openid)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.cache: dict[str, str] = {}

    def __call__(self, actor: str | None) -> str:
        if not actor:
            return ""
        if actor not in self.cache:
            self.cache[actor] = self._label(actor)
        return self.cache[actor]

    def _label(self, actor: str) -> str:
        kind, _, name = actor.partition(":")
        if kind == "staff" and name:
            staff = self.session.scalar(select(StaffAccount).where(StaffAccount.username == name))
            if staff is None:
                return "工作人员"
            return f"{staff.display_name}（{ROLE_LABELS.get(staff.role, staff.role)}）"
        if kind == "resident" and name:
            resident = self.session.scalar(select(Resident).where(Resident.openid == name))
            return f"居民{resident.name}" if resident and resident.name else "居民"
        if kind == "system" and name:
            return f"系统（{name}）"
        return SYSTEM_ACTORS.get(actor, "系统")


def recipient_labels(session: Session, recipients: Iterable[str]) -> dict[str, str]:
    """Group targets (`bldg-3`) as their group's name (阳光小区3号楼居民群); residents'
    openids as 居民<name>."""
    wanted = set(recipients)
    if not wanted:
        return {}
    found: dict[str, str] = {}
    for target, name in session.execute(
        select(GroupChannel.target, GroupChannel.name).where(GroupChannel.target.in_(wanted))
    ):
        found[target] = name or target
    for openid, person in session.execute(
        select(Resident.openid, Resident.name).where(Resident.openid.in_(wanted))
    ):
        found[openid] = f"居民{person}" if person else "居民（未登记姓名）"
    if "all" in wanted:
        found.setdefault("all", "全体关注者")
    return found


def days_ago_words(since: datetime, now: datetime) -> str:
    """How many China-time days back: 今天, 昨天, 前天, 5天前."""
    days = (in_china(now).date() - in_china(since).date()).days
    if days <= 0:
        return "今天"
    return {1: "昨天", 2: "前天"}.get(days, f"{days}天前")


def due_words(due: datetime, now: datetime) -> str:
    """A deadline against now: 已超期3小时 / 已超期不到1小时 / 还剩2天 / 还剩不到1小时."""
    if due < now:
        return f"已超期{duration_words(now - due)}"
    return f"还剩{duration_words(due - now)}"
