"""Telling people about a request: the reporter and same-problem followers by WeChat
(DESIGN §3 channel rules), staff by their WeCom work groups. Deliveries are planned in
the caller's transaction and sent by workers; every one is recorded for staff to see."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Delivery, RequestSubscriber, Resident, ServiceRequest
from storage.outbound.deliveries import plan_delivery
from storage.outbound.notify import Template, notify
from storage.outbound.queues import grid_queue_name
from storage.requests.rules import STATUS_LABELS
from storage.residents.queries import group_channel

# The template message used for request updates (the account's "工单进度通知" template).
TEMPLATE_ID = "shequ_request_update"


def followers(session: Session, request: ServiceRequest) -> list[Resident]:
    """The reporter first, then residents who reported the same problem."""
    people: list[Resident] = []
    if request.resident_id is not None:
        reporter = session.get(Resident, request.resident_id)
        if reporter is not None:
            people.append(reporter)
    query = (
        select(Resident)
        .join(RequestSubscriber, RequestSubscriber.resident_id == Resident.id)
        .where(RequestSubscriber.request_id == request.id)
        .order_by(RequestSubscriber.id)
    )
    people.extend(r for r in session.scalars(query) if r.id != request.resident_id)
    return people


def notify_resident(
    session: Session,
    request: ServiceRequest,
    resident: Resident,
    text: str,
    key: str,
    now: datetime,
    purpose: str = "request_update",
) -> Delivery | None:
    template = Template(
        TEMPLATE_ID,
        {
            "first": text,
            "keyword1": request.code,
            "keyword2": STATUS_LABELS.get(request.status, request.status),
            "remark": "回复“查询 " + request.code + "”可查看进度。",
        },
    )
    return notify(
        session,
        resident,
        text,
        purpose=purpose,
        key=f"request:{request.id}:{key}:{resident.openid}",
        queue=grid_queue_name(request.grid_id),
        now=now,
        template=template,
    )


def notify_followers(
    session: Session,
    request: ServiceRequest,
    text: str,
    key: str,
    now: datetime,
    *,
    skip_resident_id: int | None = None,
    purpose: str = "request_update",
) -> list[Delivery]:
    planned = (
        notify_resident(session, request, resident, text, key, now, purpose)
        for resident in followers(session, request)
        if resident.id != skip_resident_id and resident.subscribed
    )
    return [delivery for delivery in planned if delivery is not None]


def notify_group(
    session: Session, request: ServiceRequest, scope: str, scope_id: int, text: str, key: str
) -> Delivery | None:
    """Post to a grid's or the community's WeCom work group (if it has a robot)."""
    channel = group_channel(session, scope, scope_id, "wecom_robot")
    if channel is None:
        return None
    return plan_delivery(
        session,
        channel="wecom_robot",
        recipient=channel.target,
        purpose="request_staff",
        payload={"text": text},
        idempotency_key=f"request:{request.id}:{key}:robot:{channel.target}",
        queue=grid_queue_name(request.grid_id),
    )


def notify_grid_staff(session: Session, request: ServiceRequest, text: str, key: str) -> None:
    """The request's grid group, or the community's when the grid is unknown."""
    if request.grid_id is not None:
        notify_group(session, request, "grid", request.grid_id, text, key)
    else:
        notify_group(session, request, "community", request.community_id, text, key)
