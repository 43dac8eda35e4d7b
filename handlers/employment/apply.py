"""job_apply ("报名 J12") and withdrawing an application ("取消报名")."""

from __future__ import annotations

from handlers.base import Context, IntentHandler, Reply
from handlers.employment import texts
from storage.employment.service import (
    APPLICATION_LABELS,
    apply_for,
    closed_reason,
    filled_counts,
    find_posting,
    find_seeker,
    latest_open_application,
    local_today,
    save_profile,
    withdraw,
)

WITHDRAW_WORDS = ("报名", "不报", "报了", "岗位", "工作", "不去了")


class JobApplyHandler(IntentHandler):
    name = "job_apply"
    intents = frozenset({"job_apply"})

    def handle(self, ctx: Context) -> Reply:
        code = (ctx.understood.entities.get("job_code") or "").upper()
        if not code:
            return Reply(texts.APPLY_NEED_CODE)
        actor = f"resident:{ctx.resident.openid}"
        today = local_today(ctx.now)
        ctx.next_dialogue = None
        seeker = find_seeker(ctx.session, ctx.resident)
        if seeker is None:
            # Applying is registering (the profile can be completed later), but only for a
            # posting that takes the application: a mistyped code registers nobody.
            wanted = find_posting(ctx.session, code)
            if wanted is None:
                return Reply(texts.APPLY_UNKNOWN.format(code=code))
            filled = filled_counts(ctx.session, [wanted.id]).get(wanted.id, 0)
            reason = closed_reason(wanted, filled, today)
            if reason is not None:
                return Reply(
                    texts.APPLY_CLOSED.format(code=wanted.code, title=wanted.title, reason=reason)
                )
            seeker = save_profile(ctx.session, ctx.resident, labour_status="available", now=ctx.now)
        result = apply_for(ctx.session, seeker, code, today, actor)
        posting = result.posting
        if result.outcome == "unknown" or posting is None:
            return Reply(texts.APPLY_UNKNOWN.format(code=code))
        if result.outcome == "duplicate":
            assert result.application is not None
            status = APPLICATION_LABELS.get(result.application.status, result.application.status)
            return Reply(
                texts.APPLY_DUPLICATE.format(code=posting.code, title=posting.title, status=status)
            )
        if result.outcome == "closed":
            return Reply(
                texts.APPLY_CLOSED.format(
                    code=posting.code, title=posting.title, reason=result.reason
                )
            )
        return Reply(
            texts.APPLY_OK.format(code=posting.code, title=posting.title, employer=posting.employer)
        )


class JobWithdrawHandler(IntentHandler):
    """A cancel about an application ("取消报名", "算了不报了") withdraws the latest one;
    other cancels are left to other features."""

    name = "job_withdraw"
    intents = frozenset({"cancel"})

    def matches(self, ctx: Context) -> bool:
        if ctx.dialogue is not None or ctx.understood.intent != "cancel":
            return False
        text = ctx.message.text or ""
        if not any(word in text for word in WITHDRAW_WORDS):
            return False
        return bool(ctx.sit.open_applications)

    def handle(self, ctx: Context) -> Reply:
        seeker = find_seeker(ctx.session, ctx.resident)
        assert seeker is not None
        application = latest_open_application(ctx.session, seeker)
        assert application is not None
        posting = application.posting
        if not withdraw(ctx.session, application, f"resident:{ctx.resident.openid}"):
            return Reply(f"{posting.code} {posting.title} 的报名刚刚已有结果，没有撤回。")
        return Reply(texts.WITHDRAWN.format(code=posting.code, title=posting.title))
