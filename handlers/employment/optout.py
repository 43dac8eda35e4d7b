"""退订 / 恢复岗位通知: whether new postings are pushed to the seeker."""

from __future__ import annotations

import nlp
from handlers.base import Context, Reply
from handlers.employment import texts
from storage.employment.service import find_seeker, set_notify

OPT_OUT = ("退订", "取消岗位通知", "不要岗位通知", "不想收岗位通知", "别发岗位", "不要再发岗位")
OPT_IN = ("恢复岗位通知", "订阅岗位通知", "恢复通知", "重新订阅")
JOB_WORDS = ("岗位", "工作", "招聘", "就业")


def _wish(text: str) -> bool | None:
    """False to opt out, True to opt back in, None when the text is about neither."""
    if any(word in text for word in OPT_IN):
        return True
    if any(word in text for word in OPT_OUT):
        return False
    return None


class JobNoticeOptOutHandler:
    """Plain "退订" is ours when the resident gets job notices; "退订岗位通知" always is."""

    name = "job_notice_optout"

    def matches(self, ctx: Context) -> bool:
        if ctx.message.msg_type != "text" or not ctx.message.text:
            return False
        text = nlp.normalize(ctx.message.text)
        wish = _wish(text)
        if wish is None:
            return False
        if any(word in text for word in JOB_WORDS):
            return True
        return ctx.sit.seeker

    def handle(self, ctx: Context) -> Reply:
        wish = _wish(nlp.normalize(ctx.message.text or ""))
        seeker = find_seeker(ctx.session, ctx.resident)
        ctx.next_dialogue = None
        if seeker is None:
            return Reply(texts.NOT_REGISTERED)
        actor = f"resident:{ctx.resident.openid}"
        if wish:
            set_notify(ctx.session, seeker, True, actor)
            return Reply(texts.OPTED_IN)
        changed = set_notify(ctx.session, seeker, False, actor)
        return Reply(texts.OPTED_OUT if changed else texts.ALREADY_OUT)
