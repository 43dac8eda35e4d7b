"""Small helpers shared by test modules (fixtures live in the conftest.py files)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from storage.models import Delivery
from storage.outbound.deliveries import plan_delivery


def plan_text(
    session: Session, *, channel: str, recipient: str, text: str, key: str, purpose: str = "p"
) -> Delivery:
    """`plan_delivery` of a plain text message (payload {"text": text})."""
    return plan_delivery(
        session,
        channel=channel,
        recipient=recipient,
        purpose=purpose,
        payload={"text": text},
        idempotency_key=key,
    )
