"""Accept ("接 T15", or "好的我去" after an offer), hand back ("退回 T15"), deliver
("送达 T15" / "已送达"), the recipient's "收到", and "我的服务时长"."""

from __future__ import annotations

import re

from handlers.base import Context, Reply
from handlers.context import is_affirmative
from handlers.volunteers import texts
from handlers.volunteers.common import (
    FeatureHandler,
    actor,
    task_code,
    text_of,
    volunteer,
)
from storage.clock import in_china
from storage.models import VolunteerTask
from storage.outbound.jobs import Job
from storage.outbound.queues import enqueue_job, grid_queue_name
from storage.volunteers.profiles import STATUS_LABELS, hours_label, hours_summary, policy_for
from storage.volunteers.task_card import task_card
from storage.volunteers.tasks import (
    accept_task,
    active_tasks,
    complete_task,
    confirm_receipt,
    handback_task,
    local_hm,
    task_by_code,
    too_early_to_deliver,
)

OFFER_FLOW = "task_offer"
RECEIPT_FLOW = "meal_receipt"
HANDBACK_WORDS = re.compile(r"退回|转交|不送了|送不了|不接了|去不了|来不了|交还")
# 「还没收到」 / 「饭没到」 answering 「收到了吗」: not a receipt.
NOT_RECEIVED = re.compile(r"(没|没有|未|不)(有)?(收到|拿到|送到|送来|到)|没见|没人送|还没来")
RECEIVED = re.compile(r"收到|送到了|拿到|(饭|餐)?到了|送来了")


class TaskHandbackHandler(FeatureHandler):
    name = "task_handback"
    intents = frozenset({"cancel", "task_accept"})

    def wants(self, ctx: Context) -> bool:
        if not super().wants(ctx) or not HANDBACK_WORDS.search(text_of(ctx)):
            return False
        return bool(ctx.sit.active_tasks)

    def handle(self, ctx: Context) -> Reply:
        profile = volunteer(ctx)
        assert profile is not None
        code = task_code(ctx)
        mine = active_tasks(ctx.session, profile.id)
        task = task_by_code(ctx.session, code) if code else (mine[0] if len(mine) == 1 else None)
        if task is None:
            codes = "、".join(t.code for t in mine)
            return Reply(texts.DONE_WHICH.format(codes=codes).replace("送达", "退回"))
        outcome = handback_task(ctx.session, task, profile, actor(ctx), ctx.now)
        ctx.next_dialogue = None
        if outcome == "ok":
            return Reply(texts.HANDED_BACK.format(code=task.code))
        if outcome == "too_late":
            return Reply(texts.HANDBACK_TOO_LATE.format(code=task.code))
        return Reply(texts.NOT_YOUR_TASK.format(code=task.code))


class TaskAcceptHandler(FeatureHandler):
    name = "task_accept"
    intents = frozenset({"task_accept"})

    def handle(self, ctx: Context) -> Reply:
        profile = volunteer(ctx)
        if profile is None or profile.status == "left":
            return Reply(texts.NOT_VOLUNTEER_ACCEPT)
        if profile.status != "active":
            return Reply(texts.INACTIVE.format(status=STATUS_LABELS[profile.status]))
        code = task_code(ctx)
        if code is None:
            return Reply(texts.ACCEPT_WHICH)
        task = task_by_code(ctx.session, code)
        if task is None or task.community_id != profile.community_id:
            return Reply(texts.NO_SUCH_TASK.format(code=code))
        outcome = accept_task(ctx.session, task, profile, actor(ctx), ctx.now)
        if ctx.dialogue is not None and ctx.dialogue.flow == OFFER_FLOW:
            ctx.next_dialogue = None
        if outcome == "won":
            return Reply(won_text(ctx, task))
        if outcome == "mine":
            return Reply(texts.ALREADY_YOURS.format(code=task.code))
        if outcome == "closed":
            return Reply(texts.CLOSED.format(code=task.code))
        if outcome == "full":
            return Reply(texts.FULL.format(count=len(active_tasks(ctx.session, profile.id))))
        return Reply(texts.TAKEN.format(code=task.code))


def won_text(ctx: Context, task: VolunteerTask) -> str:
    """Only the volunteer who got the task sees the room number and the phone."""
    card = task_card(ctx.session, task)
    return texts.WON.format(
        code=task.code,
        pickup=card.pickup,
        time=local_hm(task.pickup_at),
        address=card.address,
        contact=_contact(card.people),
        count=task.count,
        note=f"，备注：{task.note}" if task.note else "",
        window=card.handback_minutes,
    )


def _contact(people: tuple[tuple[str | None, str | None], ...]) -> str:
    for name, phone in people:
        if phone:
            return f"{name or '住户'} {phone}"
    named = next((name for name, _ in people if name), None)
    return f"{named}（未留电话）" if named else "住户（未留电话）"


class TaskDoneHandler(FeatureHandler):
    name = "task_done"
    intents = frozenset({"task_done"})

    def handle(self, ctx: Context) -> Reply:
        profile = volunteer(ctx)
        if profile is None:
            return Reply(texts.NOT_VOLUNTEER_ACCEPT)
        mine = active_tasks(ctx.session, profile.id)
        code = task_code(ctx)
        if code is not None:
            task = task_by_code(ctx.session, code)
            if task is None or task.volunteer_id != profile.id:
                return Reply(texts.NOT_YOUR_TASK.format(code=code))
            if task.status == "done":
                return Reply(texts.CLOSED.format(code=task.code))
        elif len(mine) == 1:
            task = mine[0]
        elif not mine:
            return Reply(texts.NOTHING_ACTIVE)
        else:
            return Reply(texts.DONE_WHICH.format(codes="、".join(t.code for t in mine)))
        if too_early_to_deliver(task, ctx.now):
            # 「已送达」 at 04:09 for an 11:30 pickup: asked back, nothing credited.
            pickup = in_china(task.pickup_at)
            when = f"{pickup.month}月{pickup.day}日{local_hm(task.pickup_at)}"
            return Reply(texts.DONE_TOO_EARLY.format(code=task.code, time=when))
        if not complete_task(ctx.session, task, profile, actor(ctx), ctx.now):
            if task.status == "cancelled":
                return Reply(
                    f"任务 {task.code} 已取消（订餐已取消），不用再送了，没有记录服务时长。"
                )
            return Reply(texts.NOT_YOUR_TASK.format(code=task.code))
        minutes = policy_for(ctx.session, profile.community_id).minutes_per_task
        return Reply(texts.DONE.format(code=task.code, hours=hours_label(minutes)))


class ReceiptHandler(FeatureHandler):
    """The recipient answers the "已送达" message with "收到"."""

    name = "meal_receipt"

    def wants(self, ctx: Context) -> bool:
        if ctx.dialogue is None or ctx.dialogue.flow != RECEIPT_FLOW:
            return False
        text = text_of(ctx)
        return bool(NOT_RECEIVED.search(text) or RECEIVED.search(text)) or is_affirmative(text)

    def handle(self, ctx: Context) -> Reply:
        assert ctx.dialogue is not None
        ctx.next_dialogue = None
        code = str(ctx.dialogue.data.get("carry", {}).get("task_code", ""))
        task = task_by_code(ctx.session, code)
        if NOT_RECEIVED.search(text_of(ctx)):
            # The volunteer said 送达 but the meal did not arrive: nothing confirmed, the
            # canteen is told to find out.
            if task is not None:
                queue = grid_queue_name(task.grid_id)
                enqueue_job(ctx.session, queue, Job.TELL_NOT_RECEIVED, task.id)
            return Reply(texts.RECEIPT_MISSING.format(code=code))
        if task is not None:
            confirm_receipt(ctx.session, task, actor(ctx), ctx.now)
        return Reply(texts.RECEIPT_THANKS.format(code=code))


class HoursHandler(FeatureHandler):
    name = "volunteer_hours"

    def wants(self, ctx: Context) -> bool:
        text = text_of(ctx)
        return "时长" in text and ("服务" in text or "志愿" in text or "我的" in text)

    def handle(self, ctx: Context) -> Reply:
        profile = volunteer(ctx)
        if profile is None:
            return Reply(texts.NOT_A_VOLUNTEER)
        summary = hours_summary(ctx.session, profile, ctx.now)
        rank = texts.HOURS_RANK.format(rank=summary.month_rank) if summary.month_rank else ""
        return Reply(
            texts.HOURS.format(
                total=hours_label(summary.total_minutes),
                tasks=summary.tasks_done,
                month=hours_label(summary.month_minutes),
                rank=rank,
            )
        )
