"""Shared by the volunteer and meal handlers: which flows are ours, who is a volunteer."""

from __future__ import annotations

import re

from handlers.base import Context, IntentHandler
from storage.models import VolunteerProfile
from storage.residents.queries import community_for_account
from storage.volunteers.profiles import profile_of

SIGNUP_FLOW = "volunteer_signup"
MEAL_FLOW = "meal_order"
# Flows that own every message until they end (a reply there is an answer, not a request).
EXCLUSIVE_FLOWS = frozenset({SIGNUP_FLOW, MEAL_FLOW})
# Other features' flows whose next message answers their question: we leave those alone
# (our handlers are listed first so that no one else reads the answers to ours).
FOREIGN_QUESTIONS = frozenset(
    {"register_address", "job_seek", "report_duplicate", "report_reason", "report_followup"}
)
CODE = re.compile(r"[Tt]\s*(\d{1,9})")


class FeatureHandler(IntentHandler):
    """Matches its intents unless another of our exclusive flows is in progress."""

    def matches(self, ctx: Context) -> bool:
        if ctx.message.msg_type == "event" and (ctx.message.event or "").lower() != "click":
            return False
        flow = ctx.dialogue.flow if ctx.dialogue is not None else None
        if flow in EXCLUSIVE_FLOWS:
            return flow in self.flows
        if flow in FOREIGN_QUESTIONS:
            return False
        return self.wants(ctx)

    def wants(self, ctx: Context) -> bool:
        return ctx.understood.intent in self.intents


def text_of(ctx: Context) -> str:
    return (ctx.message.text or "").strip()


def volunteer(ctx: Context) -> VolunteerProfile | None:
    return profile_of(ctx.session, ctx.resident.id)


def community_id(ctx: Context) -> int:
    community = community_for_account(ctx.session, ctx.message.account)
    assert community is not None
    return community.id


def task_code(ctx: Context) -> str | None:
    code = ctx.understood.entities.get("task_code")
    if code:
        return str(code).upper()
    match = CODE.search(text_of(ctx))
    return f"T{match.group(1)}" if match else None


def actor(ctx: Context) -> str:
    return f"resident:{ctx.resident.openid}"
