"""Publishing a council meeting's results: each affected building's group (WeCom robot),
each linked request's reporter and followers (customer-service within 48 h, else
template), and the linked requests move to 办 (已派单) with the decided owner and deadline.
The caller commits and writes the audit row."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from storage.events import record_event
from storage.meetings.service import ENTITY, MeetingError, item_owner, item_requests, items_of
from storage.models import CouncilItem, CouncilMeeting
from storage.outbound.deliveries import plan_delivery
from storage.outbound.queues import grid_queue_name
from storage.requests.notify import notify_followers
from storage.requests.rules import DISPATCHED, TRANSITIONS, local_label
from storage.requests.service import TransitionError, record_action, transition
from storage.residents.queries import group_channel

ROBOT_LIMIT = 2048  # bytes of a WeCom robot text message
REPORTER_TEXT = (
    "您反映的问题（{code}）已经居民议事会讨论，决定：{action}。负责人：{owner}，期限：{due}。"
)
# -- Publishing ----------------------------------------------------------------------------


def _truncate(text: str, limit: int = ROBOT_LIMIT) -> str:
    data = text.encode()
    if len(data) <= limit:
        return text
    return data[: limit - 12].decode(errors="ignore") + "…（详见公告）"


def _building_text(session: Session, meeting: CouncilMeeting, items: list[CouncilItem]) -> str:
    lines = [
        f"【居民议事会结果】{meeting.title}",
        f"时间：{local_label(meeting.held_at)}　参会：{meeting.attendee_count}人",
    ]
    for n, item in enumerate(items, 1):
        assert item.due_at is not None
        lines.append(
            f"{n}. {item.title}\n决定：{item.action}\n"
            f"负责人：{item_owner(session, item)}，期限：{local_label(item.due_at)}"
        )
    lines.append("如有意见，请在公众号留言或联系网格员。")
    return _truncate("\n".join(lines))


def publish(
    session: Session, meeting: CouncilMeeting, *, actor: str, now: datetime
) -> dict[str, int]:
    """Publish the decisions: building groups, reporters, and the requests move to 办."""
    if meeting.status == "published":
        raise MeetingError("议事会结果已经公布过了")
    if meeting.attendee_count < 1:
        raise MeetingError("请先登记参会情况", 400)
    items = items_of(session, meeting.id)
    if not items or any(i.status != "decided" for i in items):
        raise MeetingError("还有议题没有作出决定", 400)
    done = session.execute(
        update(CouncilMeeting)
        .where(CouncilMeeting.id == meeting.id, CouncilMeeting.status == meeting.status)
        .values(status="published", published_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if not done.rowcount:  # type: ignore[attr-defined]
        raise MeetingError("议事会刚被其他人修改过，请刷新后再试")
    previous = meeting.status
    session.refresh(meeting)
    counts = {"requests": 0, "dispatched": 0, "groups": 0, "residents": 0}
    by_building: dict[int, list[CouncilItem]] = {}
    grid_of_building: dict[int, int | None] = {}
    for item in items:
        assert item.due_at is not None and item.action is not None
        owner = item_owner(session, item)
        for request in item_requests(session, item.id):
            counts["requests"] += 1
            request.council_status = "decided"
            request.council_decision = item.action
            request.council_decided_at = now
            request.updated_at = now
            record_action(session, request, "decided", actor=actor, note=item.action)
            text = REPORTER_TEXT.format(
                code=request.code, action=item.action, owner=owner, due=local_label(item.due_at)
            )
            counts["residents"] += len(
                notify_followers(
                    session, request, text, f"council:{meeting.id}", now, purpose="council_result"
                )
            )
            if DISPATCHED in TRANSITIONS.get(request.status, frozenset()):
                try:
                    transition(
                        session,
                        request,
                        DISPATCHED,
                        actor=actor,
                        now=now,
                        note=f"居民议事会决定：{item.action}",
                        owner_staff_id=item.owner_staff_id,
                        owner_name=item.owner_name,
                        due_at=item.due_at,
                    )
                    counts["dispatched"] += 1
                except TransitionError:
                    pass  # changed meanwhile; the decision is still recorded on it
            if item.building_id is not None:
                grid_of_building[item.building_id] = request.grid_id
        if item.building_id is not None:
            by_building.setdefault(item.building_id, []).append(item)
    for building_id, building_items in by_building.items():
        channel = group_channel(session, "building", building_id, "wecom_robot")
        if channel is None:
            continue
        plan_delivery(
            session,
            channel="wecom_robot",
            recipient=channel.target,
            purpose="council_result",
            payload={"text": _building_text(session, meeting, building_items)},
            idempotency_key=f"meeting:{meeting.id}:building:{building_id}",
            queue=grid_queue_name(grid_of_building.get(building_id)),
        )
        counts["groups"] += 1
    record_event(
        session,
        ENTITY,
        meeting.id,
        actor=actor,
        from_state=previous,
        to_state="published",
        note=f"公布至{counts['groups']}个楼栋群、{counts['residents']}位居民；"
        f"{counts['dispatched']}件问题已派单",
    )
    return counts
