"""consult: answer from the staff-maintained 办事指南, or pass the question to staff."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

import nlp
from handlers.base import Context, IntentHandler, Reply
from handlers.human import notify_staff, office_hours, open_handover

FORWARDED = (
    "这个问题我还答不上来，已转给社区工作人员，工作时间（{hours}）内会回复您。"
    "\n急事可以回复“转人工”。"
)
ALSO_ASKED = "\n\n您可能还想问：{question}（直接问我即可）"
MIN_SCORE = 2


class KnowledgeLike(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def question(self) -> str: ...
    @property
    def answer(self) -> str: ...
    @property
    def keywords(self) -> tuple[str, ...]: ...


def best_matches(text: str, entries: Sequence[KnowledgeLike]) -> list[tuple[int, KnowledgeLike]]:
    """Entries ranked by the characters of their keywords found in the message
    (longer keywords are more specific)."""
    normalized = nlp.normalize(text)
    scored = []
    for entry in entries:
        hits = [k for k in entry.keywords if k and k in normalized]
        if hits:
            scored.append((sum(len(k) for k in hits) + max(len(k) for k in hits), entry))
    scored.sort(key=lambda pair: -pair[0])
    return scored


class ConsultHandler(IntentHandler):
    name = "consult"
    intents = frozenset({"consult"})

    def __init__(self, knowledge: Callable[[], Sequence[KnowledgeLike]]) -> None:
        self.knowledge = knowledge

    def handle(self, ctx: Context) -> Reply:
        text = ctx.message.text or ""
        ranked = best_matches(text, self.knowledge())
        if ranked and ranked[0][0] >= MIN_SCORE:
            best = ranked[0][1]
            answer = f"【{best.question}】\n{best.answer}"
            if len(ranked) > 1 and ranked[1][0] >= MIN_SCORE:
                answer += ALSO_ASKED.format(question=ranked[1][1].question)
            return Reply(answer)
        handover = open_handover(ctx, note=f"办事咨询：{text}")
        notify_staff(ctx, handover, kind="办事咨询")
        return Reply(FORWARDED.format(hours=office_hours(ctx)))
