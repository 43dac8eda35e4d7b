"""status_query and cancel for problem reports: a resident sees and withdraws only their own."""

from __future__ import annotations

import re
from datetime import timedelta

from handlers.base import Context, IntentHandler, Reply
from handlers.dialogue import DialogueState
from handlers.reports import texts
from handlers.reports.rating import RATE_FLOW
from storage.events import history
from storage.models import Building, ServiceRequest
from storage.requests.queries import by_code, resident_requests
from storage.requests.rules import (
    ACTION_LABELS,
    STATUS_LABELS,
    local_label,
)
from storage.requests.service import (
    ENTITY,
    is_follower,
    owner_label,
)

CODE = re.compile(r"M\d{8}-\d{3,}", re.IGNORECASE)
# A cancel is about a report when it names a ticket or speaks of reporting.
REPORT_WORDS = ("报", "反映", "问题", "投诉", "工单", "撤销", "维修", "修")
BARE_CANCELS = frozenset({"取消", "不用了", "算了", "撤销", "撤回"})
RECENT = timedelta(minutes=30)


def _line(ctx: Context, request: ServiceRequest) -> str:
    return texts.STATUS_LINE.format(
        code=request.code,
        category=request.category,
        status=STATUS_LABELS[request.status],
        owner=owner_label(ctx.session, request) if request.status != "accepted" else "待派单",
        due=local_label(request.due_at),
    )


def _public_location(ctx: Context, request: ServiceRequest) -> str:
    """Building level only: a follower never learns the reporter's room."""
    building = ctx.session.get(Building, request.building_id) if request.building_id else None
    return building.label if building is not None else "本社区"


def describe(ctx: Context, request: ServiceRequest) -> str:
    """The reporter sees the whole story; anyone else sees category, building, status,
    owner role and dates, never the reporter's words, name, phone or room."""
    mine = request.resident_id == ctx.resident.id
    text = texts.STATUS_DETAIL.format(
        code=request.code,
        category=request.category,
        location=request.location if mine else _public_location(ctx, request),
        status=STATUS_LABELS[request.status],
        owner=owner_label(ctx.session, request) if request.status != "accepted" else "待派单",
        due=local_label(request.due_at) if request.is_open else "—",
    )
    events = history(ctx.session, ENTITY, request.id)[-4:]
    if events:
        lines = []
        for event in events:
            label = STATUS_LABELS.get(event.to_state) or ACTION_LABELS.get(event.to_state, "")
            note = f"：{event.note}" if event.note and mine else ""
            if label:
                lines.append(f"{local_label(event.at)} {label}{note}")
        text += "\n" + texts.STATUS_RECENT + "\n" + "\n".join(line[:60] for line in lines)
    return text


def _ticket(ctx: Context) -> str | None:
    code = ctx.understood.entities.get("ticket_code")
    if code:
        return code.upper()
    found = CODE.search(ctx.message.text or "")
    return found.group(0).upper() if found else None


def _followed(ctx: Context, code: str) -> ServiceRequest | None:
    """The request with this code if the resident reported or follows it."""
    request = by_code(ctx.session, code)
    if request is None or not is_follower(ctx.session, request, ctx.resident.id):
        return None
    return request


def _awaiting_rating(ctx: Context) -> ServiceRequest | None:
    """The resident's just-resolved request still waiting for their rating: it is not
    "nothing in progress" to them, and a 不满意 will reopen it."""
    pending = ctx.sit.pending_rating
    request = ctx.session.get(ServiceRequest, pending.id) if pending is not None else None
    if request is None:
        return None
    ctx.next_dialogue = DialogueState(
        flow=RATE_FLOW,
        step="awaiting_rating",
        data={"expects": "rate", "carry": {"ticket_code": request.code}},
    )
    return request


class StatusQueryHandler(IntentHandler):
    name = "report_status"
    intents = frozenset({"status_query"})

    def handle(self, ctx: Context) -> Reply:
        code = _ticket(ctx)
        if code:
            request = _followed(ctx, code)
            if request is None:
                return Reply(texts.STATUS_NOT_FOUND.format(code=code))
            return Reply(describe(ctx, request))
        requests = resident_requests(ctx.session, ctx.resident.id)
        if not requests:
            awaiting = _awaiting_rating(ctx)
            if awaiting is not None:
                return Reply(
                    describe(ctx, awaiting) + "\n" + texts.STATUS_RATE.format(code=awaiting.code)
                )
            return Reply(texts.STATUS_NONE)
        if len(requests) == 1:
            return Reply(describe(ctx, requests[0]))
        lines = [texts.STATUS_LIST_HEAD.format(count=len(requests))]
        lines += [_line(ctx, r) for r in requests]
        lines.append("回复“查询 编号”可看详情。")
        return Reply("\n".join(lines))
