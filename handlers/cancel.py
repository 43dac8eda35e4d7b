"""取消 outside any flow: find what it is about, then confirm before doing anything lasting.

Inside a flow, 取消 means what that flow declares (see handlers/registry.py). Here the
resident's situation says what could be cancelled: a report, a meal order, the volunteer
team. Nothing is ever cancelled on a guess, and 取消 with nothing open says so.
"""

from __future__ import annotations

import re

from handlers import confirm
from handlers.base import Context, IntentHandler, Reply
from handlers.reports import texts as report_texts
from storage.requests.queries import by_code
from storage.requests.rules import STATUS_LABELS
from storage.requests.service import is_follower
from storage.situation import OrderBrief, TicketBrief
from storage.volunteers.tasks import when_label

TICKET = re.compile(r"M\d{8}-\d{3,}", re.IGNORECASE)
ORDER = re.compile(r"(?<![A-Za-z])[Dd]\s*(\d{1,9})")
ORDER_WORDS = ("订餐", "订饭", "送餐", "订单", "饭", "餐")
VOLUNTEER_WORDS = ("志愿",)
REPORT_WORDS = ("报", "反映", "问题", "投诉", "工单", "撤销", "维修", "修")
# Handled by their own features: handing back a task, withdrawing a job application.
HANDBACK = re.compile(r"退回|转交|不送了|送不了|不接了|去不了|来不了|交还")
APPLICATION = re.compile(r"报名|申请|岗位|[Jj]\s*\d")

LEAVE_HAS_TASKS = (
    "您还有未完成的任务 {codes}，现在还不能退出。请先送达，或回复“退回 T编号”交还后再退出。"
)
CANCEL_WORDS = re.compile(r"我要|我想|帮我|取消|撤销|撤回|不报了|算了|不要了|不用了|[，,。.!！]")
NOTHING = "现在没有可以取消的事情。需要帮助请回复“帮助”。"
NO_ORDER = "您现在没有可以取消的订餐。"
NO_REPORT = "您现在没有可以撤销的工单。"
NOT_VOLUNTEER = "您还不是志愿者，没有需要退出的。想加入请回复“我想当志愿者”。"


def order_label(ctx: Context, order: OrderBrief) -> str:
    return f"{order.code}（{when_label(order.meal_date, order.slot, ctx.now)}）"


def ticket_label(ticket: TicketBrief) -> str:
    return f"{ticket.code}（{ticket.category}）"


class CancelHandler(IntentHandler):
    name = "cancel"
    intents = frozenset({"cancel"})

    def matches(self, ctx: Context) -> bool:
        if not super().matches(ctx) or ctx.message.text is None:
            return False
        text = ctx.message.text
        if ctx.sit.active_tasks and HANDBACK.search(text):
            return False
        if APPLICATION.search(text):
            return False
        # 「算了不报了」 right after applying for a job is about the application.
        return not (ctx.sit.open_applications and not ctx.sit.own_open_tickets and "报" in text)

    def handle(self, ctx: Context) -> Reply:
        text = ctx.message.text or ""
        code = TICKET.search(text)
        if code:
            return self._ticket_by_code(ctx, code.group(0).upper())
        if ORDER.search(text) or any(w in text for w in ORDER_WORDS):
            return self._order(ctx, text)
        if any(w in text for w in VOLUNTEER_WORDS):
            return self._volunteer(ctx)
        if any(w in text for w in REPORT_WORDS):
            return self._report(ctx)
        return self._bare(ctx)

    def _ticket_by_code(self, ctx: Context, code: str) -> Reply:
        request = by_code(ctx.session, code)
        if request is None or not is_follower(ctx.session, request, ctx.resident.id):
            return Reply(report_texts.STATUS_NOT_FOUND.format(code=code))
        if request.resident_id != ctx.resident.id:
            return Reply(report_texts.CANCEL_NOT_YOURS.format(code=request.code))
        if not request.is_open:
            status = STATUS_LABELS.get(request.status, request.status)
            return Reply(report_texts.CANCEL_NOT_OPEN.format(code=request.code, status=status))
        label = f"{request.code}（{request.category}）"
        return confirm.ask(ctx, "withdraw_request", request.id, label, _reason(ctx))

    def _order(self, ctx: Context, text: str) -> Reply:
        orders = ctx.sit.open_orders
        found = ORDER.search(text)
        if found:
            wanted = f"D{found.group(1)}"
            orders = tuple(o for o in orders if o.code.upper() == wanted)
            if not orders:
                return Reply(f"没有找到您的订餐 {wanted}，没有取消任何订餐。")
        if not orders:
            return Reply(NO_ORDER)
        if len(orders) > 1:
            lines = "\n".join(order_label(ctx, o) for o in orders)
            return Reply(
                f"您有{len(orders)}份订餐：\n{lines}\n请回复“取消订餐 D编号”，如“取消订餐 {orders[0].code}”。"
            )
        return confirm.ask(ctx, "cancel_order", orders[0].id, order_label(ctx, orders[0]))

    def _volunteer(self, ctx: Context) -> Reply:
        from handlers.volunteers.common import volunteer

        profile = volunteer(ctx)
        if profile is None or profile.status == "left":
            return Reply(NOT_VOLUNTEER)
        if ctx.sit.active_tasks:
            codes = "、".join(t.code for t in ctx.sit.active_tasks)
            return Reply(LEAVE_HAS_TASKS.format(codes=codes))
        return confirm.ask(ctx, "leave_volunteers", profile.id)

    def _report(self, ctx: Context) -> Reply:
        own = ctx.sit.own_open_tickets
        if not own:
            return Reply(NO_REPORT)
        if len(own) > 1:
            lines = "\n".join(ticket_label(t) for t in own)
            return Reply(report_texts.CANCEL_WHICH.format(lines=lines, code=own[0].code))
        return confirm.ask(ctx, "withdraw_request", own[0].id, ticket_label(own[0]), _reason(ctx))

    def _bare(self, ctx: Context) -> Reply:
        tickets = ctx.sit.own_open_tickets
        orders = ctx.sit.open_orders
        if not tickets and not orders:
            return Reply(NOTHING)
        if len(tickets) + len(orders) == 1:
            if tickets:
                return confirm.ask(ctx, "withdraw_request", tickets[0].id, ticket_label(tickets[0]))
            return confirm.ask(ctx, "cancel_order", orders[0].id, order_label(ctx, orders[0]))
        lines = [f"工单 {ticket_label(t)}" for t in tickets]
        lines += [f"订餐 {order_label(ctx, o)}" for o in orders]
        return Reply(
            "您要取消哪一项？\n" + "\n".join(lines) + "\n请回复“撤销 工单编号”或“取消订餐 D编号”。"
        )


def _reason(ctx: Context) -> str:
    """What the resident said beyond the cancel itself (「已经自己修好了」), for the record."""
    rest = CANCEL_WORDS.sub(" ", TICKET.sub(" ", ctx.message.text or "")).strip()
    return f"居民撤销：{rest}" if len(rest) >= 2 else "居民确认撤销"
