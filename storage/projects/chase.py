"""督 for projects: an active project past its deadline is reported once (per deadline)
to its grid's work group, or to the community's when it concerns no grid, with an event
row. The caller commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.events import record_event
from storage.models import Project
from storage.outbound.deliveries import get_by_key, plan_delivery
from storage.outbound.queues import grid_queue_name
from storage.projects.service import ENTITY, milestones_of, project_owner
from storage.requests.rules import local_label
from storage.residents.queries import group_channel

OVERDUE_TEXT = (
    "【项目逾期】{title}\n期限：{due}，负责：{owner}，节点完成{done}/{total}。\n"
    "请跟进并在工作台发布进展或办结。"
)


def chase_overdue(session: Session, now: datetime, limit: int = 500) -> int:
    """The number of overdue projects reported now (each deadline is reported once)."""
    query = (
        select(Project)
        .where(Project.status == "active", Project.due_at < now)
        .order_by(Project.due_at)
        .limit(limit)
    )
    told = 0
    for project in session.scalars(query):
        key = f"project:{project.id}:overdue:{project.due_at:%Y%m%d%H%M}"
        if get_by_key(session, key) is not None:
            continue
        if project.grid_id is not None:
            channel = group_channel(session, "grid", project.grid_id, "wecom_robot")
        else:
            channel = group_channel(session, "community", project.community_id, "wecom_robot")
        if channel is None:
            continue
        steps = milestones_of(session, project.id)
        text = OVERDUE_TEXT.format(
            title=project.title,
            due=local_label(project.due_at),
            owner=project_owner(session, project),
            done=sum(1 for m in steps if m.done_at is not None),
            total=len(steps),
        )
        plan_delivery(
            session,
            channel="wecom_robot",
            recipient=channel.target,
            purpose="project_overdue",
            payload={"text": text},
            idempotency_key=key,
            queue=grid_queue_name(project.grid_id),
        )
        record_event(
            session, ENTITY, project.id, actor="system", to_state="overdue", note=channel.name
        )
        told += 1
    return told
