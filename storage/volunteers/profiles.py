"""Volunteer profiles, the service policy, and the hours ledger (callers commit)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from storage.clock import CHINA
from storage.clock import now as clock_now
from storage.events import record_event
from storage.models import (
    Building,
    Canteen,
    GroupChannel,
    HoursEntry,
    Household,
    Resident,
    VolunteerPolicy,
    VolunteerProfile,
    VolunteerTask,
)

LOCAL_TZ = CHINA  # the name other modules import; defined once, in storage.clock
SKILLS = ("送餐", "陪伴", "辅导", "维修", "驾车", "宣传")
DELIVERY_SKILL = "送餐"
SLOT_LABELS = {"breakfast": "早餐", "lunch": "午餐", "dinner": "晚餐"}
DAY_LABELS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
STATUS_LABELS = {"pending": "待审核", "active": "服务中", "paused": "暂停中", "left": "已退出"}


def policy_for(session: Session, community_id: int) -> VolunteerPolicy:
    policy = session.scalar(
        select(VolunteerPolicy).where(VolunteerPolicy.community_id == community_id)
    )
    if policy is None:
        policy = VolunteerPolicy(community_id=community_id)
        session.add(policy)
        session.flush()
    return policy


POLICY_FIELDS = frozenset(
    c.key for c in VolunteerPolicy.__table__.columns if c.key not in {"id", "community_id"}
)


def update_policy(session: Session, community_id: int, changes: dict[str, Any]) -> VolunteerPolicy:
    """The canteen's settings with `changes` applied (only known settings)."""
    unknown = set(changes) - POLICY_FIELDS
    if unknown:
        raise ValueError(f"not a volunteer setting: {sorted(unknown)}")
    policy = policy_for(session, community_id)
    for key, value in changes.items():
        setattr(policy, key, value)
    session.flush()
    return policy


def profile_of(session: Session, resident_id: int) -> VolunteerProfile | None:
    return session.scalar(
        select(VolunteerProfile).where(VolunteerProfile.resident_id == resident_id)
    )


def create_profile(
    session: Session,
    resident: Resident,
    community_id: int,
    *,
    skills: list[str],
    days: list[int],
    slots: list[str],
    building: Building | None,
    actor: str,
) -> VolunteerProfile:
    """A new profile, or the old one renewed for someone who left and signs up again."""
    policy = policy_for(session, community_id)
    status = "pending" if policy.require_approval else "active"
    profile = profile_of(session, resident.id)
    previous = profile.status if profile else None
    if profile is None:
        profile = VolunteerProfile(resident_id=resident.id, community_id=community_id)
        session.add(profile)
    profile.skills = list(skills)
    profile.days = sorted(set(days))
    profile.slots = list(slots)
    profile.building_id = building.id if building else None
    profile.grid_id = building.grid_id if building else None
    profile.status = status
    session.flush()
    if "volunteer" not in (resident.roles or []):
        resident.roles = [*(resident.roles or []), "volunteer"]
    record_event(
        session,
        "volunteer",
        profile.id,
        actor=actor,
        from_state=previous,
        to_state=status,
        note="报名：" + "、".join(skills),
    )
    return profile


def set_status(
    session: Session, profile: VolunteerProfile, status: str, actor: str, note: str | None = None
) -> None:
    if profile.status == status:
        return
    record_event(
        session,
        "volunteer",
        profile.id,
        actor=actor,
        from_state=profile.status,
        to_state=status,
        note=note,
    )
    profile.status = status
    if status == "active" and actor.startswith("staff:"):
        profile.approved_by = actor


def credit_hours(
    session: Session,
    profile: VolunteerProfile,
    minutes: int,
    reason: str,
    actor: str,
    *,
    task_id: int | None = None,
    corrects_id: int | None = None,
    now: datetime | None = None,
) -> HoursEntry:
    entry = HoursEntry(
        volunteer_id=profile.id,
        grid_id=profile.grid_id,
        task_id=task_id,
        minutes=minutes,
        reason=reason[:200],
        corrects_id=corrects_id,
        created_by=actor,
        created_at=now or clock_now(),
    )
    session.add(entry)
    session.flush()
    record_event(
        session,
        "volunteer",
        profile.id,
        actor=actor,
        to_state="hours",
        note=f"{'+' if minutes >= 0 else ''}{minutes}分钟：{reason}",
    )
    return entry


def month_bounds(now: datetime, month: str | None = None) -> tuple[datetime, datetime]:
    """UTC bounds of a local calendar month ("2026-11"; default: the month of `now`)."""
    local = now.astimezone(LOCAL_TZ)
    year, mon = (int(p) for p in month.split("-")) if month else (local.year, local.month)
    start = datetime(year, mon, 1, tzinfo=LOCAL_TZ)
    end = datetime(year + mon // 12, mon % 12 + 1, 1, tzinfo=LOCAL_TZ)
    return start.astimezone(UTC), end.astimezone(UTC)


@dataclass(frozen=True)
class HoursSummary:
    total_minutes: int
    month_minutes: int
    tasks_done: int
    month_rank: int | None  # in the volunteer's grid this month
    grid_size: int


def hours_summary(session: Session, profile: VolunteerProfile, now: datetime) -> HoursSummary:
    total = session.scalar(
        select(func.coalesce(func.sum(HoursEntry.minutes), 0)).where(
            HoursEntry.volunteer_id == profile.id
        )
    )
    start, end = month_bounds(now)
    month = session.scalar(
        select(func.coalesce(func.sum(HoursEntry.minutes), 0)).where(
            HoursEntry.volunteer_id == profile.id,
            HoursEntry.created_at >= start,
            HoursEntry.created_at < end,
        )
    )
    done = session.scalar(
        select(func.count())
        .select_from(VolunteerTask)
        .where(VolunteerTask.volunteer_id == profile.id, VolunteerTask.status == "done")
    )
    board = leaderboard(session, profile.community_id, profile.grid_id, start, end)
    rank = next((row.rank for row in board if row.volunteer_id == profile.id), None)
    return HoursSummary(int(total or 0), int(month or 0), int(done or 0), rank, len(board))


@dataclass(frozen=True)
class BoardRow:
    rank: int
    volunteer_id: int
    name: str
    grid_id: int | None
    minutes: int
    entries: int


def leaderboard(
    session: Session,
    community_id: int,
    grid_id: int | None,
    start: datetime,
    end: datetime,
    limit: int = 50,
) -> list[BoardRow]:
    """Volunteers by hours credited in [start, end), per grid (the grid at credit time)."""
    query = (
        select(
            HoursEntry.volunteer_id,
            func.sum(HoursEntry.minutes).label("minutes"),
            func.count(HoursEntry.task_id).label("entries"),
        )
        .join(VolunteerProfile, VolunteerProfile.id == HoursEntry.volunteer_id)
        .where(
            VolunteerProfile.community_id == community_id,
            HoursEntry.created_at >= start,
            HoursEntry.created_at < end,
        )
        .group_by(HoursEntry.volunteer_id)
    )
    if grid_id is not None:
        query = query.where(HoursEntry.grid_id == grid_id)
    rows = [r for r in session.execute(query).all() if r.minutes > 0]
    rows.sort(key=lambda r: (-int(r.minutes), r.volunteer_id))
    out = []
    for rank, row in enumerate(rows[:limit], 1):
        profile = session.get(VolunteerProfile, row.volunteer_id)
        assert profile is not None
        resident = session.get(Resident, profile.resident_id)
        name = (resident.name if resident else None) or f"志愿者{profile.id}"
        out.append(
            BoardRow(rank, profile.id, name, profile.grid_id, int(row.minutes), int(row.entries))
        )
    return out


def hours_label(minutes: int) -> str:
    hours = minutes / 60
    return f"{hours:g}小时" if hours == int(hours) else f"{hours:.1f}小时"


def local_now(now: datetime) -> datetime:
    return now.astimezone(LOCAL_TZ)


# -- demo data -----------------------------------------------------------------------------

DEMO_VOLUNTEERS = {
    "demo-zhaoxiaoli": ["送餐", "陪伴"],
    "demo-sunqiang": ["送餐", "驾车"],
    "demo-wuhua": ["送餐", "维修"],
}
DEMO_PHONES = {
    "demo-zhaoxiaoli": "13800000302",
    "demo-sunqiang": "13800000601",
    "demo-wuhua": "13800000101",
    "demo-wangnainai": "13900000501",
    "demo-lidaye": "13900000402",
}


def seed_volunteering(session: Session, community_id: int) -> None:
    """The demo canteen, its staff group, the policy and the demo volunteers' profiles.

    Skipped on a database migrated before these tables existed (until the migration that
    adds them lands)."""
    if not inspect(session.connection()).has_table(Canteen.__tablename__):
        return
    canteen = Canteen(
        community_id=community_id,
        name="幸福食堂",
        pickup="阳光小区1号楼底商幸福食堂",
        slot_times={"breakfast": "07:30", "lunch": "11:30", "dinner": "17:30"},
    )
    session.add(canteen)
    session.flush()
    session.add(
        GroupChannel(
            scope="canteen",
            scope_id=canteen.id,
            channel="wecom_robot",
            target="canteen-xingfu",
            name="幸福食堂工作群",
        )
    )
    policy_for(session, community_id)
    # In a fixed order, so demo volunteers get the same ids on every database.
    residents = session.scalars(
        select(Resident).where(Resident.openid.in_(DEMO_PHONES)).order_by(Resident.openid)
    )
    for resident in residents:
        resident.phone = DEMO_PHONES[resident.openid]
        skills = DEMO_VOLUNTEERS.get(resident.openid)
        if skills is None or resident.household_id is None:
            continue
        household = session.get(Household, resident.household_id)
        assert household is not None
        building = household.unit.building
        session.add(
            VolunteerProfile(
                resident_id=resident.id,
                community_id=community_id,
                grid_id=building.grid_id,
                building_id=building.id,
                skills=skills,
                days=[],
                slots=[],
                status="active",
            )
        )
    session.flush()
