"""One message to one resident, within WeChat's rules: the one place that decides how a
resident is reached. A customer-service message while the 48-hour window (less the
planning margin) is open and the day's quota lasts, else a template message when the
account may send one, else nothing (the caller learns it could not be planned). The
limits themselves are in `storage/outbound/platform_rules.py`; group posts (WeCom robots)
and broadcasts to many (notices, with their mass-send fallback) plan their own channels
from the same rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from storage.models import Delivery, Resident
from storage.outbound.deliveries import plan_delivery
from storage.outbound.platform_rules import fallback_channel, planned_channel

# The template a customer-service delivery falls back to, kept in its payload.
FALLBACK_KEY = "fallback_template"
# Set on a refused customer-service delivery: the id of the template delivery sent instead.
REPLACED_BY = "replaced_by"


@dataclass(frozen=True)
class Template:
    """The template message to fall back to: its id and its fields (`text` is always
    kept in the payload as well, for the console and the sandbox)."""

    template_id: str
    data: dict[str, Any] = field(default_factory=dict)


def notify(
    session: Session,
    resident: Resident,
    text: str,
    *,
    purpose: str,
    key: str,
    queue: str,
    now: datetime,
    template: Template,
    template_allowed: bool = True,
    pending_cs: int = 0,
    reserved: int = 0,
) -> Delivery | None:
    """Plan `text` for `resident` in the caller's transaction (idempotent by `key`).
    `pending_cs` counts customer-service messages already planned but not yet sent (they
    use the quota too); `reserved` keeps that many for replies the resident may need."""
    channel = planned_channel(
        resident.last_message_at,
        resident.cs_quota_used + pending_cs,
        now,
        template_allowed=template_allowed,
        reserved=reserved,
    )
    if channel is None:
        return None
    payload: dict[str, Any] = {"text": text}
    spec = template_payload(template, text)
    if channel == "template":
        payload.update(spec)
    elif template_allowed:
        payload[FALLBACK_KEY] = spec
    return plan_delivery(
        session,
        channel=channel,
        recipient=resident.openid,
        purpose=purpose,
        payload=payload,
        idempotency_key=key,
        queue=queue,
    )


def template_payload(template: Template, text: str, url: str | None = None) -> dict[str, Any]:
    """The template part of a delivery's payload (what the template channel reads)."""
    spec: dict[str, Any] = {
        "template_id": template.template_id,
        "data": dict(template.data) or {"first": text},
    }
    if url:
        spec["url"] = url
    return spec


def fall_back(session: Session, refused: Delivery, *, template_allowed: bool) -> Delivery | None:
    """WeChat refused a customer-service message for a reason no retry on that channel
    fixes (the 48-hour window closed, the quota used up): plan the same message as a
    template message, when the account may send one and the planner left one in the
    payload. Idempotent (the key derives from the refused delivery's); the caller
    commits, and marks the refused delivery as replaced."""
    channel = fallback_channel(refused.channel, template_allowed)
    payload = refused.payload or {}
    spec = payload.get(FALLBACK_KEY)
    if channel is None or not isinstance(spec, dict) or not spec.get("template_id"):
        return None
    return plan_delivery(
        session,
        channel=channel,
        recipient=refused.recipient,
        purpose=refused.purpose,
        payload={"text": payload.get("text", ""), **spec},
        idempotency_key=f"{refused.idempotency_key}:{channel}",
        queue=refused.queue,
    )
