"""说: a report_problem message becomes a request in its grid's queue, or follows an open
request about the same problem; without any address the address flow runs first and the
report continues by itself once the address is bound."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

from sqlalchemy import select

from handlers.address import FLOW as ADDRESS_FLOW
from handlers.base import Context, IntentHandler, Reply, Understood
from handlers.context import is_affirmative
from handlers.dialogue import DialogueState
from handlers.flows import start
from handlers.reports import texts
from storage.models import Building, Community, Household, RequestSubscriber, ServiceRequest
from storage.requests.rules import STATUS_LABELS, deadline_label, is_urgent
from storage.requests.service import (
    NewRequest,
    create_request,
    find_duplicate,
    subscribe,
    unsubscribe,
)
from storage.residents.queries import community_for_account, find_household, grid_workers

DUP_FLOW = "report_duplicate"
STATUS_OR_NEW_FLOW = "report_or_status"
OFFER_WINDOW = timedelta(minutes=30)
NEW_PROBLEM_ANSWERS = frozenset({"新问题", "不是", "不是同一个", "不是同一个问题", "不一样", "2"})
ASK_ADDRESS_FIRST = "好的。为了让负责您楼栋的网格员来处理，请先告诉我您的住址，如：3号楼2单元501。"


@dataclass
class Place:
    building: Building | None
    household: Household | None
    label: str


def _building(ctx: Context, community: Community, number: str) -> Building | None:
    return ctx.session.scalar(
        select(Building).where(
            Building.community_id == community.id, Building.number == number.lstrip("0")
        )
    )


def locate(ctx: Context, community: Community) -> Place | str | None:
    """Where the problem is: the message's address, else the resident's household.
    A string is a reply (the building does not exist); None means nothing is known."""
    entities = ctx.understood.entities
    number = entities.get("building")
    if number:
        building = _building(ctx, community, number)
        if building is None:
            return texts.NO_BUILDING.format(building=number)
        unit, room = entities.get("unit"), entities.get("room")
        if unit and room:
            household = find_household(ctx.session, community.id, number, unit, room)
            if household is not None:
                return Place(building, household, household.address)
        label = building.label + (f"{unit.lstrip('0')}单元" if unit else "")
        return Place(building, None, label)
    household = ctx.resident.household
    if household is not None:
        return Place(household.unit.building, household, household.address)
    return None


def handled_by(ctx: Context, grid_id: int | None) -> str:
    if grid_id is None:
        return "社区工作人员"
    workers = grid_workers(ctx.session, grid_id)
    names = "、".join(w.display_name for w in workers)
    return f"网格员{names}" if names else "网格员"


def new_request(
    ctx: Context, community: Community, place: Place, text: str, category: str, urgent: bool
) -> ServiceRequest:
    """The resident's report as a request in its building's grid (the community's if none)."""
    building = place.building
    return create_request(
        ctx.session,
        NewRequest(
            community_id=community.id,
            grid_id=building.grid_id if building else None,
            building_id=building.id if building else None,
            household_id=place.household.id if place.household else None,
            location=place.label,
            category=category,
            description=text,
            urgent=urgent,
            resident_id=ctx.resident.id,
            inbound_message_id=ctx.inbound_id,
        ),
        actor=f"resident:{ctx.resident.openid}",
        now=ctx.now,
    )


def file_report(ctx: Context, community: Community, place: Place, text: str) -> Reply:
    category = ctx.understood.entities.get("category") or "其他"
    request = new_request(ctx, community, place, text, category, is_urgent(text))
    return Reply(
        texts.CREATED.format(
            code=request.code,
            category=category,
            location=place.label,
            urgent=texts.URGENT_LINE if request.urgent else "",
            who=handled_by(ctx, request.grid_id),
            respond_by=deadline_label(request.respond_by, ctx.now),
        )
    )


class ReportProblemHandler(IntentHandler):
    name = "report_problem"
    intents = frozenset({"report_problem"})

    def matches(self, ctx: Context) -> bool:
        msg = ctx.message
        if msg.msg_type == "event" and (msg.event or "").lower() != "click":
            return False
        if _declines_offer(ctx):
            return True
        return ctx.understood.intent in self.intents and bool(msg.text)

    def handle(self, ctx: Context) -> Reply:
        community = community_for_account(ctx.session, ctx.message.account)
        if community is None:
            return Reply(None)
        if _pending_offer(ctx) is not None:
            return self._not_a_duplicate(ctx, community)
        text = ctx.message.text or ""
        maybe = ctx.understood.entities.get("maybe_status")
        if maybe:
            start(ctx, STATUS_OR_NEW_FLOW, "asked", code=maybe, text=text)
            return Reply(texts.STATUS_OR_NEW.format(code=maybe))
        place = locate(ctx, community)
        if isinstance(place, str):
            return Reply(place)
        if place is None:
            ctx.next_dialogue = DialogueState(
                flow=ADDRESS_FLOW,
                step="awaiting_address",
                data={"tries": 0, "resume": {"intent": "report_problem", "text": text}},
            )
            return Reply(ASK_ADDRESS_FIRST)
        category = ctx.understood.entities.get("category") or "其他"
        building_id = place.building.id if place.building else None
        duplicate = find_duplicate(ctx.session, building_id, category, ctx.now)
        if duplicate is not None:
            return self._offer_duplicate(ctx, duplicate, text, place)
        if ctx.dialogue is not None and ctx.dialogue.flow in (DUP_FLOW, "not_understood"):
            ctx.next_dialogue = None
        return file_report(ctx, community, place, text)

    def _offer_duplicate(
        self, ctx: Context, duplicate: ServiceRequest, text: str, place: Place
    ) -> Reply:
        status = STATUS_LABELS[duplicate.status]
        mine = duplicate.resident_id == ctx.resident.id
        added = not mine and subscribe(
            ctx.session,
            duplicate,
            ctx.resident.id,
            actor=f"resident:{ctx.resident.openid}",
            text=text,
            now=ctx.now,
        )
        if mine or not added:
            # Kept in the dialogue: nothing else remembers what was said this time.
            ctx.next_dialogue = DialogueState(
                flow=DUP_FLOW, step="offered", data={"request_id": duplicate.id, "text": text}
            )
            return Reply(texts.ALREADY_REPORTED.format(code=duplicate.code, status=status))
        return Reply(
            texts.DUPLICATE.format(
                location=place.building.label if place.building else place.label,
                code=duplicate.code,
                status=status,
                count=duplicate.same_count,
            )
        )

    def _not_a_duplicate(self, ctx: Context, community: Community) -> Reply:
        offer = _pending_offer(ctx)
        if offer is None:
            return Reply(texts.WHICH_NEW_PROBLEM)
        duplicate, original, subscribed = offer
        if ctx.dialogue is not None and ctx.dialogue.flow == DUP_FLOW:
            ctx.next_dialogue = None
        if duplicate is not None and subscribed:
            unsubscribe(
                ctx.session, duplicate, ctx.resident.id, actor=f"resident:{ctx.resident.openid}"
            )
        # Understand the original report again, as it was first said.
        ctx.understood = ctx.understand(original)
        place = locate(ctx, community)
        if not isinstance(place, Place):
            return Reply(place or ASK_ADDRESS_FIRST)
        return file_report(ctx, community, place, original)


def _declines_offer(ctx: Context) -> bool:
    """Looks like "新问题" after a duplicate offer (checked in detail by `_pending_offer`)."""
    answer = (ctx.message.text or "").strip().strip("。！!，,.~～ ")
    if answer not in NEW_PROBLEM_ANSWERS:
        return False
    if ctx.dialogue is not None and ctx.dialogue.flow == DUP_FLOW:
        return True
    followed = any(not t.mine for t in ctx.sit.open_tickets)
    return followed and not answer.isdigit()


def take_status_or_new(ctx: Context) -> Reply | None:
    """The answer to 「您是想：1. 查询 M… 的进展 2. 反映新问题」."""
    if ctx.dialogue is None or ctx.dialogue.flow != STATUS_OR_NEW_FLOW:
        return None
    answer = (ctx.message.text or "").strip().strip("。！!，,.~～ ")
    data = ctx.dialogue.data
    if answer in ("1", "查询", "进展", "查进度"):
        from handlers.reports.status import StatusQueryHandler

        ctx.next_dialogue = None
        ctx.understood = Understood("status_query", 1.0, {"ticket_code": str(data["code"])})
        return StatusQueryHandler().handle(ctx)
    if answer in ("2", "新问题", "反映新问题", "新的"):
        ctx.next_dialogue = None
        original = str(data.get("text") or "")
        ctx.message = replace(ctx.message, msg_type="text", content=original, recognition=None)
        ctx.understood = ctx.understand(original)
        return ReportProblemHandler().handle(ctx)
    return None


def _pending_offer(ctx: Context) -> tuple[ServiceRequest | None, str, bool] | None:
    """(request, original text, subscribed) when this message declines a duplicate offer:
    the resident's own repeat (kept in the dialogue) or a follow made in the last half hour."""
    answer = (ctx.message.text or "").strip().strip("。！!，,.~～ ")
    if answer not in NEW_PROBLEM_ANSWERS:
        return None
    if ctx.dialogue is not None and ctx.dialogue.flow == DUP_FLOW:
        data = ctx.dialogue.data
        request = ctx.session.get(ServiceRequest, int(data.get("request_id", 0)))
        return request, str(data.get("text", "")), False
    if answer.isdigit():
        return None
    follow = ctx.session.scalar(
        select(RequestSubscriber)
        .where(
            RequestSubscriber.resident_id == ctx.resident.id,
            RequestSubscriber.created_at >= ctx.now - OFFER_WINDOW,
        )
        .order_by(RequestSubscriber.id.desc())
        .limit(1)
    )
    if follow is None or not follow.text:
        return None
    return ctx.session.get(ServiceRequest, follow.request_id), follow.text, True


def take_duplicate_answer(ctx: Context) -> Reply | None:
    """After 「您已反映过这个问题…如果是另一个问题，请回复“新问题”」: 新问题 files it; a plain
    yes/ok is acknowledged; anything else is a new message."""
    if ctx.dialogue is None or ctx.dialogue.flow != DUP_FLOW:
        return None
    handler = ReportProblemHandler()
    if handler.matches(ctx):
        return handler.handle(ctx)
    if is_affirmative(ctx.message.text or ""):
        ctx.next_dialogue = None
        request = ctx.session.get(ServiceRequest, int(ctx.dialogue.data.get("request_id") or 0))
        code = request.code if request else ""
        return Reply(texts.KEEP_FOLLOWING.format(code=code))
    return None
