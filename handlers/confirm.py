"""Confirm first: a lasting action the resident may not have meant is asked back once.

Withdrawing a report, cancelling a meal order and leaving the volunteer team are never
done on a single loose word: the bot says exactly what it is about to do and waits for
1 (yes) or 2 (no). Anything else leaves the question unanswered and nothing happens.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from handlers.base import Context, Reply
from handlers.flows import in_flow, start
from handlers.pairs import newcomer
from handlers.pairs import texts as pair_texts
from storage.models import MealOrder, ServiceRequest, VolunteerProfile
from storage.requests.rules import CANCELLED, STATUS_LABELS
from storage.requests.service import TransitionError, transition
from storage.volunteers.orders import cancel_order
from storage.volunteers.profiles import set_status
from storage.volunteers.tasks import active_tasks, when_label

FLOW = "confirm"
YES = frozenset({"1", "确认", "确定", "是", "是的", "对", "对的", "好", "好的", "嗯", "行", "可以"})
NO = frozenset(
    {
        "2",
        "不",
        "不是",
        "不要",
        "不用",
        "不用了",
        "算了",
        "保留",
        "别",
        "不撤销",
        "不取消",
        "不退出",
    }
)


@dataclass(frozen=True)
class Action:
    ask: str  # the question, with {label}
    keep: str  # the answer to "no"
    run: Callable[[Context, int, str], str]  # does it (target, note); the truthful reply
    # Records a "no" where the answer itself matters (target).
    on_no: Callable[[Context, int], None] | None = None
    # Further words meaning yes to this question (需要 to "需要吗？").
    yes: frozenset[str] = frozenset()


def _actor(ctx: Context) -> str:
    return f"resident:{ctx.resident.openid}"


def _withdraw(ctx: Context, request_id: int, note: str) -> str:
    request = ctx.session.get(ServiceRequest, request_id)
    if request is None or request.resident_id != ctx.resident.id:
        return "没有找到这个工单，没有撤销任何问题。"
    try:
        transition(
            ctx.session,
            request,
            CANCELLED,
            actor=_actor(ctx),
            now=ctx.now,
            note=note or "居民确认撤销",
            notify_skip_resident=ctx.resident.id,
        )
    except TransitionError:
        status = STATUS_LABELS.get(request.status, request.status)
        return f"工单 {request.code} 现在是“{status}”，没有撤销。"
    return f"已撤销工单 {request.code}（{request.category}）。如需重新反映，直接告诉我就行。"


def _cancel_order(ctx: Context, order_id: int, note: str) -> str:
    order = ctx.session.get(MealOrder, order_id)
    if order is None or order.resident_id != ctx.resident.id:
        return "没有找到这份订单，没有取消任何订餐。"
    when = when_label(order.meal_date, order.slot, ctx.now)
    why = cancel_order(ctx.session, order, _actor(ctx), ctx.now)
    if why is not None:
        return f"订餐 {order.code}（{when}）没有取消：{why}"
    return f"已取消订餐 {order.code}（{when}）。"


def _leave(ctx: Context, profile_id: int, note: str) -> str:
    profile = ctx.session.get(VolunteerProfile, profile_id)
    if profile is None or profile.resident_id != ctx.resident.id or profile.status == "left":
        return "您现在不在志愿者队伍里，没有需要退出的。"
    pending = active_tasks(ctx.session, profile.id)
    if pending:
        codes = "、".join(t.code for t in pending)
        return f"您还有未完成的任务 {codes}，没有退出。请先送达，或回复“退回 T编号”交还后再退出。"
    set_status(ctx.session, profile, "left", _actor(ctx), "志愿者确认退出")
    return (
        "已退出志愿者队伍，感谢您一直以来的付出！服务时长记录会保留。想回来随时回复“我想当志愿者”。"
    )


ACTIONS: dict[str, Action] = {
    "withdraw_request": Action(
        ask="确定要撤销工单 {label}吗？回复1确认撤销，回复2不撤销。",
        keep="好的，工单 {label}保留，继续为您办理。",
        run=_withdraw,
    ),
    "cancel_order": Action(
        ask="确定要取消订餐 {label}吗？回复1确认取消，回复2保留订单。",
        keep="好的，订餐 {label}保留，会按时送到。",
        run=_cancel_order,
    ),
    newcomer.ACTION: Action(
        ask=pair_texts.OFFER_ASK,
        keep=pair_texts.OFFER_KEEP,
        run=newcomer.accept,
        on_no=newcomer.decline,
        yes=frozenset({"需要", "要", "好啊", "好呀", "要的", "需要的", "可以啊"}),
    ),
    "leave_volunteers": Action(
        ask="确定要退出志愿者队伍吗？回复1确认退出，回复2继续当志愿者。",
        keep="好的，您继续当志愿者，谢谢您！",
        run=_leave,
    ),
}


def ask(ctx: Context, action: str, target_id: int, label: str = "", note: str = "") -> Reply:
    """Ask before doing `action` on `target_id`; the answer comes back to `take`."""
    start(ctx, FLOW, "asked", action=action, target=target_id, label=label, note=note)
    return Reply(ACTIONS[action].ask.format(label=label))


def _answer(text: str, yes: frozenset[str] = frozenset()) -> str | None:
    cleaned = text.strip().strip("。！!，,.~～ ")
    if cleaned in YES or cleaned in yes or cleaned.startswith("确认"):
        return "yes"
    if cleaned in NO or cleaned.startswith(("不", "别", "保留")):
        return "no"
    return None


def take(ctx: Context) -> Reply | None:
    if not in_flow(ctx, FLOW) or ctx.dialogue is None:
        return None
    data = ctx.dialogue.data
    action = ACTIONS.get(str(data.get("action")))
    if action is None:
        ctx.next_dialogue = None
        return None
    answer = _answer(ctx.message.text or "", action.yes)
    if answer is None:
        return None  # not an answer: nothing is done, and the message goes on as new
    ctx.next_dialogue = None
    label = str(data.get("label") or "")
    if answer == "no":
        if action.on_no is not None:
            action.on_no(ctx, int(data.get("target") or 0))
        return Reply(action.keep.format(label=label))
    return Reply(action.run(ctx, int(data.get("target") or 0), str(data.get("note") or "")))


def on_cancel(ctx: Context) -> Reply:
    """取消 in answer to "确定要取消…吗" could mean either: ask for the number instead."""
    assert ctx.dialogue is not None
    if _answer(ctx.message.text or "") == "no":  # 算了 / 不用了: keep it
        answered = take(ctx)
        if answered is not None:
            return answered
    ctx.next_dialogue = ctx.dialogue
    return Reply("请回复数字：1 确认，2 不要。没有回复的话，什么都不会改变。")
