"""human: record the hand-over to a person and tell the grid's staff group."""

from __future__ import annotations

from sqlalchemy.orm import Session

from handlers import texts
from handlers.base import Context, IntentHandler, Reply
from handlers.flows import start
from handlers.handover import FLOW as HANDOVER_FLOW
from storage.events import record_event
from storage.models import Handover, Resident
from storage.outbound.deliveries import plan_delivery
from storage.outbound.queues import grid_queue_name
from storage.residents.queries import community_for_account, grid_workers, group_channel


def open_handover(ctx: Context, note: str | None = None) -> Handover:
    household = ctx.resident.household
    grid_id = household.unit.building.grid_id if household else None
    text = ctx.message.text or ""
    handover = Handover(
        resident_id=ctx.resident.id,
        grid_id=grid_id,
        inbound_message_id=ctx.inbound_id,
        text=text,
        status="open",
    )
    ctx.session.add(handover)
    ctx.session.flush()
    record_event(
        ctx.session,
        "handover",
        handover.id,
        actor=f"resident:{ctx.resident.openid}",
        to_state="open",
        note=note or text or None,
    )
    return handover


def notify_staff(ctx: Context, handover: Handover, kind: str = "转人工") -> None:
    """Post to the grid's WeCom work group (the community's when the grid is unknown)."""
    household = ctx.resident.household
    address = household.address if household else "未登记住址的"
    notice = texts.HUMAN_STAFF_NOTICE.format(
        kind=kind, address=address, text=handover.text or "（无）", handover_id=handover.id
    )
    community = community_for_account(ctx.session, ctx.message.account)
    if handover.grid_id:
        scope, scope_id = "grid", handover.grid_id
    else:
        scope, scope_id = "community", community.id if community else 0
    channel = group_channel(ctx.session, scope, scope_id, "wecom_robot")
    if channel is None:
        return
    plan_delivery(
        ctx.session,
        channel="wecom_robot",
        recipient=channel.target,
        purpose="handover",
        payload={"text": notice},
        idempotency_key=f"handover:{handover.id}:robot:{channel.target}",
        queue=grid_queue_name(handover.grid_id),
    )


def office_hours(ctx: Context) -> str:
    community = community_for_account(ctx.session, ctx.message.account)
    return community.office_hours if community else "工作日 8:30-17:30"


class HumanHandler(IntentHandler):
    name = "human"
    intents = frozenset({"human"})

    def handle(self, ctx: Context) -> Reply:
        handover = open_handover(ctx)
        notify_staff(ctx, handover)
        # Until staff close it, what the resident says next goes to this hand-over.
        start(ctx, HANDOVER_FLOW, "open", handover_id=handover.id)
        hours = office_hours(ctx)
        if handover.grid_id is None:
            return Reply(texts.HUMAN_NO_ADDRESS.format(hours=hours))
        workers = grid_workers(ctx.session, handover.grid_id)
        who = "网格员" + "、".join(w.display_name for w in workers) if workers else "网格员"
        return Reply(texts.HUMAN_QUEUED.format(who=who, hours=hours))


def hand_over_failed_message(
    session: Session, resident: Resident, inbound_id: int, text: str
) -> Handover:
    """A message the service failed to handle goes to a person, so nothing is lost."""
    household = resident.household
    handover = Handover(
        resident_id=resident.id,
        grid_id=household.unit.building.grid_id if household else None,
        inbound_message_id=inbound_id,
        text=text[:2000],
        status="open",
    )
    session.add(handover)
    session.flush()
    record_event(
        session,
        "handover",
        handover.id,
        actor="system:处理出错",
        to_state="open",
        note="系统处理这条消息时出错，请人工跟进",
    )
    return handover
