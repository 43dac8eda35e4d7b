"""A volunteer records a visit or call with one reply: 探访 P3 一切都好 / 探访 P3 需要帮忙：
水管漏水 / 电话 P3 老人说腿疼 (loosely typed: 全角, p3, 「P3探访了，挺好」). A need in the
record becomes a request linked to the visit; a code that is unknown or not theirs changes
nothing."""

from __future__ import annotations

import re
from datetime import datetime

import nlp
from handlers.base import Context, IntentHandler, Reply
from handlers.pairs import texts
from storage.clock import in_china
from storage.models import Pair, ServiceRequest, VolunteerProfile
from storage.pairs.queries import pair_by_code, pairs_of_volunteer
from storage.pairs.service import MODE_LABELS, NewVisit, due_at, members, record_visit
from storage.volunteers.profiles import profile_of

FOREIGN_QUESTIONS = frozenset({"volunteer_signup", "meal_order", "job_seek", "register_address"})
CODE = re.compile(r"(?<![A-Za-z0-9])[Pp]\s?(\d{1,9})(?!\d)|结对\s?(\d{1,9})|(\d{1,9})号结对")
# Full-width letters, digits and the ideographic space, narrowed (punctuation is kept).
NARROW = {
    c: c - 0xFEE0 for c in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))
}
NARROW[0x3000] = 0x20
CALL = re.compile(r"打了?电话|电话|通话|致电|视频")
VISIT = re.compile(r"探访了?|走访了?|看望了?|回访了?|上门看了|去看了|看过了")
NEED = re.compile(
    r"(?<!不)(?:需要|需|要|请|麻烦)(?:社区|网格员|你们)?(?:帮忙|帮助|帮一下|处理|解决|协助)"
    r"[\s:：,，。、-]*(.*)$"
)
TRIM = " \t,，.。!！:：;；、~～「」『』“”\"'()（）[]【】-"


def _day(moment: datetime) -> str:
    local = in_china(moment)
    return f"{local.month}月{local.day}日"


def parse(text: str) -> tuple[str, str | None, str | None, bool]:
    """(mode, note, need, asked_for_help): the mode from the normalised text; the note and
    the need in the volunteer's own words (only full-width letters, digits and spaces are
    narrowed), the code and the mode word taken out."""
    mode = "call" if CALL.search(nlp.normalize(text)) else "visit"
    rest = CODE.sub(" ", text.translate(NARROW))
    rest = CALL.sub(" ", rest, count=1) if mode == "call" else VISIT.sub(" ", rest, count=1)
    rest = re.sub(r"\s+", " ", rest).strip(TRIM)
    need_match = NEED.search(rest)
    if need_match is None:
        return mode, rest or None, None, False
    need = need_match.group(1).strip(TRIM)
    return mode, rest or None, need or None, True


def code_of(ctx: Context) -> str | None:
    code = ctx.understood.entities.get("pair_code")
    if code:
        return str(code).upper()
    match = CODE.search(nlp.normalize(ctx.message.text or ""))
    return f"P{int(next(g for g in match.groups() if g))}" if match else None


def _yours(pairs: list[Pair]) -> str:
    return texts.YOURS.format(codes="、".join(p.code for p in pairs)) if pairs else ""


class VisitRecordHandler(IntentHandler):
    name = "visit_record"
    intents = frozenset({"visit_record"})

    def matches(self, ctx: Context) -> bool:
        if ctx.message.msg_type != "text":
            return False
        if ctx.dialogue is not None and ctx.dialogue.flow in FOREIGN_QUESTIONS:
            return False
        return ctx.understood.intent in self.intents

    def handle(self, ctx: Context) -> Reply:
        profile = profile_of(ctx.session, ctx.resident.id)
        if profile is None or profile.status == "left":
            return Reply(texts.NOT_VOLUNTEER)
        mine = pairs_of_volunteer(ctx.session, profile.id)
        code = code_of(ctx)
        if code is None:
            if not mine:
                return Reply(texts.NO_PAIRS)
            if len(mine) > 1:
                codes = "、".join(p.code for p in mine)
                return Reply(texts.WHICH_PAIR.format(codes=codes, first=mine[0].code))
            pair: Pair | None = mine[0]
        else:
            pair = pair_by_code(ctx.session, code)
            if pair is None or pair.community_id != profile.community_id:
                return Reply(texts.NO_SUCH_PAIR.format(code=code, yours=_yours(mine)))
            if pair.volunteer_id != profile.id:
                return Reply(texts.NOT_YOURS.format(code=code, yours=_yours(mine)))
        assert pair is not None
        if pair.status != "active":
            state = "已结束" if pair.status == "ended" else "还没有开始"
            return Reply(texts.NOT_ACTIVE.format(code=pair.code, state=state))
        return self._record(ctx, pair, profile)

    def _record(self, ctx: Context, pair: Pair, profile: VolunteerProfile) -> Reply:
        raw = (ctx.message.text or "").strip()
        mode, note, need, asked = parse(raw)
        said_mode = bool(CALL.search(nlp.normalize(raw)) or VISIT.search(nlp.normalize(raw)))
        if note is None and not said_mode:
            return Reply(texts.ASK_HOW.format(code=pair.code))
        if asked and need is None:
            return Reply(texts.ASK_NEED.format(code=pair.code))
        category = "其他"
        if need:
            understood = ctx.understand(need)
            if understood.intent == "report_problem":
                category = understood.entities.get("category", "其他")
        visit = record_visit(
            ctx.session,
            pair,
            profile,
            NewVisit(
                mode=mode,
                text=raw,
                note=note,
                need=need,
                category=category,
                inbound_message_id=ctx.inbound_id or None,
            ),
            actor=f"resident:{ctx.resident.openid}",
            now=ctx.now,
        )
        helped = members(ctx.session, pair)
        who = "、".join(r.name or "居民" for r in helped) or "结对对象"
        label = MODE_LABELS[mode]
        if visit.request_id is not None:
            request = ctx.session.get(ServiceRequest, visit.request_id)
            assert request is not None
            return Reply(
                texts.RECORDED_NEED.format(
                    who=who,
                    mode=label,
                    code=pair.code,
                    day=_day(ctx.now),
                    need=need,
                    ticket=request.code,
                )
            )
        due = due_at(pair)
        return Reply(
            texts.RECORDED.format(
                who=who,
                mode=label,
                code=pair.code,
                day=_day(ctx.now),
                note=f"：{note}" if note else "",
                due=_day(due) if due else "",
                next_mode="探访或电话",
            )
        )
