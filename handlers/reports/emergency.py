"""Emergencies first: 电梯困人, 燃气泄漏, 着火, 水管爆裂 … are filed at once.

Whatever location is known is enough (a building, or none at all: then the community's
duty staff get it); the safety advice is in the same reply, and the missing details are
asked afterwards and added to the same request. No flow holds an emergency back.
"""

from __future__ import annotations

from sqlalchemy import select

import nlp
from handlers.base import Context, Reply
from handlers.flows import in_flow, start
from handlers.reports import texts
from handlers.reports.report import Place, handled_by, locate, new_request
from storage.events import record_event
from storage.models import Building, ServiceRequest
from storage.requests.rules import deadline_label, is_urgent
from storage.requests.service import ENTITY
from storage.residents.queries import community_for_account, find_household

DETAILS_FLOW = "report_details"
ADVICE = {
    "elevator": "请被困的人不要扒门、不要强行出来，按电梯里的警铃，保持冷静等待救援。",
    "gas": "请不要开关电器、不要点火，马上开窗通风，关掉燃气总阀，人先离开屋子。",
    "fire": "请马上拨打119，不要乘电梯，用湿毛巾捂住口鼻，弯腰从楼梯撤离。",
    "water": "请先关掉家里的水表总阀，断开漏水处附近的电源，注意防滑。",
    "electric": "请不要触碰电线，先断开电闸，远离冒火或漏电的地方。",
    "injury": "请先拨打120，不要随意搬动伤者。",
    "other": "如有危险请先拨打119/110，注意安全。",
}
KIND_WORDS = (
    ("elevator", ("电梯",)),
    ("gas", ("燃气", "煤气", "天然气", "漏气")),
    ("fire", ("火", "烟")),
    ("water", ("水管", "爆管", "水漫", "淹", "进水", "漏水")),
    ("electric", ("电线", "漏电", "触电")),
    ("injury", ("摔倒", "晕倒", "受伤", "昏迷")),
)
ADDRESS_KEYS = ("building", "unit", "room")


def emergency_kind(text: str) -> str | None:
    """The kind of danger, or None when the message is not an emergency."""
    cue = getattr(nlp, "is_emergency", None)
    if cue is not None:
        kind = cue(text)
        if not kind:  # is_urgent(text) would ask the same cue again: not urgent either
            return None
    elif not is_urgent(text):
        return None
    for name, words in KIND_WORDS:
        if any(word in text for word in words):
            return name
    return "other"


class EmergencyHandler:
    """Offered every text message before any flow: danger never waits for an address."""

    name = "report_emergency"

    def matches(self, ctx: Context) -> bool:
        text = ctx.message.text
        return bool(text) and emergency_kind(text or "") is not None

    def handle(self, ctx: Context) -> Reply:
        text = ctx.message.text or ""
        kind = emergency_kind(text) or "other"
        community = community_for_account(ctx.session, ctx.message.account)
        if community is None:
            return Reply(None)
        place = locate(ctx, community)
        if isinstance(place, str) or place is None:
            place = Place(None, None, "位置待补充")
        category = ctx.understood.entities.get("category") or _category_for(kind)
        request = new_request(ctx, community, place, text, category, urgent=True)
        lines = [
            f"已受理，编号 {request.code}，已按紧急情况通知{handled_by(ctx, request.grid_id)}。",
            f"问题：{category}｜{place.label}",
            ADVICE[kind],
        ]
        missing = _missing(ctx, place)
        if missing:
            start(ctx, DETAILS_FLOW, "awaiting_place", request_id=request.id)
            lines.append(f"为了尽快找到出事的地方，请再告诉我{missing}，如：3号楼2单元501。")
        else:
            lines.append(f"{deadline_label(request.respond_by, ctx.now)}前会联系您。")
        return Reply("\n".join(lines))


def _category_for(kind: str) -> str:
    return {
        "elevator": "电梯",
        "gas": "水电燃气",
        "fire": "治安安全",
        "water": "房屋维修",
        "electric": "水电燃气",
    }.get(kind, "其他")


def _missing(ctx: Context, place: Place) -> str:
    if place.household is not None:
        return ""
    if place.building is None:
        return "楼号、单元号和房号"
    return "单元号和房号"


def take_details(ctx: Context) -> Reply | None:
    """The missing part of an emergency's location, added to the request already filed."""
    if not in_flow(ctx, DETAILS_FLOW) or ctx.dialogue is None:
        return None
    entities = ctx.understood.entities
    if not any(entities.get(k) for k in ADDRESS_KEYS):
        return None
    request = ctx.session.get(ServiceRequest, int(ctx.dialogue.data.get("request_id") or 0))
    community = community_for_account(ctx.session, ctx.message.account)
    if request is None or community is None:
        return None
    data = dict(ctx.dialogue.data)
    building = entities.get("building") or data.get("building")
    if building is None and request.building_id is not None:
        known = ctx.session.get(Building, request.building_id)
        building = known.number if known else None
    unit = entities.get("unit") or data.get("unit")
    room = entities.get("room") or data.get("room")
    if entities.get("building") and request.building_id is None:
        found = _building_of(ctx, community.id, str(building))
        if found is not None:
            request.building_id, request.grid_id = found.id, found.grid_id
    household = (
        find_household(ctx.session, community.id, str(building), str(unit), str(room))
        if building and unit and room
        else None
    )
    if household is not None:
        request.household_id = household.id
        request.building_id = household.unit.building_id
        request.grid_id = household.unit.building.grid_id
        request.location = household.address
    else:
        parts = [f"{building}号楼" if building else "", f"{unit}单元" if unit else "", room or ""]
        request.location = "".join(str(p) for p in parts) or request.location
    still = [name for name, v in (("楼号", building), ("单元号", unit), ("房号", room)) if not v]
    if household is None and still:
        data.update(building=building, unit=unit, room=room)
        start(ctx, DETAILS_FLOW, "awaiting_place", **data)
    else:
        ctx.next_dialogue = None
    record_event(
        ctx.session,
        ENTITY,
        request.id,
        actor=f"resident:{ctx.resident.openid}",
        to_state="note",
        note=f"补充位置：{request.location}",
    )
    reply = texts.LOCATION_ADDED.format(code=request.code, location=request.location)
    if household is None and still:
        reply += f"\n还请告诉我{'、'.join(still)}。"
    return Reply(reply)


def _building_of(ctx: Context, community_id: int, number: str) -> Building | None:
    return ctx.session.scalar(
        select(Building).where(
            Building.community_id == community_id, Building.number == number.lstrip("0")
        )
    )
