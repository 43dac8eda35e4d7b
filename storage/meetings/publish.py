"""Publishing a council meeting's results: each affected building's group (WeCom robot),
each linked request's reporter and followers — one message per resident, however many of
their problems the meeting decided, saying the decision and that it was dispatched
(customer service within 48 h, else template) — and the linked requests move to 办
(已派单) with the decided owner and deadline. Topics staff wrote in go to every building
group in the meeting's scope. The caller commits and writes the audit row."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.events import record_event
from storage.meetings.items import Votes
from storage.meetings.service import ENTITY, MeetingError, item_owner, item_requests, items_of
from storage.models import Building, CouncilItem, CouncilMeeting, Resident, ServiceRequest
from storage.outbound.deliveries import plan_delivery
from storage.outbound.notify import Template, notify
from storage.outbound.queues import grid_queue_name
from storage.requests.notify import TEMPLATE_ID, followers
from storage.requests.rules import DISPATCHED, TRANSITIONS, local_label
from storage.requests.service import TransitionError, record_action, transition
from storage.residents.queries import group_channel
from storage.writes import update_if

ROBOT_LIMIT = 2048  # bytes of a WeCom robot text message
ONE_TEXT = (
    "您反映的问题（{code}）已经居民议事会讨论，决定：{action}。{votes}"
    "负责人：{owner}，期限：{due}。{next}"
)
MANY_HEAD = "您反映的{count}个问题已经居民议事会（{title}）讨论："
MANY_LINE = "{n}. {code}：决定{action}。{votes}负责人：{owner}，期限：{due}。"
DISPATCHED_NEXT = "已按决定派单办理，办结后会再告诉您。"
RECORDED_NEXT = "决定已记入您的问题。"


@dataclass
class Decided:
    """One of a resident's problems the meeting decided."""

    request: ServiceRequest
    item: CouncilItem
    owner: str
    dispatched: bool


@dataclass
class Listener:
    resident: Resident
    decided: list[Decided] = field(default_factory=list)


def _truncate(text: str, limit: int = ROBOT_LIMIT) -> str:
    data = text.encode()
    if len(data) <= limit:
        return text
    return data[: limit - 12].decode(errors="ignore") + "…（详见公告）"


def _votes(item: CouncilItem) -> str:
    votes = Votes.of(item)
    return f"表决：{votes.label}。" if votes else ""


def _item_lines(session: Session, n: int, item: CouncilItem) -> str:
    assert item.due_at is not None
    head = f"{n}. {item.title}"
    if item.kind == "topic" and item.description:
        head += f"（{item.description[:80]}）"
    lines = [head, f"决定：{item.action}"]
    if votes := _votes(item):
        lines.append(votes.rstrip("。"))
    lines.append(f"负责人：{item_owner(session, item)}，期限：{local_label(item.due_at)}")
    return "\n".join(lines)


def _building_text(session: Session, meeting: CouncilMeeting, items: list[CouncilItem]) -> str:
    lines = [
        f"【居民议事会结果】{meeting.title}",
        f"时间：{local_label(meeting.held_at)}　参会：{meeting.attendee_count}人",
    ]
    lines += [_item_lines(session, n, item) for n, item in enumerate(items, 1)]
    lines.append("如有意见，请在公众号留言或联系网格员。")
    return _truncate("\n".join(lines))


def resident_text(meeting: CouncilMeeting, decided: list[Decided]) -> str:
    """One message for all of a resident's problems the meeting decided."""
    then = DISPATCHED_NEXT if any(d.dispatched for d in decided) else RECORDED_NEXT
    if len(decided) == 1:
        d = decided[0]
        assert d.item.due_at is not None
        return ONE_TEXT.format(
            code=d.request.code,
            action=d.item.action,
            votes=_votes(d.item),
            owner=d.owner,
            due=local_label(d.item.due_at),
            next=then,
        )
    lines = [MANY_HEAD.format(count=len(decided), title=meeting.title)]
    for n, d in enumerate(decided, 1):
        assert d.item.due_at is not None
        lines.append(
            MANY_LINE.format(
                n=n,
                code=d.request.code,
                action=d.item.action,
                votes=_votes(d.item),
                owner=d.owner,
                due=local_label(d.item.due_at),
            )
        )
    lines.append(then)
    return "\n".join(lines)


def _tell_residents(
    session: Session, meeting: CouncilMeeting, listeners: dict[int, Listener], now: datetime
) -> int:
    planned = 0
    for listener in listeners.values():
        resident, decided = listener.resident, listener.decided
        text = resident_text(meeting, decided)
        codes = "、".join(d.request.code for d in decided)
        template = Template(
            TEMPLATE_ID,
            {
                "first": f"居民议事会已讨论您反映的问题：{decided[0].item.action}"[:200],
                "keyword1": codes,
                "keyword2": "已派单" if any(d.dispatched for d in decided) else "已议定",
                "remark": f"回复“查询 {decided[0].request.code}”可查看进度。",
            },
        )
        delivery = notify(
            session,
            resident,
            text,
            purpose="council_result",
            key=f"meeting:{meeting.id}:resident:{resident.openid}",
            queue=grid_queue_name(decided[0].request.grid_id),
            now=now,
            template=template,
        )
        planned += delivery is not None
    return planned


def _scope_buildings(session: Session, meeting: CouncilMeeting) -> list[Building]:
    query = select(Building).order_by(Building.id)
    if meeting.scope == "grid":
        query = query.where(Building.grid_id == meeting.scope_id)
    elif meeting.scope == "compound":
        query = query.where(Building.compound_id == meeting.scope_id)
    else:
        query = query.where(Building.community_id == meeting.scope_id)
    return list(session.scalars(query))


def _post_to_groups(session: Session, meeting: CouncilMeeting, items: list[CouncilItem]) -> int:
    """Each building's items (and every topic) to that building's group."""
    topics = [i for i in items if i.kind == "topic"]
    buildings = {i.building_id for i in items if i.building_id is not None}
    if topics:
        buildings |= {b.id for b in _scope_buildings(session, meeting)}
    posted = 0
    for building_id in sorted(buildings):
        building = session.get(Building, building_id)
        channel = group_channel(session, "building", building_id, "wecom_robot")
        if building is None or channel is None:
            continue
        own = [i for i in items if i.building_id == building_id or i.kind == "topic"]
        plan_delivery(
            session,
            channel="wecom_robot",
            recipient=channel.target,
            purpose="council_result",
            payload={"text": _building_text(session, meeting, own)},
            idempotency_key=f"meeting:{meeting.id}:building:{building_id}",
            queue=grid_queue_name(building.grid_id),
        )
        posted += 1
    return posted


def _move_request(
    session: Session, request: ServiceRequest, item: CouncilItem, actor: str, now: datetime
) -> bool:
    """Record the decision on the request and dispatch it as decided (residents are told
    by the one message of the meeting). True when it was dispatched."""
    assert item.action is not None
    request.council_status = "decided"
    request.council_decision = item.action
    request.council_decided_at = now
    request.updated_at = now
    record_action(session, request, "decided", actor=actor, note=item.action)
    if DISPATCHED not in TRANSITIONS.get(request.status, frozenset()):
        return False
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
            tell_residents=False,
        )
    except TransitionError:
        return False  # changed meanwhile; the decision is still recorded on it
    return True


def publish(
    session: Session, meeting: CouncilMeeting, *, actor: str, now: datetime
) -> dict[str, int]:
    """Publish the decisions: building groups, residents, and the requests move to 办."""
    if meeting.status == "published":
        raise MeetingError("议事会结果已经公布过了")
    if meeting.attendee_count < 1:
        raise MeetingError("请先登记参会情况", 400)
    items = items_of(session, meeting.id)
    if not items or any(i.status != "decided" for i in items):
        raise MeetingError("还有议题没有作出决定", 400)
    if not update_if(
        session,
        CouncilMeeting,
        CouncilMeeting.id == meeting.id,
        CouncilMeeting.status == meeting.status,
        status="published",
        published_at=now,
        updated_at=now,
    ):
        raise MeetingError("议事会刚被其他人修改过，请刷新后再试")
    previous = meeting.status
    session.refresh(meeting)
    counts = {"requests": 0, "dispatched": 0, "groups": 0, "residents": 0}
    listeners: dict[int, Listener] = {}
    for item in items:
        assert item.due_at is not None and item.action is not None
        owner = item_owner(session, item)
        for request in item_requests(session, item.id):
            counts["requests"] += 1
            dispatched = _move_request(session, request, item, actor, now)
            counts["dispatched"] += dispatched
            for resident in followers(session, request):
                if resident.subscribed:
                    listener = listeners.setdefault(resident.id, Listener(resident))
                    listener.decided.append(Decided(request, item, owner, dispatched))
    counts["residents"] = _tell_residents(session, meeting, listeners, now)
    counts["groups"] = _post_to_groups(session, meeting, items)
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
