"""Correcting and routing a request: changing its category, grid, building or urgency
with a reason, transferring it to another grid, and staff replies to the resident. Every
change is a conditional UPDATE on the status seen, an event row with the reason, and —
when it matters to them — a message to the reporter and followers through the outbound
policy (storage/outbound/notify.py). Callers commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from storage.events import record_event
from storage.models import Building, Delivery, Grid, Resident, ServiceRequest
from storage.requests.notify import notify_followers, notify_grid_staff, notify_resident
from storage.requests.rules import ACCEPTED, CATEGORIES, RETURNED
from storage.requests.service import ENTITY, TransitionError, sla_deadlines
from storage.writes import update_if

RESIDENT_URGENT = "您反映的问题（{code}）已列为紧急问题，我们会优先处理。"
RESIDENT_CATEGORY = "您反映的问题（{code}）已改为“{category}”类，由相应人员处理。"
RESIDENT_TRANSFER = "您反映的问题（{code}）已转交{grid}处理，我们会尽快安排。"
STAFF_TRANSFER = "【问题转派】{code} {category}｜{location}\n由{source}转来，原因：{reason}"
STAFF_POOL = "【问题退回】{code} {category}｜{location}\n{source}退回，原因：{reason}。请重新派单。"


@dataclass(frozen=True)
class OutsideUnit:
    name: str
    contact: str


def parse_outside_units(text: str) -> list[OutsideUnit]:
    """`名称|联系方式;名称|联系方式` → units (blank entries skipped)."""
    units: list[OutsideUnit] = []
    for part in text.split(";"):
        name, _, contact = part.partition("|")
        if name.strip():
            units.append(OutsideUnit(name.strip(), contact.strip()))
    return units


def _grid_name(session: Session, grid_id: int | None) -> str:
    grid = session.get(Grid, grid_id) if grid_id is not None else None
    return grid.name if grid else "社区派单池"


def _update(session: Session, request: ServiceRequest, **values: Any) -> None:
    seen = request.status
    if not update_if(
        session,
        ServiceRequest,
        ServiceRequest.id == request.id,
        ServiceRequest.status == seen,
        ServiceRequest.is_open.is_(True),
        **values,
    ):
        session.refresh(request)
        raise TransitionError("该事项刚被其他人处理过，请刷新后再试")
    session.refresh(request)


def correct(
    session: Session,
    request: ServiceRequest,
    *,
    actor: str,
    now: datetime,
    reason: str,
    category: str | None = None,
    building_id: int | None = None,
    urgent: bool | None = None,
) -> list[str]:
    """Change category, building and/or urgency; the list of changes in words (empty:
    nothing changed). A new building moves the request to that building's grid. A new
    category or urgency recomputes the deadlines from when it was reported."""
    if not request.is_open:
        raise TransitionError("已办结或已撤销的事项不能修改")
    if not reason.strip():
        raise TransitionError("请填写修改原因", status=400)
    changes: list[str] = []
    values: dict[str, Any] = {"updated_at": now}
    if category is not None and category != request.category:
        if category not in CATEGORIES:
            raise TransitionError("没有这个类别", status=400)
        changes.append(f"类别：{request.category} → {category}")
        values["category"] = category
    if urgent is not None and urgent != request.urgent:
        changes.append("标为紧急" if urgent else "取消紧急")
        values["urgent"] = urgent
    if building_id is not None and building_id != request.building_id:
        building = session.get(Building, building_id)
        if building is None or building.community_id != request.community_id:
            raise TransitionError("没有这个楼栋", status=400)
        old = session.get(Building, request.building_id) if request.building_id else None
        changes.append(f"楼栋：{old.label if old else '未知'} → {building.label}")
        values["building_id"] = building.id
        if building.grid_id != request.grid_id:
            changes.append(
                f"网格：{_grid_name(session, request.grid_id)} → "
                f"{_grid_name(session, building.grid_id)}"
            )
            values.update(grid_id=building.grid_id, owner_staff_id=None, owner_name=None)
    if not changes:
        return []
    if "category" in values or "urgent" in values:
        deadlines = sla_deadlines(
            session,
            values.get("category", request.category),
            values.get("urgent", request.urgent),
            request.created_at,
            request.community_id,
        )
        values.update(deadlines, escalation_level=0)
    _update(session, request, **values)
    note = "；".join(changes) + f"。原因：{reason.strip()}"
    record_event(
        session,
        ENTITY,
        request.id,
        actor=actor,
        from_state=request.status,
        to_state="corrected",
        note=note[:500],
    )
    key = f"corrected:{int(now.timestamp() * 1000)}"
    if values.get("urgent"):
        notify_followers(session, request, RESIDENT_URGENT.format(code=request.code), key, now)
    elif "category" in values:
        text = RESIDENT_CATEGORY.format(code=request.code, category=request.category)
        notify_followers(session, request, text, key, now)
    if "grid_id" in values:
        staff_text = STAFF_TRANSFER.format(
            code=request.code,
            category=request.category,
            location=request.location,
            source="其他网格",
            reason=reason.strip(),
        )
        notify_grid_staff(session, request, staff_text, key)
    return changes


def transfer_to_grid(
    session: Session,
    request: ServiceRequest,
    grid_id: int,
    *,
    actor: str,
    now: datetime,
    reason: str,
) -> None:
    """Hand the request to another grid's workers: unowned there, to be claimed."""
    if not reason.strip():
        raise TransitionError("请填写转派原因", status=400)
    grid = session.get(Grid, grid_id)
    if grid is None or grid.community_id != request.community_id:
        raise TransitionError("没有这个网格", status=400)
    if grid_id == request.grid_id:
        raise TransitionError("已经在这个网格", status=400)
    source = _grid_name(session, request.grid_id)
    seen = request.status
    _update(
        session,
        request,
        grid_id=grid_id,
        owner_staff_id=None,
        owner_name=None,
        status=ACCEPTED if seen != RETURNED else RETURNED,
        escalation_level=0,
        updated_at=now,
    )
    record_event(
        session,
        ENTITY,
        request.id,
        actor=actor,
        from_state=seen,
        to_state="transferred",
        note=f"{source} → {grid.name}。原因：{reason.strip()}"[:500],
    )
    key = f"transferred:{int(now.timestamp() * 1000)}"
    notify_followers(
        session, request, RESIDENT_TRANSFER.format(code=request.code, grid=grid.name), key, now
    )
    notify_grid_staff(
        session,
        request,
        STAFF_TRANSFER.format(
            code=request.code,
            category=request.category,
            location=request.location,
            source=source,
            reason=reason.strip(),
        ),
        key,
    )


def returned_to_pool(
    session: Session, request: ServiceRequest, source_grid_id: int | None, reason: str
) -> None:
    """After 退回: the request leaves the grid for the community's dispatch pool and the
    community's work group is told to dispatch it again."""
    if source_grid_id is None:
        return
    source = _grid_name(session, source_grid_id)
    update_if(
        session,
        ServiceRequest,
        ServiceRequest.id == request.id,
        ServiceRequest.status == RETURNED,
        grid_id=None,
    )
    session.refresh(request)
    text = STAFF_POOL.format(
        code=request.code,
        category=request.category,
        location=request.location,
        source=source,
        reason=reason,
    )
    notify_grid_staff(session, request, text, f"pool:{request.updated_at.timestamp():.0f}")


def reply_to_resident(
    session: Session,
    request: ServiceRequest,
    resident: Resident,
    text: str,
    *,
    actor: str,
    staff_name: str,
    now: datetime,
) -> Delivery | None:
    """A staff member's words to a reporter or follower, through the outbound policy;
    None when WeChat allows no message now (nothing is recorded as sent)."""
    body = f"【{staff_name}回复】您反映的问题（{request.code}）：{text}"
    delivery = notify_resident(
        session,
        request,
        resident,
        body,
        f"reply:{int(now.timestamp() * 1000)}",
        now,
        purpose="request_reply",
    )
    if delivery is not None:
        record_event(
            session,
            ENTITY,
            request.id,
            actor=actor,
            from_state=request.status,
            to_state="replied",
            note=f"回复{resident.name or '居民'}：{text}"[:500],
        )
    return delivery
