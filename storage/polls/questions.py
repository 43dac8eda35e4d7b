"""A poll's questions: their kinds, checking what staff wrote, how a question reads in
chat, and reading an answer to it (loosely, by nlp.poll_answers)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nlp.poll_answers import Parsed, parse_choice, parse_score, parse_words

KINDS = {"choice": "选择题（回复数字）", "score": "打分题（1–5分）", "text": "文字题"}
MAX_QUESTIONS = 10
MAX_OPTIONS = 9
LOW_SCORE = 2  # a score this low or lower becomes a request
STOP_HINT = "回复“不答了”可随时停止。"


class PollError(ValueError):
    """What staff wrote cannot be a poll; the message is shown to them."""


@dataclass(frozen=True)
class Question:
    kind: str
    text: str
    options: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text, "options": list(self.options)}


def load(questions: list[Any]) -> list[Question]:
    return [
        Question(str(q["kind"]), str(q["text"]), tuple(str(o) for o in q.get("options") or ()))
        for q in questions
    ]


def checked(raw: list[dict[str, Any]]) -> list[Question]:
    """Staff's questions, cleaned; PollError says what is wrong in Chinese."""
    found: list[Question] = []
    for number, item in enumerate(raw, 1):
        kind = str(item.get("kind") or "")
        text = str(item.get("text") or "").strip()
        if not text:
            continue
        if kind not in KINDS:
            raise PollError(f"第{number}题的题型不对")
        options = tuple(o.strip() for o in item.get("options") or () if o and o.strip())
        if kind == "choice" and not 2 <= len(options) <= MAX_OPTIONS:
            raise PollError(f"第{number}题是选择题，需要2到{MAX_OPTIONS}个选项")
        found.append(Question(kind, text[:200], options if kind == "choice" else ()))
    if not found:
        raise PollError("请至少写一道题")
    if len(found) > MAX_QUESTIONS:
        raise PollError(f"一次民调最多{MAX_QUESTIONS}道题")
    return found


def chat_text(question: Question, number: int, total: int) -> str:
    """How a question reads in chat: numbered, with how to answer."""
    head = f"（第{number}题，共{total}题）{question.text}"
    if question.kind == "choice":
        lines = [f"{i} {o}" for i, o in enumerate(question.options, 1)]
        return "\n".join([head, *lines, "请回复数字。"])
    if question.kind == "score":
        return f"{head}\n请打1到5分（5分最好），回复数字即可。"
    return f"{head}\n请直接回复文字；没有要说的请回复“没有”。"


def parse(question: Question, text: str) -> Parsed:
    if question.kind == "choice":
        return parse_choice(text, list(question.options))
    if question.kind == "score":
        return parse_score(text)
    return parse_words(text)


def answer_label(question: Question, number: int | None, text: str | None) -> str:
    """An answer as staff read it: the option's words, 「4分」, or the words."""
    if question.kind == "choice" and number and 1 <= number <= len(question.options):
        return f"{number} {question.options[number - 1]}"
    if question.kind == "score" and number:
        return f"{number}分" + (f"（{text}）" if text else "")
    return text or ""
