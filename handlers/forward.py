"""Intents whose own service is not switched on in this deployment: a person takes them.

Problems and meal orders need to know where; that is asked first, and the request then
continues by itself once the address is bound.
"""

from __future__ import annotations

from handlers.address import ADDRESS_KEYS, FLOW
from handlers.base import Context, IntentHandler, Reply
from handlers.dialogue import DialogueState
from handlers.human import notify_staff, office_hours, open_handover

NEEDS_ADDRESS = frozenset({"report_problem", "meal_request"})
KIND_LABELS = {
    "report_problem": "居民反映问题",
    "meal_request": "订餐送餐",
    "volunteer_signup": "志愿者报名",
    "job_seek": "求职登记",
    "job_apply": "岗位报名",
    "task_accept": "志愿任务",
    "task_done": "志愿任务",
    "status_query": "进度查询",
    "rate": "居民评价",
}
ASK_ADDRESS_FIRST = "好的。为了让负责您楼栋的网格员来处理，请先告诉我您的住址，如：3号楼2单元501。"
FORWARDED = "已收到：“{text}”。\n已转给{who}（{address}），工作时间（{hours}）内会联系您。回复“转人工”可直接找人。"


class ForwardToStaffHandler(IntentHandler):
    name = "forward_to_staff"

    def __init__(self, intents: frozenset[str]) -> None:
        self.intents = intents

    def handle(self, ctx: Context) -> Reply:
        intent = ctx.understood.intent
        if (
            intent in NEEDS_ADDRESS
            and ctx.resident.household is None
            and not all(k in ctx.understood.entities for k in ADDRESS_KEYS)
        ):
            ctx.next_dialogue = DialogueState(
                flow=FLOW,
                step="awaiting_address",
                data={"tries": 0, "resume": {"intent": intent, "text": ctx.message.text or ""}},
            )
            return Reply(ASK_ADDRESS_FIRST)
        kind = KIND_LABELS.get(intent, "居民留言")
        handover = open_handover(ctx, note=f"{kind}：{ctx.message.text or ''}")
        notify_staff(ctx, handover, kind=kind)
        household = ctx.resident.household
        return Reply(
            FORWARDED.format(
                text=_short(ctx.message.text or ""),
                who="网格员" if handover.grid_id else "社区工作人员",
                address=household.address if household else "住址未登记",
                hours=office_hours(ctx),
            )
        )


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
