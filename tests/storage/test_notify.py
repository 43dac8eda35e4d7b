"""One message to one resident: the channel WeChat allows, and the payload for it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.runtime import Runtime
from storage.models import Delivery, Resident
from storage.outbound.notify import Template, fall_back, notify
from storage.outbound.platform_rules import CS_QUOTA

NOW = datetime(2026, 12, 4, 4, 0, tzinfo=UTC)
TEMPLATE = Template("shequ_request_update", {"first": "您反映的问题已办结", "keyword1": "M1"})


def plan(runtime: Runtime, last_message: timedelta | None, **options: object) -> Delivery | None:
    with runtime.session_factory() as session:
        resident = session.scalars(
            select(Resident).where(Resident.openid == "demo-wangnainai")
        ).one()
        resident.last_message_at = None if last_message is None else NOW - last_message
        resident.cs_quota_used = int(options.pop("used", 0))  # type: ignore[call-overload]
        delivery = notify(
            session,
            resident,
            "您反映的问题已办结",
            purpose="request_update",
            key=f"test:{last_message}:{sorted(options.items())}",
            queue="default",
            now=NOW,
            template=TEMPLATE,
            **options,  # type: ignore[arg-type]
        )
        session.commit()
        if delivery is not None:
            session.refresh(delivery)
            session.expunge(delivery)
        return delivery


def test_inside_the_window_a_customer_service_message(runtime: Runtime) -> None:
    delivery = plan(runtime, timedelta(hours=3))
    assert delivery is not None and delivery.channel == "customer_service"
    # It carries the template message to send instead if WeChat refuses it.
    assert delivery.payload == {
        "text": "您反映的问题已办结",
        "fallback_template": {"template_id": "shequ_request_update", "data": TEMPLATE.data},
    }
    assert delivery.recipient == "demo-wangnainai"


def test_a_refused_message_falls_back_once_to_the_template(runtime: Runtime) -> None:
    refused = plan(runtime, timedelta(hours=3))
    assert refused is not None
    with runtime.session_factory() as session:
        refused = session.get(Delivery, refused.id)
        assert refused is not None
        assert fall_back(session, refused, template_allowed=False) is None
        instead = fall_back(session, refused, template_allowed=True)
        assert instead is not None and instead.channel == "template"
        assert instead.payload == {
            "text": "您反映的问题已办结",
            "template_id": "shequ_request_update",
            "data": TEMPLATE.data,
        }
        assert instead.idempotency_key == refused.idempotency_key + ":template"
        assert fall_back(session, refused, template_allowed=True) is instead  # idempotent
        session.commit()
        template = session.get(Delivery, instead.id)
        assert template is not None
        # A template message that fails does not fall back anywhere.
        assert fall_back(session, template, template_allowed=True) is None


def test_window_closing_or_quota_used_falls_back_to_the_template(runtime: Runtime) -> None:
    late = plan(runtime, timedelta(hours=47, minutes=30))  # inside 48 h, not the margin
    assert late is not None and late.channel == "template"
    assert late.payload["template_id"] == "shequ_request_update"
    assert late.payload["data"] == TEMPLATE.data and late.payload["text"] == "您反映的问题已办结"
    spent = plan(runtime, timedelta(hours=1), used=CS_QUOTA)
    assert spent is not None and spent.channel == "template"
    queued = plan(runtime, timedelta(hours=1), pending_cs=CS_QUOTA)
    assert queued is not None and queued.channel == "template"


def test_no_template_allowed_and_window_closed_plans_nothing(runtime: Runtime) -> None:
    assert plan(runtime, None, template_allowed=False) is None
    assert plan(runtime, timedelta(days=3), template_allowed=False) is None
    with runtime.session_factory() as session:
        assert (
            session.scalars(select(Delivery).where(Delivery.purpose == "request_update")).all()
            == []
        )
    inside = plan(runtime, timedelta(hours=2), template_allowed=False)
    assert inside is not None and "fallback_template" not in inside.payload
