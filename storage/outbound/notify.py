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
from storage.outbound.platform_rules import planned_channel


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
    if channel == "template":
        payload.update(template_id=template.template_id, data=template.data or {"first": text})
    return plan_delivery(
        session,
        channel=channel,
        recipient=resident.openid,
        purpose=purpose,
        payload=payload,
        idempotency_key=key,
        queue=queue,
    )
