"""What the console's three-list actions do once the request is parsed (shared by the
pages and the JSON API): check who may, run the storage step, turn its ProjectError into
an HTTP error, write the audit row and commit."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from admin.audit import audit_staff
from admin.deps import Staff, ensure_grid
from admin.meetings.view import owner_choices
from admin.projects.view import (
    community_id,
    ensure_building,
    group_view,
    load_project,
    need_view,
    to_http,
)
from bot.deps import commit
from storage.meetings.service import MeetingError, items_of, record_attendance
from storage.models import (
    CouncilItem,
    CouncilMeeting,
    Milestone,
    Need,
    Project,
    ServiceRequest,
    utcnow,
)
from storage.projects import joint, needs, resources, service
from storage.projects.needs import ProjectError
from storage.projects.resources import resource_owners

T = TypeVar("T")


def run(
    session: Session,
    staff: Staff,
    ip: str,
    action: str,
    target: tuple[str, int | None],
    step: Callable[[], T],
    detail: Callable[[T], str],
) -> T:
    """One console action: the storage step, its audit row, the commit."""
    try:
        result = step()
    except ProjectError as exc:
        raise to_http(exc) from exc
    except MeetingError as exc:
        raise to_http(ProjectError(exc.message, exc.status)) from exc
    target_type, target_id = target
    if target_id is None and hasattr(result, "id"):
        target_id = result.id
    audit_staff(session, staff, action, ip, target_type, target_id, detail(result))
    commit(session)
    return result


def add_need(
    session: Session,
    staff: Staff,
    ip: str,
    *,
    title: str,
    category: str,
    building_id: int | None,
    detail: str | None,
) -> Need:
    ensure_building(session, staff, building_id)
    return run(
        session,
        staff,
        ip,
        "need_create",
        ("need", None),
        lambda: needs.add_need(
            session,
            community_id=community_id(session),
            source="staff",
            title=title,
            category=category,
            building_id=building_id,
            detail=detail,
            actor=staff.actor,
            now=utcnow(),
        ),
        lambda n: n.title,
    )


def need_from_group(session: Session, staff: Staff, ip: str, key: str) -> Need:
    return run(
        session,
        staff,
        ip,
        "need_create",
        ("need", None),
        lambda: needs.need_from_requests(
            session,
            community_id(session),
            key,
            actor=staff.actor,
            now=utcnow(),
            grid_ids=staff.visible_grid_ids(),
        ),
        lambda n: f"来自居民诉求：{n.title}",
    )


def need_from_council(session: Session, staff: Staff, ip: str, item_id: int) -> Need:
    item = session.get(CouncilItem, item_id)
    if item is not None:
        ensure_building(session, staff, item.building_id)
    return run(
        session,
        staff,
        ip,
        "need_create",
        ("need", None),
        lambda: needs.need_from_council_item(
            session, community_id(session), item_id, actor=staff.actor, now=utcnow()
        ),
        lambda n: f"来自居民议事会：{n.title}",
    )


def close_need(session: Session, staff: Staff, ip: str, need: Need, note: str) -> Need:
    return run(
        session,
        staff,
        ip,
        "need_close",
        ("need", need.id),
        lambda: needs.close_need(session, need, actor=staff.actor, now=utcnow(), note=note),
        lambda n: n.title,
    )


def needs_lists(session: Session, staff: Staff) -> dict[str, Any]:
    cid = community_id(session)
    grids = staff.visible_grid_ids()
    items = needs.council_items_for_needs(session, cid) if staff.sees_all_grids else []
    return {
        "needs": [need_view(session, n) for n in needs.list_needs(session, cid, grid_ids=grids)],
        "groups": [group_view(g) for g in needs.request_groups(session, cid, grids)],
        "council_items": items,
    }


# -- Resources -------------------------------------------------------------------------------


def add_resource(session: Session, staff: Staff, ip: str, **fields: Any) -> Any:
    return run(
        session,
        staff,
        ip,
        "resource_create",
        ("resource", None),
        lambda: resources.add_resource(
            session, community_id=community_id(session), actor=staff.actor, now=utcnow(), **fields
        ),
        lambda r: f"{r.owner}：{r.name}",
    )


def sync_volunteers(session: Session, staff: Staff, ip: str) -> dict[str, int]:
    return run(
        session,
        staff,
        ip,
        "resource_sync",
        ("resource", None),
        lambda: resources.sync_volunteer_skills(
            session, community_id(session), actor=staff.actor, now=utcnow()
        ),
        lambda c: f"新增{c['created']}，更新{c['updated']}，停用{c['inactive']}",
    )


# -- Projects --------------------------------------------------------------------------------


def publish_progress(session: Session, staff: Staff, ip: str, project: Project, text: str) -> int:
    return run(
        session,
        staff,
        ip,
        "project_progress",
        ("project", project.id),
        lambda: service.publish_progress(session, project, text, actor=staff.actor, now=utcnow()),
        lambda groups: f"{text}（{groups}个群）",
    )


def complete_milestone(
    session: Session, staff: Staff, ip: str, project_id: int, milestone_id: int
) -> Project:
    project = load_project(session, staff, project_id)
    milestone = session.get(Milestone, milestone_id)
    if milestone is None or milestone.project_id != project.id:
        raise to_http(ProjectError("没有找到这个节点", 404))
    run(
        session,
        staff,
        ip,
        "project_milestone",
        ("project", project.id),
        lambda: service.complete_milestone(
            session, project, milestone, actor=staff.actor, now=utcnow()
        ),
        lambda groups: f"完成：{milestone.title}（{groups}个群）",
    )
    return project


def link_request(session: Session, staff: Staff, ip: str, project: Project, code: str) -> Project:
    """Link a request by its code; the request must be one this staff member may handle."""
    found = session.scalar(
        select(ServiceRequest).where(ServiceRequest.code == code.strip().upper())
    )
    if found is None:
        raise to_http(ProjectError("没有找到这个工单编号", 404))
    ensure_grid(staff, found.grid_id)
    return run(
        session,
        staff,
        ip,
        "project_link",
        ("project", project.id),
        lambda: service.link_request(session, project, found, actor=staff.actor, now=utcnow()),
        lambda _p: f"关联工单 {found.code}",
    )


def finish_project(session: Session, staff: Staff, ip: str, project: Project, note: str) -> int:
    return run(
        session,
        staff,
        ip,
        "project_finish",
        ("project", project.id),
        lambda: service.finish_project(session, project, note, actor=staff.actor, now=utcnow()),
        lambda groups: f"办结（{groups}个群）",
    )


# -- The joint meeting -----------------------------------------------------------------------


def create_joint(
    session: Session,
    staff: Staff,
    ip: str,
    *,
    title: str,
    held_at: datetime,
    place: str | None,
    need_ids: Sequence[int],
    group_keys: Sequence[str],
) -> CouncilMeeting:
    return run(
        session,
        staff,
        ip,
        "joint_create",
        ("meeting", None),
        lambda: joint.create_joint_meeting(
            session,
            community_id=community_id(session),
            title=title,
            held_at=held_at,
            place=place,
            need_ids=need_ids,
            group_keys=group_keys,
            actor=staff.actor,
            now=utcnow(),
        ),
        lambda m: m.title,
    )


def attend_joint(
    session: Session,
    staff: Staff,
    ip: str,
    meeting: CouncilMeeting,
    names: list[str],
    count: int | None,
) -> CouncilMeeting:
    return run(
        session,
        staff,
        ip,
        "joint_attendance",
        ("meeting", meeting.id),
        lambda: record_attendance(
            session, meeting, names=names, count=count, actor=staff.actor, now=utcnow()
        ),
        lambda m: f"参会{m.attendee_count}个单位/人",
    )


def decide_joint(
    session: Session,
    staff: Staff,
    ip: str,
    meeting: CouncilMeeting,
    item_id: int,
    **fields: Any,
) -> Project:
    item = session.get(CouncilItem, item_id)
    if item is None or item.meeting_id != meeting.id:
        raise to_http(ProjectError("没有找到这个议题", 404))
    return run(
        session,
        staff,
        ip,
        "joint_decide",
        ("meeting", meeting.id),
        lambda: joint.decide_joint_item(
            session, meeting, item, actor=staff.actor, now=utcnow(), **fields
        ),
        lambda p: f"立项：{p.title}",
    )


def publish_joint(
    session: Session, staff: Staff, ip: str, meeting: CouncilMeeting
) -> dict[str, int]:
    return run(
        session,
        staff,
        ip,
        "joint_publish",
        ("meeting", meeting.id),
        lambda: joint.publish_joint_meeting(session, meeting, actor=staff.actor, now=utcnow()),
        lambda c: f"项目{c['projects']}个，楼栋群{c['groups']}个，居民{c['residents']}人",
    )


def joint_context(session: Session, meeting: CouncilMeeting) -> dict[str, Any]:
    """Each item's need and project, and the members to choose from."""
    from admin.projects.view import project_summary

    by_item: dict[str, Any] = {"needs": {}, "projects": {}}
    for item in items_of(session, meeting.id):
        if item.need_id is not None and (need := session.get(Need, item.need_id)) is not None:
            by_item["needs"][str(item.id)] = need_view(session, need)
        project = joint.item_project(session, item.id)
        if project is not None:
            by_item["projects"][str(item.id)] = project_summary(session, project)
    by_item["members"] = resource_owners(session, meeting.community_id)
    return by_item


JOINT_EVENT_LABELS = {
    "draft": "创建联席会议",
    "held": "登记参会单位",
    "item_decided": "需求立项",
    "published": "公布结果",
}


def joint_view(session: Session, meeting: CouncilMeeting) -> dict[str, Any]:
    """The meeting as the council view shows it, with the joint meeting's own words."""
    from admin.meetings.view import meeting_view

    data = {**meeting_view(session, meeting), **joint_context(session, meeting)}
    for event in data["history"]:
        event["label"] = JOINT_EVENT_LABELS.get(event["to_state"], event["label"])
    return data


__all__ = ["owner_choices"]
