"""human: record the hand-over to a person and tell the grid's staff group."""

from __future__ import annotations

from handlers import texts
from handlers.base import Context, IntentHandler, Reply
from storage.deliveries import plan_delivery
from storage.events import record_event
from storage.models import Handover
from storage.queues import grid_queue_name
from storage.residents import community_for_account, grid_workers, group_channel


class HumanHandler(IntentHandler):
    name = "human"
    intents = frozenset({"human"})

    def handle(self, ctx: Context) -> Reply:
        household = ctx.resident.household
        grid_id = household.unit.building.grid_id if household else None
        text = ctx.message.text or ""
        handover = Handover(
            resident_id=ctx.resident.id, grid_id=grid_id, inbound_message_id=ctx.inbound_id, text=text
        )
        ctx.session.add(handover)
        ctx.session.flush()
        record_event(
            ctx.session, "handover", handover.id, actor=f"resident:{ctx.resident.openid}",
            to_state="open", note=text or None,
        )
        community = community_for_account(ctx.session, ctx.message.account)
        hours = community.office_hours if community else "工作日 8:30-17:30"
        ctx.next_dialogue = None
        address = household.address if household else "未登记住址的"
        notice = texts.HUMAN_STAFF_NOTICE.format(
            address=address, text=text or "（无）", handover_id=handover.id
        )
        # Staff learn of it in their grid's WeCom group, or the community's when unknown.
        scope, scope_id = ("grid", grid_id) if grid_id else ("community", community.id if community else 0)
        channel = group_channel(ctx.session, scope, scope_id, "wecom_robot")
        if channel is not None:
            plan_delivery(
                ctx.session,
                channel="wecom_robot",
                recipient=channel.target,
                purpose="handover",
                payload={"text": notice},
                idempotency_key=f"handover:{handover.id}:robot:{channel.target}",
                queue=grid_queue_name(grid_id),
            )
        if grid_id is None:
            return Reply(texts.HUMAN_NO_ADDRESS.format(hours=hours))
        workers = grid_workers(ctx.session, grid_id)
        who = "网格员" + "、".join(w.display_name for w in workers) if workers else "网格员"
        return Reply(texts.HUMAN_QUEUED.format(who=who, hours=hours))
