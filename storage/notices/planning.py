"""Planning a notice: targets → places and people → one delivery per recipient and channel.

Places (community, grids, compounds, buildings) are reached through their WeCom group
robots. People (everyone registered in the area, volunteers, job seekers, households in a
care group) are reached one by one, by the channel WeChat allows for each (DESIGN §3):
a customer-service message within 48 h of their last message while its quota of 5
lasts, else a template message (verified service accounts), else a mass send where the
account has one left. Whoever no channel can reach is listed with the reason, never
planned: the planner does not plan what cannot be sent.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from redis import Redis
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import (
    Building,
    Compound,
    Delivery,
    Grid,
    GroupChannel,
    Household,
    JobSeeker,
    Notice,
    Resident,
    Unit,
    VolunteerProfile,
)
from storage.outbound.platform_rules import (
    cs_quota_left,
    cs_window_plannable,
    mass_quota_key,
    mass_window,
    template_allowed,
)
from storage.outbound.queues import DEFAULT_QUEUE, grid_queue_name

NOTICE_TEMPLATE_ID = "shequ_notice"  # the account's "社区通知" template
SCOPES = {"community": "全社区", "grids": "网格", "compounds": "小区", "buildings": "楼栋"}
PEOPLE = {
    "all": "区域内全部登记居民",
    "volunteer": "志愿者",
    "job_seeker": "求职登记人员",
    "tag:独居老人": "独居老人家庭",
    "tag:低保": "低保家庭",
    "tag:残疾": "残疾人家庭",
}
CHANNEL_LABELS = {
    "wecom_robot": "企业微信群机器人",
    "customer_service": "客服消息",
    "template": "模板消息",
    "mass_tag": "群发",
}
WHY = {
    "wecom_robot": "发到楼栋/网格/社区的企业微信群（每个机器人每分钟最多20条，超长自动分段）",
    "customer_service": "48小时内给公众号发过消息，用客服消息直接送达（每条留言后最多5条）",
    "template": "超过48小时没有互动或客服条数已用完，改用模板消息（认证服务号）",
    "mass_tag": "订阅号没有模板消息，对全体关注者群发（认证订阅号每天1次）",
}
STATUS_LABELS = {
    "draft": "草稿（未发送）",
    "scheduled": "已定时",
    "sending": "发送中",
    "done": "已完成",
    "cancelled": "已取消",
}


class TargetError(ValueError):
    """The targets are incomplete or unknown; the message is shown to staff."""


@dataclass(frozen=True)
class Account:
    """What the official account may send, and mass sends left in the current window."""

    kind: str  # service | subscription
    verified: bool
    mass_left: int

    @property
    def has_customer_service(self) -> bool:
        return not (self.kind == "subscription" and not self.verified)

    @property
    def has_template(self) -> bool:
        return template_allowed(self.kind, self.verified)


class AccountSettings(Protocol):
    @property
    def account_type(self) -> str: ...
    @property
    def account_verified(self) -> bool: ...
    @property
    def wechat_appid(self) -> str: ...


def account_for(settings: AccountSettings, redis: Redis, now: datetime) -> Account:
    """The account's capabilities, with mass sends left in the current window."""
    window, limit, _ = mass_window(settings.account_type, now)
    used = int(redis.scard(mass_quota_key(settings.wechat_appid, window)))
    return Account(settings.account_type, settings.account_verified, max(0, limit - used))


@dataclass
class Targets:
    scope: str
    ids: list[int] = field(default_factory=list)
    groups: bool = True
    people: list[str] = field(default_factory=list)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Targets:
        return cls(
            scope=str(data.get("scope", "")),
            ids=[int(i) for i in data.get("ids", [])],
            groups=bool(data.get("groups", True)),
            people=[str(p) for p in data.get("people", [])],
        )

    def to_json(self) -> dict[str, Any]:
        return {"scope": self.scope, "ids": self.ids, "groups": self.groups, "people": self.people}


@dataclass
class Area:
    community_wide: bool
    grid_ids: set[int]
    building_ids: set[int]
    label: str


def resolve_area(session: Session, community_id: int, targets: Targets) -> Area:
    if targets.scope not in SCOPES:
        raise TargetError("请选择发送范围（全社区、网格、小区或楼栋）")
    for person in targets.people:
        if person not in PEOPLE:
            raise TargetError(f"未知的人群：{person}")
    if not targets.groups and not targets.people:
        raise TargetError("请至少选择发到楼栋群，或选择要单独通知的人群")
    rows = session.execute(
        select(Building.id, Building.grid_id, Building.compound_id, Building.number).where(
            Building.community_id == community_id
        )
    ).all()
    wanted = set(targets.ids)
    if targets.scope == "community":
        return Area(True, {r.grid_id for r in rows}, {r.id for r in rows}, "全社区")
    if not wanted:
        raise TargetError(f"请至少选择一个{SCOPES[targets.scope]}")
    if targets.scope == "grids":
        names = _names(session, Grid, community_id, wanted)
        chosen = [r for r in rows if r.grid_id in wanted]
        return Area(False, wanted, {r.id for r in chosen}, "、".join(names))
    if targets.scope == "compounds":
        names = _names(session, Compound, community_id, wanted)
        chosen = [r for r in rows if r.compound_id in wanted]
        return Area(False, {r.grid_id for r in chosen}, {r.id for r in chosen}, "、".join(names))
    chosen = [r for r in rows if r.id in wanted]
    if len(chosen) != len(wanted):
        raise TargetError("所选楼栋不存在")
    label = "、".join(f"{r.number}号楼" for r in sorted(chosen, key=lambda r: int(r.number)))
    return Area(False, {r.grid_id for r in chosen}, wanted, label)


def _names(
    session: Session, model: type[Grid] | type[Compound], community_id: int, ids: set[int]
) -> list[str]:
    found = session.execute(
        select(model.id, model.name).where(model.community_id == community_id, model.id.in_(ids))
    ).all()
    if len(found) != len(ids):
        raise TargetError("所选范围不存在")
    return [name for _, name in sorted(found)]


@dataclass
class Planned:
    channel: str
    recipient: str
    label: str
    queue: str


@dataclass
class Plan:
    area: Area
    deliveries: list[Planned] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (who, why)
    residents: int = 0

    def counts(self) -> dict[str, int]:
        return dict(Counter(d.channel for d in self.deliveries))

    def summary(self) -> dict[str, Any]:
        return {
            "area": self.area.label,
            "counts": self.counts(),
            "residents": self.residents,
            "skipped": len(self.skipped),
            "skipped_reasons": dict(Counter(why for _, why in self.skipped)),
            "skipped_sample": [list(s) for s in self.skipped[:50]],
        }


def plan_notice(session: Session, notice: Notice, account: Account, now: datetime) -> Plan:
    """Who gets the notice by which channel (read-only; the preview shows it)."""
    targets = Targets.from_json(notice.targets)
    plan = Plan(resolve_area(session, notice.community_id, targets))
    if targets.groups:
        _plan_groups(session, notice.community_id, targets, plan)
    if targets.people:
        _plan_people(session, notice.community_id, targets, account, now, plan)
    return plan


def _plan_groups(session: Session, community_id: int, targets: Targets, plan: Plan) -> None:
    area = plan.area
    robots = {
        (c.scope, c.scope_id): c
        for c in session.scalars(select(GroupChannel).where(GroupChannel.channel == "wecom_robot"))
    }
    if area.community_wide and (c := robots.get(("community", community_id))):
        plan.deliveries.append(Planned("wecom_robot", c.target, c.name, DEFAULT_QUEUE))
    if targets.scope in ("community", "grids"):
        for grid_id in sorted(area.grid_ids):
            if c := robots.get(("grid", grid_id)):
                plan.deliveries.append(
                    Planned("wecom_robot", c.target, c.name, grid_queue_name(grid_id))
                )
    buildings = session.execute(
        select(Building.id, Building.grid_id, Building.number)
        .where(Building.id.in_(area.building_ids))
        .order_by(Building.id)
    ).all()
    for b in buildings:
        c = robots.get(("building", b.id))
        if c is None:
            plan.skipped.append((f"{b.number}号楼居民群", "该楼栋没有配置企业微信群机器人"))
            continue
        plan.deliveries.append(Planned("wecom_robot", c.target, c.name, grid_queue_name(b.grid_id)))


def _plan_people(
    session: Session,
    community_id: int,
    targets: Targets,
    account: Account,
    now: datetime,
    plan: Plan,
) -> None:
    area = plan.area
    query = (
        select(Resident, Building.grid_id, Household.tags)
        .join(Household, Resident.household_id == Household.id)
        .join(Unit, Household.unit_id == Unit.id)
        .join(Building, Unit.building_id == Building.id)
        .where(Building.community_id == community_id)
        .order_by(Resident.id)
    )
    if not area.community_wide:
        query = query.where(Building.id.in_(area.building_ids))
    rows = session.execute(query).all()
    wanted = set(targets.people)
    volunteers = _volunteer_ids(session) if "volunteer" in wanted else set()
    seekers = _seeker_ids(session) if "job_seeker" in wanted else set()
    tags = {p.removeprefix("tag:") for p in wanted if p.startswith("tag:")}

    def chosen(resident: Resident, household_tags: list[Any]) -> bool:
        return (
            "all" in wanted
            or resident.id in volunteers
            or ("volunteer" in wanted and "volunteer" in (resident.roles or []))
            or resident.id in seekers
            or bool(tags.intersection(household_tags or []))
        )

    people = [(r, grid_id) for r, grid_id, tags_ in rows if chosen(r, tags_)]
    plan.residents = len(people)
    pending_cs = _pending_customer_service(session)
    to_all = area.community_wide and wanted == {"all"}
    mass_planned = False
    for resident, grid_id in people:
        who = resident.name or resident.openid
        if not resident.subscribed:
            plan.skipped.append((who, "居民已取消关注公众号"))
            continue
        last = resident.last_message_at
        used = resident.cs_quota_used + pending_cs.get(resident.openid, 0)
        queue = grid_queue_name(grid_id)
        if account.has_customer_service and cs_window_plannable(last, now) and cs_quota_left(used):
            plan.deliveries.append(Planned("customer_service", resident.openid, who, queue))
        elif account.has_template:
            plan.deliveries.append(Planned("template", resident.openid, who, queue))
        elif account.verified and to_all and account.mass_left > 0:
            if not mass_planned:
                plan.deliveries.append(Planned("mass_tag", "all", "全体关注者", DEFAULT_QUEUE))
                mass_planned = True
        elif account.verified and to_all:
            plan.skipped.append(
                (who, "今天的群发次数已用完（订阅号每天1次），请明天再发或依靠楼栋群")
            )
        elif account.verified:
            plan.skipped.append(
                (who, "订阅号没有模板消息，只能对全体关注者群发；部分居民请依靠楼栋群通知")
            )
        else:
            plan.skipped.append((who, "未认证的公众号不能单独通知居民，请依靠楼栋群"))


def _volunteer_ids(session: Session) -> set[int]:
    query = select(VolunteerProfile.resident_id).where(VolunteerProfile.status == "active")
    return set(session.scalars(query))


def _seeker_ids(session: Session) -> set[int]:
    query = select(JobSeeker.resident_id).where(
        JobSeeker.resident_id.is_not(None),
        JobSeeker.notify.is_(True),
        JobSeeker.labour_status != "employed",
    )
    return {int(i) for i in session.scalars(query) if i is not None}


def _pending_customer_service(session: Session) -> dict[str, int]:
    """Customer-service messages planned but not yet sent, per openid (they will use quota)."""
    query = (
        select(Delivery.recipient, func.count())
        .where(
            Delivery.channel == "customer_service",
            Delivery.status.in_(("pending", "sending", "failed")),
        )
        .group_by(Delivery.recipient)
    )
    return {openid: int(n) for openid, n in session.execute(query)}


def purpose_of(notice_id: int) -> str:
    return f"notice:{notice_id}"
