"""The community party-building joint meeting (社区党建联席会议): a council meeting of kind
"joint" (storage/meetings) whose draft agenda is the open needs, whose members are the
resource owners, and whose decision on each item creates a project. Publishing starts the
projects and posts them to the building groups concerned; the reporters of linked
requests hear that their problem became a project. Callers commit and write audit rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.events import record_event
from storage.meetings.items import decide_item
from storage.meetings.service import ENTITY as MEETING_ENTITY
from storage.meetings.service import MeetingError, items_of
from storage.models import CouncilItem, CouncilMeeting, Need, Project
from storage.projects.needs import ProjectError, list_needs, need_from_requests, need_requests
from storage.projects.service import (
    STATUS_LABELS,
    post_to_groups,
    project_owner,
    public_text,
    resources_of,
    save_project,
)
from storage.requests.notify import notify_followers
from storage.requests.rules import local_label
from storage.writes import update_if

KIND = "joint"
REPORTER_TEXT = (
    "您反映的问题已列入社区项目“{title}”（社区党建联席会议决定），负责：{owner}，"
    "期限：{due}。进展会在楼栋群公布，也可以问我“我们楼的事有进展吗”。"
)


def create_joint_meeting(
    session: Session,
    *,
    community_id: int,
    title: str,
    held_at: datetime,
    place: str | None,
    need_ids: Sequence[int],
    group_keys: Sequence[str] = (),
    actor: str,
    now: datetime,
) -> CouncilMeeting:
    """A joint meeting whose agenda is the chosen open needs (and computed request groups,
    which become needs now)."""
    title = title.strip()[:100]
    if not title:
        raise ProjectError("请填写会议名称", 400)
    open_needs = {n.id: n for n in list_needs(session, community_id, statuses=("open",))}
    chosen: list[Need] = []
    for need_id in dict.fromkeys(need_ids):
        if need_id not in open_needs:
            raise ProjectError("所选需求已列入其他会议或已立项，请刷新后重试", 409)
        chosen.append(open_needs[need_id])
    for key in dict.fromkeys(group_keys):
        chosen.append(need_from_requests(session, community_id, key, actor=actor, now=now))
    if not chosen:
        raise ProjectError("请至少选择一项需求", 400)
    meeting = CouncilMeeting(
        community_id=community_id,
        kind=KIND,
        scope="community",
        scope_id=community_id,
        grid_id=None,
        title=title,
        held_at=held_at,
        place=(place or "").strip()[:100] or None,
        status="draft",
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    session.add(meeting)
    session.flush()
    for position, need in enumerate(chosen, 1):
        session.add(
            CouncilItem(
                meeting_id=meeting.id,
                position=position,
                category=need.category,
                building_id=need.building_id,
                need_id=need.id,
                title=need.title,
            )
        )
        need.status, need.updated_at = "agenda", now
        record_event(
            session,
            "need",
            need.id,
            actor=actor,
            from_state="open",
            to_state="agenda",
            note=f"列入{title}",
        )
    record_event(
        session,
        MEETING_ENTITY,
        meeting.id,
        actor=actor,
        to_state="draft",
        note="议题：" + "、".join(n.title for n in chosen),
    )
    return meeting


def item_project(session: Session, item_id: int) -> Project | None:
    return session.scalar(select(Project).where(Project.item_id == item_id))


def decide_joint_item(
    session: Session,
    meeting: CouncilMeeting,
    item: CouncilItem,
    *,
    title: str,
    plan: str,
    resource_ids: Sequence[int],
    owner_staff_id: int | None,
    owner_name: str | None,
    due_at: datetime,
    milestones: Sequence[tuple[str, datetime | None]],
    actor: str,
    now: datetime,
) -> Project:
    """The decision on one need: the item is decided and its project created (or changed
    while the meeting is not yet published)."""
    if meeting.kind != KIND:
        raise ProjectError("这不是党建联席会议", 400)
    need = session.get(Need, item.need_id) if item.need_id is not None else None
    if need is None:
        raise ProjectError("议题没有对应的需求", 404)
    try:
        decide_item(
            session,
            meeting,
            item,
            action=f"立项“{title.strip()}”：{plan.strip()}",
            owner_staff_id=owner_staff_id,
            owner_name=owner_name,
            due_at=due_at,
            actor=actor,
            now=now,
        )
    except MeetingError as exc:
        raise ProjectError(exc.message, exc.status) from exc
    return save_project(
        session,
        need,
        title=title,
        plan=plan,
        resource_ids=resource_ids,
        owner_staff_id=owner_staff_id,
        owner_name=owner_name,
        due_at=due_at,
        milestones=milestones,
        actor=actor,
        now=now,
        project=item_project(session, item.id),
        meeting_id=meeting.id,
        item_id=item.id,
    )


def _project_text(session: Session, meeting: CouncilMeeting, project: Project) -> str:
    owners = "、".join(dict.fromkeys(r.owner for r in resources_of(session, project.id)))
    return "\n".join(
        [
            f"【社区党建联席会议】{meeting.title}",
            f"新立项目：{public_text(session, project, project.title)}",
            f"做什么：{public_text(session, project, project.plan)}",
            f"参与单位：{owners}",
            f"负责：{project_owner(session, project)}，期限：{local_label(project.due_at)}",
            "进展会在本群公布。如有意见，请在公众号留言或联系网格员。",
        ]
    )


def publish_joint_meeting(
    session: Session, meeting: CouncilMeeting, *, actor: str, now: datetime
) -> dict[str, int]:
    """Start the decided projects and tell the building groups and the reporters."""
    if meeting.kind != KIND:
        raise ProjectError("这不是党建联席会议", 400)
    if meeting.status == "published":
        raise ProjectError("联席会议结果已经公布过了")
    if meeting.attendee_count < 1:
        raise ProjectError("请先登记参会单位", 400)
    items = items_of(session, meeting.id)
    if not items or any(i.status != "decided" for i in items):
        raise ProjectError("还有需求没有作出决定", 400)
    if not update_if(
        session,
        CouncilMeeting,
        CouncilMeeting.id == meeting.id,
        CouncilMeeting.status == meeting.status,
        status="published",
        published_at=now,
        updated_at=now,
    ):
        raise ProjectError("联席会议刚被其他人修改过，请刷新后再试")
    previous = meeting.status
    session.refresh(meeting)
    counts = {"projects": 0, "groups": 0, "residents": 0}
    for item in items:
        project = item_project(session, item.id)
        if project is None or project.status != "planned":
            continue
        project.status, project.updated_at = "active", now
        record_event(
            session,
            "project",
            project.id,
            actor=actor,
            from_state="planned",
            to_state="active",
            note=f"{meeting.title}公布，项目{STATUS_LABELS['active']}",
        )
        counts["projects"] += 1
        text = _project_text(session, meeting, project)
        counts["groups"] += post_to_groups(session, project, text, f"project:{project.id}:start")
        assert project.need_id is not None
        reporter_text = REPORTER_TEXT.format(
            title=project.title,
            owner=project_owner(session, project),
            due=local_label(project.due_at),
        )
        for request in need_requests(session, project.need_id):
            counts["residents"] += len(
                notify_followers(
                    session,
                    request,
                    reporter_text,
                    f"project:{project.id}",
                    now,
                    purpose="project_started",
                )
            )
    record_event(
        session,
        MEETING_ENTITY,
        meeting.id,
        actor=actor,
        from_state=previous,
        to_state="published",
        note=f"立项{counts['projects']}个，公布至{counts['groups']}个群、{counts['residents']}位居民",
    )
    return counts
