"""Demo resources for the seeded community (what the joint meeting's member units offer)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from storage.models import Resource, utcnow

DEMO_RESOURCES = (
    ("org", "电工维修", "城南供电所", "每月一次进社区检修公共照明和线路", "陈所长", "0851-8880101"),
    ("firm", "物业维修班", "阳光物业", "楼道、门禁、下水管道维修，工作日当天上门", "周经理", "0851-8880202"),
    ("venue", "社区活动室", "城南社区居委会", "周一至周五白天可借用，容纳40人", "刘主任", "0851-8880303"),
    ("fund", "微心愿基金", "区慈善会", "单个项目最高5000元，用于改善老人居住条件", "吴干事", "0851-8880404"),
    ("org", "健康义诊", "社区卫生服务站", "每月第一个周六上午量血压、测血糖", "孙医生", "0851-8880505"),
)  # fmt: skip


def seed_resources(session: Session, community_id: int) -> None:
    now = utcnow()
    for kind, name, owner, offer, contact, phone in DEMO_RESOURCES:
        session.add(
            Resource(
                community_id=community_id,
                kind=kind,
                name=name,
                owner=owner,
                offer=offer,
                contact_name=contact,
                contact_phone=phone,
                active=True,
                created_by="seed",
                created_at=now,
                updated_at=now,
            )
        )
