"""The explicit fallback: say so plainly, suggest likely meanings, then offer a person."""

from __future__ import annotations

from handlers import texts
from handlers.base import Context, Reply
from handlers.dialogue import DialogueState

FLOW = "not_understood"


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
        ctx.next_dialogue = DialogueState(flow=FLOW, step="missed", misses=misses)
        options = [
            intent
            for intent, _score in ctx.understood.alternatives
            if intent in texts.INTENT_LABELS
        ][:2]
        if options:
            lines = "\n".join(
                f"{n}. {texts.INTENT_LABELS[intent]}" for n, intent in enumerate(options, 1)
            )
            ctx.next_dialogue.data.update(options=options, expects="choice")
            return Reply(texts.CLARIFY.format(options=lines))
        return Reply(texts.NOT_UNDERSTOOD)


LOW_CONFIDENCE = 0.55


class ClarifyHandler:
    """A guess too weak to act on: offer the likeliest meanings as numbered choices."""

    name = "clarify"

    def matches(self, ctx: Context) -> bool:
        understood = ctx.understood
        in_feature_flow = ctx.dialogue is not None and ctx.dialogue.flow != FLOW
        return (
            not in_feature_flow  # the flow's own handler reads short answers in context
            and ctx.message.text is not None
            and understood.intent not in ("unknown", "cancel")
            and understood.confidence < LOW_CONFIDENCE
        )

    def handle(self, ctx: Context) -> Reply:
        options = [ctx.understood.intent]
        for intent, _score in ctx.understood.alternatives:
            if intent not in options and intent in texts.INTENT_LABELS:
                options.append(intent)
        if len(options) < 2:
            options.append("human")
        options = options[:2]
        lines = "\n".join(f"{n}. {texts.INTENT_LABELS[i]}" for n, i in enumerate(options, 1))
        ctx.next_dialogue = DialogueState(
            flow=FLOW, step="clarifying", data={"options": options, "expects": "choice"}
        )
        return Reply(texts.CLARIFY.format(options=lines))
