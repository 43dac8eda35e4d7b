"""The demo community 城南社区, seeded once for the embedded run and the sandbox."""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from storage.employment.seed import seed_job_postings
from storage.knowledge.service import seed_knowledge
from storage.models import (
    Building,
    Community,
    Compound,
    Grid,
    GroupChannel,
    Household,
    Resident,
    StaffAccount,
    Unit,
)
from storage.projects.seed import seed_resources
from storage.staff.accounts import DEMO_PASSWORD, hash_password
from storage.volunteers.profiles import seed_volunteering

DEMO_ACCOUNT = "gh_shequ_demo"
COMPOUNDS = [
    ("阳光小区", range(1, 8)),
    ("幸福家园", range(8, 14)),
    ("和谐苑", range(14, 20)),
    ("新城花园", range(20, 26)),
]
GRID_NAMES = ["第一网格", "第二网格", "第三网格", "第四网格", "第五网格"]
ROOMS = [f"{floor}{door:02d}" for floor in range(1, 7) for door in (1, 2)]
STAFF = [
    ("admin", "刘书记", "community_admin", []),
    ("zhangmin", "张敏", "grid_worker", [1, 2]),
    ("liqiang", "李强", "grid_worker", [3]),
    ("wangfang", "王芳", "grid_worker", [4, 5]),
    ("canteen", "赵阿姨", "canteen_staff", []),
    ("jobs", "陈就业", "employment_officer", []),
]
RESIDENTS = [
    ("demo-wangnainai", "王奶奶", "3-2-501", ["resident"], ["独居老人"]),
    ("demo-lidaye", "李大爷", "8-1-402", ["resident"], ["独居老人", "低保"]),
    ("demo-zhaoxiaoli", "赵晓丽", "5-1-302", ["resident", "volunteer"], []),
    ("demo-sunqiang", "孙强", "12-3-601", ["resident", "volunteer"], []),
    ("demo-zhoujie", "周杰", "21-2-202", ["resident"], []),
    ("demo-wuhua", "吴华", "16-1-101", ["resident", "volunteer"], []),
    ("demo-zhengyan", "郑燕", "9-2-301", ["resident"], ["残疾"]),
    ("demo-newcomer", None, None, ["resident"], []),
]
# Care-tagged households nobody in which uses the official account (polls phone them).
OFFLINE_HOUSEHOLDS = {"3-1-101": ["空巢老人"], "7-2-201": ["独居老人"]}


def is_seeded(session: Session) -> bool:
    return session.scalar(select(Community.id).limit(1)) is not None


def seed_demo(session: Session) -> bool:
    """Create the demo community unless any community exists. The caller commits; the
    command line refuses to call this in production."""
    if is_seeded(session):
        return False
    community = Community(code="chengnan", name="城南社区", account=DEMO_ACCOUNT)
    session.add(community)
    session.flush()
    grids = [
        Grid(community_id=community.id, code=f"G{n}", name=name)
        for n, name in enumerate(GRID_NAMES, 1)
    ]
    session.add_all(grids)
    session.flush()
    channels = [
        dict(
            scope="community",
            scope_id=community.id,
            channel="wecom_robot",
            target="community-chengnan",
            name="城南社区工作群",
        ),
    ] + [
        dict(
            scope="grid",
            scope_id=grid.id,
            channel="wecom_robot",
            target=f"grid-{grid.code.lower()}",
            name=f"{grid.name}工作群",
        )
        for grid in grids
    ]
    households: dict[str, int] = {}
    for compound_name, numbers in COMPOUNDS:
        compound = Compound(community_id=community.id, name=compound_name)
        session.add(compound)
        session.flush()
        for number in numbers:
            grid = grids[(number - 1) // 5]
            building = Building(
                community_id=community.id,
                compound_id=compound.id,
                grid_id=grid.id,
                number=str(number),
            )
            session.add(building)
            session.flush()
            channels.append(
                dict(
                    scope="building",
                    scope_id=building.id,
                    channel="wecom_robot",
                    target=f"bldg-{number}",
                    name=f"{compound_name}{number}号楼居民群",
                )
            )
            for unit_number in ("1", "2", "3"):
                unit = Unit(building_id=building.id, number=unit_number)
                session.add(unit)
                session.flush()
                rows = [dict(unit_id=unit.id, room=room, tags=[]) for room in ROOMS]
                ids = session.scalars(insert(Household).returning(Household.id), rows).all()
                for room, new_id in zip(ROOMS, ids, strict=True):
                    households[f"{number}-{unit_number}-{room}"] = new_id
    session.execute(insert(GroupChannel), channels)
    # Every demo account shares the public demo password: flagged, refused in production.
    password_hash = hash_password(DEMO_PASSWORD)
    for username, name, role, grid_codes in STAFF:
        grid_ids = [grids[code - 1].id for code in grid_codes]
        session.add(
            StaffAccount(
                username=username,
                display_name=name,
                password_hash=password_hash,
                role=role,
                grid_ids=grid_ids,
                is_demo=True,
            )
        )
    for openid, resident_name, address, roles, tags in RESIDENTS:
        household_id = households[address] if address else None
        if household_id and tags:
            household = session.get(Household, household_id)
            assert household is not None
            household.tags = list(tags)
        session.add(
            Resident(openid=openid, name=resident_name, household_id=household_id, roles=roles)
        )
    for address, tags in OFFLINE_HOUSEHOLDS.items():
        offline = session.get(Household, households[address])
        assert offline is not None
        offline.tags = list(tags)
    seed_knowledge(session)
    seed_job_postings(session, community.id)
    seed_volunteering(session, community.id)
    seed_resources(session, community.id)
    session.flush()
    return True
