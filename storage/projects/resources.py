"""The resources list (资源清单): what local units, firms, venues, funds and volunteers
offer, and whom to contact. Volunteers' skills come from their profiles
(storage/volunteers), copied in by `sync_volunteer_skills`. Callers commit."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.events import record_event
from storage.models import Resident, Resource, VolunteerProfile
from storage.projects.needs import ProjectError

ENTITY = "resource"
KINDS = {
    "org": "单位组织",
    "firm": "企业商户",
    "venue": "场地",
    "fund": "资金",
    "skill": "志愿者技能",
}
KIND_BY_LABEL = {label: kind for kind, label in KINDS.items()}
PHONE = re.compile(r"^[0-9+\- ]{5,20}$")
VOLUNTEER_OWNER = "社区志愿服务队"


def kind_of(text: str) -> str | None:
    """A kind from its code or its Chinese label (Excel cells carry the label)."""
    text = text.strip()
    return text if text in KINDS else KIND_BY_LABEL.get(text)


def check_fields(kind: str, name: str, owner: str, offer: str, phone: str | None) -> dict[str, str]:
    """Problems by field name (empty when the resource may be saved)."""
    problems: dict[str, str] = {}
    if kind not in KINDS:
        problems["kind"] = "类别须是：" + "、".join(KINDS.values())
    if not name.strip():
        problems["name"] = "请填写资源名称"
    elif len(name.strip()) > 100:
        problems["name"] = "名称太长（最多100字）"
    if not owner.strip():
        problems["owner"] = "请填写提供单位"
    elif len(owner.strip()) > 100:
        problems["owner"] = "提供单位太长（最多100字）"
    if not offer.strip():
        problems["offer"] = "请填写能提供什么"
    if phone and not PHONE.match(phone.strip()):
        problems["contact_phone"] = "电话号码格式不对"
    return problems


def add_resource(
    session: Session,
    *,
    community_id: int,
    kind: str,
    name: str,
    owner: str,
    offer: str,
    contact_name: str | None,
    contact_phone: str | None,
    actor: str,
    now: datetime,
) -> Resource:
    problems = check_fields(kind, name, owner, offer, contact_phone)
    if problems:
        raise ProjectError("；".join(problems.values()), 400)
    resource = Resource(
        community_id=community_id,
        kind=kind,
        name=name.strip(),
        owner=owner.strip(),
        offer=offer.strip()[:2000],
        contact_name=(contact_name or "").strip()[:64] or None,
        contact_phone=(contact_phone or "").strip()[:32] or None,
        active=True,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    session.add(resource)
    session.flush()
    record_event(
        session, ENTITY, resource.id, actor=actor, to_state="active", note=f"{owner}：{name}"
    )
    return resource


def set_active(
    session: Session, resource: Resource, active: bool, *, actor: str, now: datetime
) -> Resource:
    if resource.active == active:
        return resource
    resource.active = active
    resource.updated_at = now
    state = "active" if active else "inactive"
    record_event(session, ENTITY, resource.id, actor=actor, to_state=state)
    return resource


def sync_volunteer_skills(
    session: Session, community_id: int, *, actor: str, now: datetime
) -> dict[str, int]:
    """One `skill` resource per active volunteer with skills; a volunteer who left or has
    no skills any more is set inactive. The volunteer's phone is not copied: staff reach
    volunteers through the volunteer team (storage/volunteers)."""
    counts = {"created": 0, "updated": 0, "inactive": 0}
    existing = {
        r.volunteer_id: r
        for r in session.scalars(
            select(Resource).where(
                Resource.community_id == community_id, Resource.volunteer_id.is_not(None)
            )
        )
    }
    query = (
        select(VolunteerProfile, Resident)
        .join(Resident, Resident.id == VolunteerProfile.resident_id)
        .where(VolunteerProfile.community_id == community_id)
    )
    for profile, resident in session.execute(query):
        skills = "、".join(str(s) for s in profile.skills or [] if str(s).strip())
        resource = existing.get(profile.id)
        live = profile.status == "active" and bool(skills)
        if resource is None:
            if not live:
                continue
            resource = Resource(
                community_id=community_id,
                kind="skill",
                name=f"志愿者{(resident.name or '')[:1] or ''}（{skills}）"[:100],
                owner=VOLUNTEER_OWNER,
                offer=skills,
                volunteer_id=profile.id,
                active=True,
                created_by=actor,
                created_at=now,
                updated_at=now,
            )
            session.add(resource)
            session.flush()
            record_event(session, ENTITY, resource.id, actor=actor, to_state="active")
            counts["created"] += 1
        elif live and (resource.offer != skills or not resource.active):
            resource.offer = skills
            resource.active = True
            resource.updated_at = now
            counts["updated"] += 1
        elif not live and resource.active:
            set_active(session, resource, False, actor=actor, now=now)
            counts["inactive"] += 1
    return counts


def list_resources(
    session: Session, community_id: int, *, active_only: bool = False
) -> list[Resource]:
    query = select(Resource).where(Resource.community_id == community_id)
    if active_only:
        query = query.where(Resource.active.is_(True))
    return list(session.scalars(query.order_by(Resource.kind, Resource.owner, Resource.id)))


def resource_owners(session: Session, community_id: int) -> list[str]:
    """The members of the joint meeting: the units holding active resources."""
    query = (
        select(Resource.owner)
        .where(Resource.community_id == community_id, Resource.active.is_(True))
        .distinct()
        .order_by(Resource.owner)
    )
    return list(session.scalars(query))
