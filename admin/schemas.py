"""Models the console's JSON API declares: the shared base of every answer, and the
answers of the general console routes in admin/api.py (who am I, dashboard, hand-overs,
inbound messages, outbound deliveries). Feature packages keep theirs in
admin/<feature>/schemas.py. Times the console shows are strings, as the routes send them."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from admin.handovers.actions import MAX_NOTE

# A JSON number the code sends as an int or a float (pydantic would turn 3 into 3.0).
Number = int | float


class Public(BaseModel):
    """An answer: every key the route sends is declared, with its exact type (an
    undeclared key or a value of another type is an error rather than silently dropped
    or converted, so the documentation cannot fall behind the code)."""

    model_config = ConfigDict(extra="forbid", strict=True)


class MePublic(Public):
    username: str
    display_name: str
    role: str
    role_label: str
    grid_ids: list[int]
    csrf_token: str = Field(description="放在每个 POST 的 X-CSRF-Token 请求头里")


class GridHandovers(Public):
    name: str
    open: int
    claimed: int


class DeliveryCount(Public):
    status: str
    label: str
    count: int


class DashboardPublic(Public):
    messages_today: int
    handovers: list[GridHandovers]
    deliveries: list[DeliveryCount]


class HandoverEvent(Public):
    at: str
    actor: str
    from_state: str | None
    to_state: str
    note: str | None


class HandoverPublic(Public):
    id: int
    status: str
    status_label: str
    grid_id: int | None
    grid_name: str
    resident_name: str
    address: str
    openid: str
    text: str
    created_at: str
    age: str
    claimed_by: str | None
    events: list[HandoverEvent]


class CloseIn(BaseModel):
    note: str = Field(min_length=1, max_length=MAX_NOTE)


class MessagePublic(Public):
    id: int
    openid: str
    resident_name: str
    received_at: str
    msg_type: str
    msg_type_label: str = ""
    content: str
    intent: str
    intent_label: str = ""
    status: str
    reply_text: str


class DeliveryPublic(Public):
    id: int
    channel: str
    channel_label: str = ""
    recipient: str
    recipient_label: str = ""
    purpose: str
    purpose_label: str = ""
    queue: str
    status: str
    status_label: str
    attempts: int
    last_error: str
    created_at: str
    sent_at: str
    next_attempt_at: str
    retryable: bool
    retry_confirm: str


class Bar(Public):
    """One bar of a chart: the value and its width in percent of the largest."""

    label: str
    value: Number
    pct: Number
