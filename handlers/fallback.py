"""Not understood, or not sure: one short question with numbered choices, then a person.

Never the whole menu again (that is for 帮助/菜单): the resident gets two or three likely
meanings; a number picks one. When the first message already said what is needed (a
report too loosely worded to be sure of), the choice carries it on; otherwise the chosen
feature asks for the missing words. A second miss offers a person.
"""

from __future__ import annotations

from dataclasses import replace

from handlers import texts
from handlers.base import Context, Reply, Understood
from handlers.dialogue import DialogueState
from handlers.flows import in_flow

FLOW = "not_understood"
LOW_CONFIDENCE = 0.55
GENERIC_OPTIONS = ("report_problem", "status_query", "human")
# When a choice is made without words to act on, the feature's own example is asked for.
ASK_FOR = {
    "report_problem": "好的，请说一下是什么问题、在哪里，如“3号楼楼道灯坏了”。",
    "meal_request": "好的，请说一下哪天哪一顿、送到哪里，如“明天中午送一份饭到8号楼402”。",
    "volunteer_signup": "好的，回复“我想当志愿者”就可以报名。",
    "job_seek": "好的，请说一下想找什么工作、会什么，如“想找工作，会开车”。",
    "job_apply": "好的，请回复“报名 J编号”，如“报名 J12”。",
    "task_accept": "好的，请回复“接 T编号”，如“接 T15”。",
    "task_done": "好的，送到后请回复“送达 T编号”。",
    "register_address": "好的，请发您的住址，如“3号楼2单元501”。",
    "consult": "好的，请直接说要办什么事，如“低保怎么申请”。",
    "rate": "好的，请回复1到5分，5分最满意。",
    "cancel": "好的，请说一下要取消什么，如“取消订餐”。",
}
# Intents that need nothing more than the choice itself.
SELF_CONTAINED = frozenset({"status_query", "human", "greeting_help"})


def _ask(ctx: Context, options: list[str], step: str, misses: int, text: str) -> Reply:
    lines = "\n".join(f"{n}. {texts.INTENT_LABELS[i]}" for n, i in enumerate(options, 1))
    ctx.next_dialogue = DialogueState(
        flow=FLOW,
        step=step,
        misses=misses,
        data={
            "options": options,
            "expects": "choice",
            "text": text,
            "useful": step == "clarifying",
        },
    )
    return Reply(texts.CLARIFY.format(options=lines))


class FallbackHandler:
    name = "fallback"

    def matches(self, ctx: Context) -> bool:
        return True

    def handle(self, ctx: Context) -> Reply:
        misses = 1
        if ctx.dialogue is not None and ctx.dialogue.flow == FLOW:
            misses = ctx.dialogue.misses + 1
        if misses >= 2:
            ctx.next_dialogue = None
            return Reply(texts.OFFER_HUMAN)
        if ctx.message.text is None:
            ctx.next_dialogue = None
            return Reply(texts.NOT_UNDERSTOOD)
        options = [
            intent
            for intent, _score in ctx.understood.alternatives
            if intent in texts.INTENT_LABELS and intent != "cancel"
        ][:2]
        for intent in GENERIC_OPTIONS:
            if len(options) >= 3:
                break
            if intent not in options:
                options.append(intent)
        return _ask(ctx, options, "missed", misses, ctx.message.text or "")


class ClarifyHandler:
    """A guess too weak to act on: offer the likeliest meanings as numbered choices."""

    name = "clarify"

    def matches(self, ctx: Context) -> bool:
        understood = ctx.understood
        return (
            ctx.message.text is not None
            and understood.intent not in ("unknown", "cancel")
            and understood.confidence < LOW_CONFIDENCE
            and "clarified" not in understood.evidence
        )

    def handle(self, ctx: Context) -> Reply:
        options = [ctx.understood.intent]
        for intent, _score in ctx.understood.alternatives:
            if intent not in options and intent in texts.INTENT_LABELS:
                options.append(intent)
        if len(options) < 2:
            options.append("human")
        return _ask(ctx, options[:3], "clarifying", 0, ctx.message.text or "")


def take(ctx: Context) -> Reply | None:
    """A number picks a meaning: carry the first message on, or ask for the words needed.
    Anything else goes to intent routing with the state kept, so a second miss is counted."""
    if not in_flow(ctx, FLOW) or ctx.dialogue is None:
        return None
    data = ctx.dialogue.data
    options = list(data.get("options") or [])
    answer = (ctx.message.text or "").strip().strip("。.!！ ")
    if not (answer.isdigit() and 1 <= int(answer) <= len(options)):
        return None
    intent = options[int(answer) - 1]
    original = str(data.get("text") or "")
    if data.get("useful") and original:
        ctx.message = replace(ctx.message, msg_type="text", content=original, recognition=None)
        first = ctx.understand(original)
        ctx.understood = Understood(
            intent=intent, confidence=0.9, entities=first.entities, evidence=("clarified",)
        )
    elif intent in SELF_CONTAINED:
        ctx.understood = Understood(intent=intent, confidence=0.9, evidence=("clarified",))
    else:
        ctx.next_dialogue = None
        return Reply(ASK_FOR.get(intent, texts.NOT_UNDERSTOOD))
    ctx.next_dialogue = None
    ctx.dialogue = None
    return None
