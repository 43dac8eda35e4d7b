"""评: the reporter rates a resolved request (unsatisfied reopens it), explains why, and
answers the follow-up questionnaire "问题解决了吗？"."""

from __future__ import annotations

from handlers.base import Context, IntentHandler, Reply
from handlers.context import is_dissatisfied, is_satisfied
from handlers.dialogue import DialogueState
from handlers.reports import texts
from storage.models import ServiceRequest
from storage.requests.queries import by_code
from storage.requests.rules import ACCEPTED, RESOLVED
from storage.requests.service import TransitionError, record_action, transition

RATE_FLOW = "report_rating"
REASON_FLOW = "report_reason"
FOLLOWUP_FLOW = "report_followup"
UNSATISFIED_MAX = 2
RATING_WORDS = ("非常满意", "不满意", "很不满意", "满意", "一般", "分", "星")
REASON_INTENTS = frozenset({"unknown", "report_problem", "rate"})
UNSURE = ("不确定", "不知道", "说不好", "不清楚", "不好说", "3")
NO = ("不是", "没解决", "未解决", "没有", "还没", "没修", "没好", "不行", "还是", "没", "2")
YES = ("解决了", "解决", "好了", "修好", "可以了", "是", "嗯", "对", "1")


def awaiting_rating(ctx: Context) -> ServiceRequest | None:
    code = ctx.understood.entities.get("ticket_code")
    if code:
        request = by_code(ctx.session, code)
        if request is not None and request.resident_id == ctx.resident.id:
            return request
        return None
    pending = ctx.sit.pending_rating
    return ctx.session.get(ServiceRequest, pending.id) if pending is not None else None


def _reason(text: str) -> str:
    rest = text
    for word in RATING_WORDS:
        rest = rest.replace(word, "")
    rest = "".join(ch for ch in rest if not ch.isdigit()).strip(" ，,。.!！~～")
    return rest if len(rest) >= 2 else ""


def _score(ctx: Context, text: str) -> int | None:
    """The rating given: a number, else 满意/不满意 in words; None when none was given."""
    given = ctx.understood.entities.get("rating")
    if given and str(given).isdigit():
        return min(5, max(1, int(given)))
    if is_dissatisfied(text):
        return 2
    if is_satisfied(text):
        return 5
    return None


def _in_flow(ctx: Context, flow: str) -> bool:
    return ctx.dialogue is not None and ctx.dialogue.flow == flow


def _end_flow(ctx: Context) -> ServiceRequest | None:
    """End the dialogue flow this message answers; the request it was about."""
    assert ctx.dialogue is not None
    ctx.next_dialogue = None
    return ctx.session.get(ServiceRequest, int(ctx.dialogue.data.get("request_id", 0)))


def _reopen(ctx: Context, request: ServiceRequest, actor: str, note: str) -> bool:
    """The reporter says it is not solved: reopen the request (False if it moved on)."""
    try:
        transition(
            ctx.session,
            request,
            ACCEPTED,
            actor=actor,
            now=ctx.now,
            note=note,
            notify_skip_resident=ctx.resident.id,
        )
    except TransitionError:
        return False
    return True


class RatingHandler(IntentHandler):
    name = "report_rating"
    intents = frozenset({"rate"})

    def matches(self, ctx: Context) -> bool:
        if not super().matches(ctx) or ctx.message.text is None:
            return False
        code = ctx.understood.entities.get("ticket_code")
        return bool(code) or ctx.sit.pending_rating is not None

    def handle(self, ctx: Context) -> Reply:
        request = awaiting_rating(ctx)
        if request is None:
            return Reply(texts.RATE_NOTHING)
        return self._rate(ctx, request)

    def _rate(self, ctx: Context, request: ServiceRequest) -> Reply:
        if _in_flow(ctx, RATE_FLOW):
            ctx.next_dialogue = None
        if request.rating_state == "rated" or request.status != RESOLVED:
            return Reply(texts.RATE_ALREADY.format(code=request.code))
        text = ctx.message.text or ""
        rating = _score(ctx, text)
        if rating is None:
            # "我要评价" says nothing of how it went: ask, never assume a middling 3.
            ctx.next_dialogue = DialogueState(
                flow=RATE_FLOW,
                step="awaiting_rating",
                data={"expects": "rate", "carry": {"ticket_code": request.code}},
            )
            return Reply(texts.RATE_ASK_SCORE.format(code=request.code))
        reason = _reason(text)
        actor = f"resident:{ctx.resident.openid}"
        request.rating = rating
        request.rating_state = "rated"
        request.rating_note = reason or None
        request.closed_at = ctx.now
        request.updated_at = ctx.now
        record_action(
            ctx.session,
            request,
            "rated",
            actor=actor,
            note=f"{rating}分" + (f"：{reason}" if reason else ""),
        )
        if rating > UNSATISFIED_MAX:
            return Reply(texts.RATE_THANKS.format(rating=rating, code=request.code))
        note = f"居民评价不满意（{rating}分）" + (f"：{reason}" if reason else "")
        if not _reopen(ctx, request, actor, note):
            return Reply(texts.RATE_ALREADY.format(code=request.code))
        if reason:
            return Reply(texts.RATE_REOPENED_WITH_REASON.format(code=request.code))
        ctx.next_dialogue = DialogueState(
            flow=REASON_FLOW, step="awaiting_reason", data={"request_id": request.id}
        )
        return Reply(texts.RATE_REOPENED.format(code=request.code))


class ReasonHandler:
    """The text after "不满意" says what is still wrong: noted on the reopened request."""

    name = "report_reason"

    def matches(self, ctx: Context) -> bool:
        return (
            _in_flow(ctx, REASON_FLOW)
            and bool(ctx.message.text)
            and ctx.understood.intent in REASON_INTENTS
        )

    def handle(self, ctx: Context) -> Reply:
        request = _end_flow(ctx)
        text = (ctx.message.text or "").strip()[:500]
        if request is None:
            return Reply(texts.FOLLOWUP_UNSURE)
        request.status_note = f"{request.status_note or ''}；{text}".strip("；")[:1000]
        record_action(
            ctx.session, request, "note", actor=f"resident:{ctx.resident.openid}", note=text
        )
        return Reply(texts.REASON_NOTED.format(text=text[:40]))


def followup_answer(text: str) -> str | None:
    cleaned = text.strip().strip("。！!，,.~～ ")
    for answer, words in (("unsure", UNSURE), ("no", NO), ("yes", YES)):
        if any(word in cleaned for word in words):
            return answer
    return None


class FollowupHandler:
    """The answer to the questionnaire a job sent some days after the request was resolved."""

    name = "report_followup"

    def matches(self, ctx: Context) -> bool:
        return _in_flow(ctx, FOLLOWUP_FLOW) and followup_answer(ctx.message.text or "") is not None

    def handle(self, ctx: Context) -> Reply:
        request = _end_flow(ctx)
        answer = followup_answer(ctx.message.text or "")
        if request is None or answer is None:
            return Reply(texts.FOLLOWUP_UNSURE)
        actor = f"resident:{ctx.resident.openid}"
        request.followup_state = answer
        labels = {"yes": "解决了", "no": "没解决", "unsure": "不确定"}
        record_action(ctx.session, request, "followup", actor=actor, note=labels[answer])
        if answer == "yes":
            return Reply(texts.FOLLOWUP_YES)
        if answer == "unsure" or request.status != RESOLVED:
            return Reply(texts.FOLLOWUP_UNSURE)
        if not _reopen(ctx, request, actor, "回访时居民表示问题没解决"):
            return Reply(texts.FOLLOWUP_UNSURE)
        return Reply(texts.FOLLOWUP_NO.format(code=request.code))


class StrayRatingHandler(IntentHandler):
    """A rating with nothing to rate (not the reporter, or already rated): say so, truthfully;
    no staff group hears of it."""

    name = "report_rating_stray"
    intents = frozenset({"rate"})

    def handle(self, ctx: Context) -> Reply:
        return Reply(texts.RATE_NOTHING)
