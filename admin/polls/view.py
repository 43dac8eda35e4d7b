"""What the polls pages and API show, shared by both: loading a poll the staff member may
see (a grid worker only polls of their grids, and only their grids' households in it),
the poll as a dict, and the phone list."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException
from sqlalchemy import select
from sqlalchemy.orm import Session

from admin.deps import Staff
from admin.timefmt import local_time
from storage.models import Building, Grid
from storage.outbound.platform_rules import template_allowed
from storage.polls.models import Poll, PollTarget
from storage.polls.population import KINDS, channel_counts, members
from storage.polls.queries import channel_split, phone_list, progress, rounds_of, visible_polls
from storage.polls.questions import load
from storage.polls.service import POLL_STATUS
from storage.residents.queries import community_for_account

NOT_FOUND = "没有找到这个民调"


def community_id(session: Session) -> int:
    community = community_for_account(session, None)
    if community is None:
        raise HTTPException(status_code=503, detail="社区尚未初始化")
    return community.id


def template_ok(settings: Any) -> bool:
    return template_allowed(settings.account_type, settings.account_verified)


def load_poll(session: Session, staff: Staff, poll_id: int) -> Poll:
    poll = session.get(Poll, poll_id)
    grids = staff.visible_grid_ids()
    if poll is None:
        raise HTTPException(status_code=404, detail=NOT_FOUND)
    if grids is not None and poll.grid_ids and not set(grids) & {int(g) for g in poll.grid_ids}:
        raise HTTPException(status_code=404, detail=NOT_FOUND)
    return poll


def load_target(session: Session, staff: Staff, target_id: int) -> PollTarget:
    target = session.get(PollTarget, target_id)
    if target is None:
        raise HTTPException(status_code=404, detail="没有找到这一户")
    grids = staff.visible_grid_ids()
    if grids is not None and target.grid_id not in grids:
        raise HTTPException(status_code=403, detail="无权操作其他网格的事项")
    return target


def population_label(session: Session, poll: Poll) -> str:
    population = poll.population or {}
    kind = population.get("kind", "")
    text = KINDS.get(kind, kind)
    if kind == "care" and population.get("tags"):
        text = "、".join(population["tags"]) + "家庭"
    names = grid_names(session, [int(g) for g in poll.grid_ids or []])
    text += "｜" + ("、".join(names) if names else "全社区")
    building_ids = population.get("building_ids") or []
    if building_ids:
        numbers = session.scalars(select(Building.number).where(Building.id.in_(building_ids)))
        text += "｜" + "、".join(f"{n}号楼" for n in numbers)
    return text


def grid_names(session: Session, grid_ids: list[int]) -> list[str]:
    if not grid_ids:
        return []
    return list(session.scalars(select(Grid.name).where(Grid.id.in_(grid_ids)).order_by(Grid.id)))


def grid_choices(session: Session, staff: Staff) -> list[dict[str, Any]]:
    grids = staff.visible_grid_ids()
    query = select(Grid).order_by(Grid.id)
    if grids is not None:
        query = query.where(Grid.id.in_(list(grids)))
    return [{"id": g.id, "name": g.name} for g in session.scalars(query)]


def summary(session: Session, poll: Poll) -> dict[str, Any]:
    return {
        "id": poll.id,
        "title": poll.title,
        "status": poll.status,
        "status_label": POLL_STATUS.get(poll.status, poll.status),
        "population_label": population_label(session, poll),
        "cadence_days": poll.cadence_days,
        "next_round_label": local_time(poll.next_round_at) if poll.status == "active" else "",
        "rounds": len(rounds_of(session, poll.id)),
    }


def list_polls(session: Session, staff: Staff) -> list[dict[str, Any]]:
    return [summary(session, p) for p in visible_polls(session, staff.visible_grid_ids())]


def detail(session: Session, staff: Staff, poll: Poll, settings: Any, now: Any) -> dict[str, Any]:
    grids = staff.visible_grid_ids()
    scope = [int(g) for g in poll.grid_ids] or None
    if grids is not None:
        scope = [g for g in (scope or grids) if g in grids]
    found = members(
        session,
        poll.community_id,
        poll.population,
        scope,
        now=now,
        template_ok=template_ok(settings),
    )
    rounds = [
        {
            "number": r.number,
            "status": r.status,
            "started_label": local_time(r.started_at),
            "chat_due_label": local_time(r.chat_due_at),
            "progress": progress(session, r.id, grids),
            "channels": channel_split(session, r.id, grids),
        }
        for r in reversed(rounds_of(session, poll.id))
    ]
    return {
        **summary(session, poll),
        "intro": poll.intro,
        "questions": [q.to_json() for q in load(poll.questions)],
        "preview": channel_counts(found),
        "round_list": rounds,
    }


def phone_items(session: Session, staff: Staff) -> list[dict[str, Any]]:
    rows = phone_list(session, staff.visible_grid_ids())
    return [
        {
            "target_id": row.target.id,
            "poll_id": row.poll.id,
            "poll_title": row.poll.title,
            "round": row.round_number,
            "grid": row.grid,
            "address": row.address,
            "name": row.name,
            "phone": row.phone,
            "reason": row.target.phone_reason,
            "questions": [q.to_json() for q in load(row.poll.questions)],
        }
        for row in rows
    ]
