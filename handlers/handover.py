"""转人工 and what follows it: while a hand-over is open, the resident's messages go to it.

The reply to 转人工 promises 「您可以先把要说的事直接发过来，我们会一并转给他们」; this flow
keeps that promise: each message is recorded on the hand-over (the staff member reads it on
the hand-over's page) instead of being answered by the bot. An emergency still goes first
(the router offers it to the emergency handler before any flow).
"""

from __future__ import annotations

from handlers.address import RegisterAddressHandler, has_address
from handlers.base import Context, Reply
from handlers.flows import in_flow
from storage.events import record_event
from storage.models import Handover

FLOW = "handover"
ATTACHED = "已把您补充的话转给工作人员，请稍候，他们会尽快联系您。回复“取消”可撤回转人工。"
ATTACHED_MEDIA = "已把您发的{kind}转给工作人员，请稍候。"
WITHDRAWN = "好的，已撤回转人工请求。有需要随时再找我。"
ALREADY_CLOSED = "工作人员已处理完您的转人工请求。"
# After the flow's timeout the hand-over itself may still be open with staff: nothing of
# it is undone, only the resident's next messages are answered by the bot again.
TIMED_OUT = "（转人工已超过12小时，之后的消息先由我回答；还需要工作人员请再回复“转人工”。）"
ROUTED = "已把您的转人工请求转给负责您住址的网格员，请稍候。"
MEDIA_KINDS = {"image": "图片", "voice": "语音", "video": "视频", "shortvideo": "视频"}


def _handover(ctx: Context) -> Handover | None:
    if ctx.dialogue is None:
        return None
    handover = ctx.session.get(Handover, int(ctx.dialogue.data.get("handover_id") or 0))
    if handover is None or handover.resident_id != ctx.resident.id:
        return None
    return handover if handover.status in ("open", "claimed") else None


def take(ctx: Context) -> Reply | None:
    if not in_flow(ctx, FLOW):
        return None
    handover = _handover(ctx)
    if handover is None:
        return None  # closed by staff meanwhile: the message is handled as new
    msg = ctx.message
    if msg.msg_type == "event":
        return None
    text = msg.text
    if handover.grid_id is None and text and has_address(ctx):
        return _bind_address(ctx, handover, text)
    note = text if text else f"[{MEDIA_KINDS.get(msg.msg_type, msg.msg_type)}] {msg.media_id or ''}"
    record_event(
        ctx.session,
        "handover",
        handover.id,
        actor=f"resident:{ctx.resident.openid}",
        to_state="message",
        note=note.strip()[:1000],
    )
    ctx.next_dialogue = ctx.dialogue  # stays open for further messages
    if text:
        return Reply(ATTACHED)
    return Reply(ATTACHED_MEDIA.format(kind=MEDIA_KINDS.get(msg.msg_type, "消息")))


def _bind_address(ctx: Context, handover: Handover, text: str) -> Reply:
    """The address asked for when 转人工 came from an unbound resident: bind it, and route
    the hand-over to that grid's worker (it stays open for what the resident says next)."""
    from handlers.human import notify_staff  # human starts this flow: imported late

    dialogue = ctx.dialogue
    bound = RegisterAddressHandler().handle(ctx)
    ctx.next_dialogue = dialogue  # the hand-over stays open, whatever the address said
    household = ctx.resident.household
    if household is None:  # not found or incomplete: the reply says what to send again
        return bound
    handover.grid_id = household.unit.building.grid_id
    record_event(
        ctx.session,
        "handover",
        handover.id,
        actor=f"resident:{ctx.resident.openid}",
        to_state="message",
        note=text.strip()[:1000],
    )
    notify_staff(ctx, handover)
    return Reply(f"{bound.text}\n{ROUTED}")


def cancel(ctx: Context) -> Reply:
    """The resident withdraws the hand-over they asked for (it is theirs to withdraw)."""
    handover = _handover(ctx)
    ctx.next_dialogue = None
    if handover is None:
        return Reply(ALREADY_CLOSED)
    previous = handover.status
    handover.status = "closed"
    record_event(
        ctx.session,
        "handover",
        handover.id,
        actor=f"resident:{ctx.resident.openid}",
        from_state=previous,
        to_state="closed",
        note="居民撤回转人工",
    )
    return Reply(WITHDRAWN)
