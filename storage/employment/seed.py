"""Demo postings for the seeded community: a workshop, county, migrant and odd jobs, and a
"培训+订单" training, so a newcomer can try 找工作 and 报名 in the sandbox."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from storage.clock import china_today
from storage.models import Compound, JobPosting

DEMO_POSTINGS = [
    # kind, title, employer, skills, hours, place, compound, pay, openings, order_firm
    (
        "workshop",
        "缝纫工",
        "阳光小区扶贫车间",
        ["缝纫"],
        "half",
        "阳光小区5号楼底商",
        "阳光小区",
        "计件，约2000元/月",
        10,
        None,
    ),
    (
        "county",
        "货车司机",
        "县城物流公司",
        ["开车"],
        "full",
        "县城物流园",
        None,
        "4500元/月",
        3,
        None,
    ),
    (
        "flexible",
        "小区保洁（日结）",
        "城南物业",
        ["保洁"],
        "half",
        "幸福家园",
        "幸福家园",
        "80元/半天",
        4,
        None,
    ),
    (
        "migrant",
        "电子厂普工（包吃住）",
        "劳务输转（浙江宁波）",
        [],
        "full",
        "浙江宁波",
        None,
        "5500元/月起",
        20,
        None,
    ),
    (
        "training",
        "麻编技能培训（培训+订单）",
        "县人社局",
        [],
        "half",
        "社区活动室",
        None,
        "免费，结业有补贴",
        30,
        "鑫源麻编合作社",
    ),
]


def seed_job_postings(session: Session, community_id: int, today: date | None = None) -> None:
    """Skipped on a database migrated before the job tables existed (until the migration
    that adds them lands)."""
    if not inspect(session.connection()).has_table(JobPosting.__tablename__):
        return
    deadline = (today or china_today()) + timedelta(days=60)
    compounds = {
        c.name: c.id
        for c in session.scalars(select(Compound).where(Compound.community_id == community_id))
    }
    for kind, title, employer, skills, hours, place, compound, pay, openings, firm in DEMO_POSTINGS:
        session.add(
            JobPosting(
                community_id=community_id,
                kind=kind,
                title=title,
                employer=employer,
                skills=skills,
                hours=hours,
                place=place,
                compound_id=compounds.get(compound) if compound else None,
                pay=pay,
                openings=openings,
                deadline=deadline,
                order_firm=firm,
                created_by="jobs",
            )
        )
