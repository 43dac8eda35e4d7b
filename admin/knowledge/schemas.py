"""Bodies and answers of the 办事指南 and extra-words API (/admin/api/knowledge, /lexicon)."""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator

import nlp
from admin.schemas import Number, Public

TARGETS = frozenset(nlp.INTENTS) | frozenset(nlp.CATEGORIES)


class EntryIn(BaseModel):
    question: str = Field(min_length=2, max_length=200)
    answer: str = Field(min_length=2, max_length=2000)
    keywords: list[str] = Field(min_length=1, max_length=30)

    @field_validator("keywords")
    @classmethod
    def _clean(cls, words: list[str]) -> list[str]:
        cleaned = [w.strip() for w in words if w.strip()]
        if not cleaned:
            raise ValueError("至少需要一个关键词")
        return cleaned


class EntryUpdate(BaseModel):
    """Only the fields given change."""

    question: str | None = Field(None, min_length=2, max_length=200)
    answer: str | None = Field(None, min_length=2, max_length=2000)
    keywords: list[str] | None = Field(None, min_length=1, max_length=30)
    active: bool | None = None


class WordIn(BaseModel):
    word: str = Field(min_length=1, max_length=50)
    target: str = Field(description="意图名或问题类别名")
    weight: float = Field(1.0, gt=0, le=10)

    @field_validator("target")
    @classmethod
    def _known(cls, target: str) -> str:
        if target not in TARGETS:
            raise ValueError("target 必须是意图名或问题类别名")
        return target


class EntryPublic(Public):
    id: int
    question: str
    answer: str
    keywords: list[str]
    active: bool
    updated_by: str
    updated_at: str


class WordPublic(Public):
    id: int
    word: str
    target: str
    weight: Number
    active: bool
    added_by: str
