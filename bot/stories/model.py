"""The dialogue-story format: a scripted conversation with what must (and must not) be
seen after each step. Unknown keys are errors, so a misspelt expectation cannot pass
silently.

    story: 明天中午 alone moves the meal dialogue on
    covers: [flow:meal_order, defect:meal-loop]
    at: 2026-12-04 04:15            # China time; the clock stands still between steps
    resident: demo-wangnainai       # who speaks unless a step says `from:`
    steps:
      - say: 我要订饭
        reply: [哪天哪一顿]
      - say: 明天中午
        reply: [12月5日]
        reply_lacks: [哪天哪一顿]
        records:
          - {model: MealOrder, where: {resident: demo-wangnainai}, count: 1}
      - staff: canteen
        post: /admin/api/canteen/orders/{order.id}/confirm
        sent:
          - {to: demo-wangnainai, has: [食堂已确认]}
      - wait: 2h                    # or `until: 2026-12-05 11:40`; periodic jobs run

The full list of keys is docs/stories.md.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from storage.clock import CHINA

DEFAULT_START = "2026-12-07 10:00"  # a Monday, in working hours
DURATION = re.compile(r"^\s*(\d+)\s*(d|h|m|s)\s*$")
UNITS = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}


def china_time(value: str) -> datetime:
    return datetime.strptime(value.strip(), "%Y-%m-%d %H:%M").replace(tzinfo=CHINA)


def duration(value: str) -> timedelta:
    total = timedelta()
    for part in value.split("+"):
        match = DURATION.match(part)
        if not match:
            raise ValueError(f"not a duration: {value!r} (e.g. 2h, 30m, 1d+3h)")
        total += timedelta(**{UNITS[match.group(2)]: int(match.group(1))})
    return total


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class RecordCheck(Strict):
    """Rows of a model matching `where` (column equality; `resident: openid` for the
    resident's rows; `col__contains`, `col__ne`, `col__null` as suffixes)."""

    model: str
    where: dict[str, Any] = Field(default_factory=dict)
    count: int | None = None  # None: at least one


class SentCheck(Strict):
    """A message the platform received during the step: to a resident's openid or a
    group's robot key (`bldg-3`, `grid-1` …); `kind` narrows (custom, template,
    wecom_robot, mass)."""

    to: str | None = None
    kind: str | None = None
    has: list[str] = Field(default_factory=list)


class Step(Strict):
    # -- what happens (exactly one of these) ----------------------------------------------
    say: str | None = None
    voice: str | None = None  # the platform's speech recognition of a voice message
    image: bool | None = None
    location: str | None = None  # a label, e.g. 3号楼
    event: str | None = None  # subscribe, unsubscribe, CLICK …
    key: str = ""  # EventKey of a CLICK event
    staff: str | None = None  # a staff username acting in the console
    post: str | None = None
    get: str | None = None
    json_body: dict[str, Any] | None = Field(default=None, alias="json")
    form: dict[str, str] | None = None
    status: int | None = None  # of the staff request; default: any 2xx/3xx
    wait: str | None = None
    until: str | None = None
    # -- who --------------------------------------------------------------------------
    sender: str | None = Field(default=None, alias="from")
    # -- what must be seen -----------------------------------------------------------
    reply: list[str] = Field(default_factory=list)
    reply_lacks: list[str] = Field(default_factory=list)
    no_reply: bool = False
    response: list[str] = Field(default_factory=list)  # in a staff request's answer
    sent: list[SentCheck] = Field(default_factory=list)
    not_sent: list[SentCheck] = Field(default_factory=list)
    nothing_sent: bool = False
    records: list[RecordCheck] = Field(default_factory=list)
    save: dict[str, str] = Field(default_factory=dict)  # name: regex over the reply

    @field_validator("reply", "reply_lacks", "response", mode="before")
    @classmethod
    def _listify(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @model_validator(mode="after")
    def _one_action(self) -> Step:
        actions = [
            name
            for name in ("say", "voice", "image", "location", "event", "staff", "wait", "until")
            if getattr(self, name) not in (None, False)
        ]
        if len(actions) != 1:
            raise ValueError(f"a step does exactly one thing; this one: {actions or 'nothing'}")
        if self.staff and not (self.post or self.get):
            raise ValueError("a staff step needs post: or get:")
        if self.wait:
            duration(self.wait)
        if self.until:
            china_time(self.until)
        return self

    @property
    def action(self) -> Literal["message", "staff", "clock"]:
        if self.staff:
            return "staff"
        if self.wait or self.until:
            return "clock"
        return "message"


class Story(Strict):
    story: str
    covers: list[str] = Field(default_factory=list)
    at: str = DEFAULT_START
    resident: str = "demo-wangnainai"
    # The server's own TZ for the story (e.g. UTC, America/New_York): what residents
    # read must not depend on it.
    server_tz: str | None = None
    steps: list[Step]

    @field_validator("at")
    @classmethod
    def _time(cls, value: str) -> str:
        china_time(value)
        return value
