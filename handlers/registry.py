"""Every multi-step conversation of the service, declared in one place.

Each entry names the flow's steps and what they wait for, its timeout, and what 取消
means in it. A flow's `take` reads the answers to its own question; anything else it
returns None for, and intent routing handles the message as a new request.
"""

from __future__ import annotations

from datetime import timedelta

from handlers import confirm, handover
from handlers.address import FLOW as ADDRESS_FLOW
from handlers.address import RegisterAddressHandler
from handlers.base import Context, Reply
from handlers.employment.seek import FLOW as JOB_FLOW
from handlers.employment.seek import JobSeekHandler
from handlers.fallback import FLOW as NOT_UNDERSTOOD_FLOW
from handlers.fallback import take as fallback_take
from handlers.flows import Flow, FlowRegistry, take_with
from handlers.polls import answer as poll_answer
from handlers.reports.emergency import DETAILS_FLOW, take_details
from handlers.reports.rating import (
    FOLLOWUP_FLOW,
    RATE_FLOW,
    REASON_FLOW,
    FollowupHandler,
    RatingHandler,
    ReasonHandler,
)
from handlers.reports.report import (
    DUP_FLOW,
    STATUS_OR_NEW_FLOW,
    take_duplicate_answer,
    take_status_or_new,
)
from handlers.volunteers.common import MEAL_FLOW, SIGNUP_FLOW
from handlers.volunteers.meals import MealOrderHandler
from handlers.volunteers.signup import VolunteerSignupHandler
from handlers.volunteers.tasks import (
    OFFER_FLOW,
    RECEIPT_FLOW,
    ReceiptHandler,
    TaskAcceptHandler,
)

KINDS = {
    "report_problem": "报修",
    "meal_request": "订餐",
    "volunteer_signup": "志愿者登记",
}


def _address_cancel(ctx: Context) -> Reply:
    ctx.next_dialogue = None
    resume = ctx.dialogue.data.get("resume") if ctx.dialogue else None
    if resume:
        kind = KINDS.get(str(resume.get("intent")), "事情")
        return Reply(f"好的，不登记住址了。刚才说的{kind}没有提交。需要时再告诉我。")
    return Reply("好的，不登记住址了，您的住址没有改变。")


def build_flows() -> FlowRegistry:
    minutes = timedelta(minutes=1)
    hours = timedelta(hours=1)
    return FlowRegistry(
        [
            Flow(
                name=ADDRESS_FLOW,
                steps={"awaiting_address": "楼号、单元号、房号"},
                timeout=30 * minutes,
                take=take_with(RegisterAddressHandler()),
                cancel_text="好的，不登记住址了。",
                on_cancel=_address_cancel,
                keywords=frozenset({"住址", "地址", "登记"}),
            ),
            Flow(
                name=NOT_UNDERSTOOD_FLOW,
                steps={"clarifying": "选项的数字", "missed": "说得具体些"},
                timeout=30 * minutes,
                take=fallback_take,
                cancel_text="好的。有需要随时再找我。",
                passthrough=True,
            ),
            Flow(
                name=confirm.FLOW,
                steps={"asked": "1 确认 / 2 不要"},
                timeout=30 * minutes,
                take=confirm.take,
                cancel_text="",
                on_cancel=confirm.on_cancel,
            ),
            Flow(
                name=DUP_FLOW,
                steps={"offered": "“新问题”或不回复"},
                timeout=30 * minutes,
                take=take_duplicate_answer,
                cancel_text="好的，没有新建工单。",
            ),
            Flow(
                name=STATUS_OR_NEW_FLOW,
                steps={"asked": "1 查进展 / 2 新问题"},
                timeout=30 * minutes,
                take=take_status_or_new,
                cancel_text="好的，没有新建工单。",
            ),
            Flow(
                name=DETAILS_FLOW,
                steps={"awaiting_place": "紧急情况的单元号、房号"},
                timeout=2 * hours,
                take=take_details,
                cancel_text="好的。紧急工单已提交，工作人员会按已知位置联系您。",
            ),
            Flow(
                name=RATE_FLOW,
                steps={"asked": "1–5分或满意/不满意"},
                timeout=72 * hours,
                take=take_with(RatingHandler()),
                cancel_text="好的，这次先不评价。",
            ),
            Flow(
                name=REASON_FLOW,
                steps={"awaiting_reason": "哪里还没解决"},
                timeout=24 * hours,
                take=take_with(ReasonHandler()),
                cancel_text="好的，不补充了。工单已重新交办。",
            ),
            Flow(
                name=FOLLOWUP_FLOW,
                steps={"asked": "解决了/没解决/不确定"},
                timeout=72 * hours,
                take=take_with(FollowupHandler()),
                cancel_text="好的，不用回答了。",
            ),
            Flow(
                name=MEAL_FLOW,
                steps={
                    "when": "哪天哪一顿",
                    "address": "送到哪里（缺的部分）",
                    "confirm": "确认下单",
                },
                timeout=30 * minutes,
                take=take_with(MealOrderHandler()),
                cancel_text="好的，这次订餐没有提交。",
                keywords=frozenset({"订餐", "订饭", "饭", "餐"}),
            ),
            Flow(
                name=SIGNUP_FLOW,
                steps={"skills": "会做什么", "availability": "什么时候有空"},
                timeout=30 * minutes,
                take=take_with(VolunteerSignupHandler()),
                cancel_text="好的，志愿者登记没有完成，没有为您登记。想加入时再告诉我。",
                keywords=frozenset({"志愿", "登记"}),
            ),
            Flow(
                name=JOB_FLOW,
                steps={"asking": "技能、能干多久"},
                timeout=30 * minutes,
                take=take_with(JobSeekHandler()),
                cancel_text="好的，已取消求职登记，没有记录您的信息。",
                keywords=frozenset({"工作", "求职", "登记"}),
            ),
            Flow(
                name=OFFER_FLOW,
                steps={"offered": "接单（好的/我去）"},
                timeout=4 * hours,
                take=take_with(TaskAcceptHandler()),
                cancel_text="好的，这单您不接，不影响您接别的任务。",
                keywords=frozenset({"接", "单", "任务"}),
            ),
            Flow(
                name=RECEIPT_FLOW,
                steps={"delivered": "收到了吗"},
                timeout=4 * hours,
                take=take_with(ReceiptHandler()),
                cancel_text="好的。",
            ),
            Flow(
                name=handover.FLOW,
                steps={"open": "要转给工作人员的话"},
                timeout=12 * hours,
                take=handover.take,
                cancel_text=handover.WITHDRAWN,
                on_cancel=handover.cancel,
                timeout_text=handover.TIMED_OUT,
                keywords=frozenset({"人工", "转人工"}),
            ),
            Flow(
                name=poll_answer.FLOW,
                steps={poll_answer.STEP: "当前题目的回答（数字、1–5分或文字）；停止/不答了/退订"},
                timeout=72 * hours,
                take=poll_answer.take,
                cancel_text="好的，不答了。",
                on_cancel=poll_answer.on_cancel,
                timeout_text="（上次的民调问题已过了作答时间，没有再记录。）",
                keywords=frozenset({"民调", "调查", "回访", "答题", "问卷"}),
            ),
        ]
    )
