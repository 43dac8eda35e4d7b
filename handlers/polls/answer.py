"""The poll answer flow: the round's first question arrives by chat (started by the
scheduler, bot/jobs/polls.py); each reply answers the current question and the passive
reply carries the next one. 停止 / 不答了 / 取消 stop; 退订 stops and asks that later rounds
not come by chat. A reply that is clearly something else (a new problem, a question) is
let go to intent routing."""

from __future__ import annotations

from handlers.base import Context, IntentHandler, Reply
from handlers.dialogue import DialogueState
from handlers.flows import start
from handlers.polls import texts
from nlp.poll_answers import wants_opt_out, wants_to_stop
from storage.models import PollTarget
from storage.polls.questions import Question, chat_text, parse
from storage.polls.service import OPEN, answer_in_chat, questions_of, stop

FLOW = "poll_answer"
STEP = "asking"
MAX_MISSES = 2
# Intents that mean the reply is about something else, when understood this surely.
OTHER_INTENTS_CONFIDENCE = 0.75
ANSWER_LIKE_INTENTS = frozenset({"unknown", "rate", "cancel", "greeting_help"})


def _target(ctx: Context) -> PollTarget | None:
    if ctx.dialogue is None or ctx.dialogue.flow != FLOW:
        return None
    target_id = ctx.dialogue.data.get("target_id")
    target = ctx.session.get(PollTarget, int(target_id)) if target_id else None
    if target is None or target.resident_id != ctx.resident.id:
        return None
    return target


def _actor(ctx: Context) -> str:
    return f"resident:{ctx.resident.openid}"


def _stop_reply(ctx: Context, target: PollTarget, opt_out: bool) -> Reply:
    stop(ctx.session, target, opt_out=opt_out, actor=_actor(ctx), now=ctx.now)
    ctx.next_dialogue = None
    done = target.next_question
    text = texts.STOPPED.format(done=done) if done else texts.STOPPED_NONE
    return Reply(text + (texts.OPTED_OUT if opt_out else ""))


def take(ctx: Context) -> Reply | None:
    target = _target(ctx)
    text = (ctx.message.text or "").strip()
    if target is None or not text:
        return None
    if target.status not in OPEN:
        ctx.next_dialogue = None
        return Reply(texts.CLOSED) if target.status == "missed" else None
    if wants_to_stop(text):
        return _stop_reply(ctx, target, wants_opt_out(text))
    questions = questions_of(ctx.session, target)
    index = target.next_question
    question = questions[index]
    parsed = parse(question, text)
    if not parsed.ok:
        understood = ctx.understood
        if (
            understood.intent not in ANSWER_LIKE_INTENTS
            and understood.confidence >= OTHER_INTENTS_CONFIDENCE
        ):
            return None  # a new request: intent routing has it (answers so far are kept)
        misses = int(ctx.dialogue.data.get("misses", 0)) + 1 if ctx.dialogue else 1
        if misses > MAX_MISSES:
            return None
        start(ctx, FLOW, STEP, target_id=target.id, misses=misses)
        again = texts.AGAIN_CHOICE if question.kind == "choice" else texts.AGAIN_SCORE
        return Reply(f"{again}\n\n{chat_text(question, index + 1, len(questions))}")
    recorded, complete = answer_in_chat(
        ctx.session, target, text, parsed.number, parsed.text, actor=_actor(ctx), now=ctx.now
    )
    filed = (
        texts.FILED.format(code=recorded.request.code) + "\n"
        if recorded.request is not None
        else ""
    )
    if complete:
        ctx.next_dialogue = None
        return Reply(filed + texts.THANKS.format(total=len(questions)))
    start(ctx, FLOW, STEP, target_id=target.id, misses=0)
    following = chat_text(questions[index + 1], index + 2, len(questions))
    return Reply(f"{filed}记下了。\n{following}")


def on_cancel(ctx: Context) -> Reply:
    """取消 inside the poll: stop answering (nothing already answered is undone)."""
    target = _target(ctx)
    ctx.next_dialogue = None
    if target is None or target.status not in OPEN:
        return Reply(texts.STOPPED_NONE)
    return _stop_reply(ctx, target, wants_opt_out(ctx.message.text or ""))


class PollResumeHandler(IntentHandler):
    """An answer to the poll question asked by chat when the answer flow could not be
    opened (the resident was in another conversation when the question arrived) or has
    timed out while the round is still open: a number, a score or a stop word, judged from
    the resident's situation, joins the flow and is taken as the answer."""

    name = "poll_resume"

    def matches(self, ctx: Context) -> bool:
        brief = ctx.sit.open_poll
        text = (ctx.message.text or "").strip()
        if brief is None or ctx.dialogue is not None or not text or ctx.message.msg_type != "text":
            return False
        if ctx.sit.pending_rating is not None:
            return False  # 「5分」 then rates the resolved request, as the resident was asked
        if wants_to_stop(text):
            return True
        question = Question(brief.kind, "", brief.options)
        return brief.kind != "text" and parse(question, text).ok

    def handle(self, ctx: Context) -> Reply:
        brief = ctx.sit.open_poll
        assert brief is not None
        ctx.dialogue = DialogueState(flow=FLOW, step=STEP, data={"target_id": brief.target_id})
        reply = take(ctx)
        return reply if reply is not None else Reply(texts.CLOSED)


def poll_handlers() -> list[IntentHandler]:
    return [PollResumeHandler()]
