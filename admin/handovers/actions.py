"""The 转人工 queue as the console shows it: listing, detail, and claiming and closing
through the hand-over machine (storage/handovers/service.py), with an audit row for
each; shared by pages and API. The caller commits."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fastapi import HTTPException
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from admin.audit import audit_staff
from admin.deps import Staff, ensure_grid
from admin.labels import ActorNames, channel_label
from admin.timefmt import age_label, local_time
from storage.events import history
from storage.handovers import service as machine
from storage.handovers.service import HandoverRefused, claimed_by
from storage.labels import HANDOVER_LABELS
from storage.models import (
    Grid,
    Handover,
    Household,
    InboundMessage,
    Resident,
    Unit,
    utcnow,
)
from storage.outbound.platform_rules import cs_window_open, planned_channel
from storage.privacy import mask_phone

MAX_NOTE = machine.MAX_NOTE
STATUS_LABELS = HANDOVER_LABELS
EVENT_LABELS = {"message": "居民补充", "replied": "回复居民"}
# What the list shows for each filter.
FILTERS = {
    "active": ("open", "claimed"),
    "open": ("open",),
    "claimed": ("claimed",),
    "closed": ("closed",),
}
NOT_FOUND = "没有找到这条转人工记录"


@dataclass
class HandoverRow:
    id: int
    status: str
    grid_id: int | None
    grid_name: str
    resident_name: str
    address: str
    openid: str
    text: str
    created_at: datetime
    claimed_by: str | None = None
    message: str | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    resident_id: int | None = None
    phone: str = ""
    tel: str = ""
    channel_label: str = ""
    window_open: bool = False
    conversation: list[dict[str, Any]] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def age(self) -> str:
        return age_label(self.created_at, utcnow())

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "status_label": self.status_label,
            "grid_id": self.grid_id,
            "grid_name": self.grid_name,
            "resident_name": self.resident_name,
            "address": self.address,
            "openid": self.openid,
            "text": self.text,
            "created_at": self.created_at.isoformat(),
            "age": self.age,
            "claimed_by": self.claimed_by,
            "events": self.events,
        }


def _row(
    session: Session, handover: Handover, resident: Resident, grids: dict[int, str]
) -> HandoverRow:
    household = resident.household
    return HandoverRow(
        id=handover.id,
        status=handover.status,
        grid_id=handover.grid_id,
        grid_name=grids.get(handover.grid_id or 0, "未分网格"),
        resident_name=resident.name or "未登记姓名",
        address=household.address if household else "未登记住址",
        openid=resident.openid,
        text=handover.text or "",
        created_at=handover.created_at,
        claimed_by=claimed_by(session, handover.id) if handover.status != "open" else None,
    )


def _grid_names(session: Session) -> dict[int, str]:
    return {grid.id: grid.name for grid in session.scalars(select(Grid))}


def _with_resident() -> Any:
    return (
        select(Handover, Resident)
        .join(Resident, Handover.resident_id == Resident.id)
        .options(
            joinedload(Resident.household).joinedload(Household.unit).joinedload(Unit.building)
        )
        # Rows changed by our own conditional UPDATEs must not come from the identity map.
        .execution_options(populate_existing=True)
    )


def handovers_query(staff: Staff, status_filter: str = "active") -> Any:
    """The staff member's grids' hand-overs, oldest first."""
    statuses = FILTERS.get(status_filter, FILTERS["active"])
    query = _with_resident().where(Handover.status.in_(statuses))
    grids = staff.visible_grid_ids()
    if grids is not None:
        query = query.where(Handover.grid_id.in_(grids))
    return query.order_by(Handover.created_at, Handover.id)


def handover_rows(session: Session, query: Any) -> list[HandoverRow]:
    names = _grid_names(session)
    return [_row(session, h, r, names) for h, r in session.execute(query).all()]


def list_handovers(
    session: Session, staff: Staff, status_filter: str = "active", limit: int = 200
) -> list[HandoverRow]:
    return handover_rows(session, handovers_query(staff, status_filter).limit(limit))


def _load(session: Session, staff: Staff, handover_id: int) -> tuple[Handover, Resident]:
    found = session.execute(_with_resident().where(Handover.id == handover_id)).first()
    if found is None:
        raise HTTPException(status_code=404, detail=NOT_FOUND)
    handover, resident = found
    ensure_grid(staff, handover.grid_id)
    return handover, resident


def handover_detail(session: Session, staff: Staff, handover_id: int) -> HandoverRow:
    handover, resident = _load(session, staff, handover_id)
    row = _row(session, handover, resident, _grid_names(session))
    now = utcnow()
    row.resident_id = resident.id
    full = staff.sees_all_grids or staff.may_act_on(handover.grid_id)
    row.phone = (resident.phone or "") if full else mask_phone(resident.phone)
    row.tel = (resident.phone or "").replace(" ", "") if full else ""
    channel = planned_channel(resident.last_message_at, resident.cs_quota_used, now)
    row.channel_label = channel_label(channel) if channel else ""
    row.window_open = cs_window_open(resident.last_message_at, now)
    if handover.inbound_message_id:
        message = session.get(InboundMessage, handover.inbound_message_id)
        row.message = message.content if message else None
    names = ActorNames(session)
    events = history(session, "handover", handover_id)
    row.events = [
        {
            "at": local_time(e.at),
            "actor": names(e.actor),
            "from_state": STATUS_LABELS.get(e.from_state or "", e.from_state),
            "to_state": EVENT_LABELS.get(e.to_state) or STATUS_LABELS.get(e.to_state, "其他"),
            "note": e.note,
        }
        for e in events
    ]
    row.conversation = [
        {
            "at": local_time(e.at),
            "who": names(e.actor),
            "staff": e.to_state == "replied",
            "text": e.note or "",
        }
        for e in events
        if e.to_state in ("open", "message", "replied") and e.note
    ]
    return row


def _refused(exc: HandoverRefused) -> HTTPException:
    return HTTPException(status_code=409 if exc.conflict else 400, detail=exc.message)


def claim(session: Session, staff: Staff, handover_id: int, ip: str) -> None:
    handover, _ = _load(session, staff, handover_id)
    try:
        machine.claim(
            session, handover, actor=staff.actor, actor_name=staff.display_name, now=utcnow()
        )
    except HandoverRefused as exc:
        raise _refused(exc) from None
    audit_staff(session, staff, "claim", ip, "handover", handover_id)


def close(session: Session, staff: Staff, handover_id: int, note: str, ip: str) -> None:
    try:
        note = machine.clean_note(note)
        handover, _ = _load(session, staff, handover_id)
        machine.close(session, handover, actor=staff.actor, note=note, now=utcnow())
    except HandoverRefused as exc:
        raise _refused(exc) from None
    audit_staff(session, staff, "close", ip, "handover", handover_id, detail=note)


NOT_SENT = "该居民超过48小时没有互动且无法发送模板消息，暂时不能通过公众号回复，请电话联系"


def reply(session: Session, staff: Staff, handover_id: int, text: str, ip: str) -> None:
    handover, _ = _load(session, staff, handover_id)
    try:
        delivery = machine.reply(
            session,
            handover,
            text,
            actor=staff.actor,
            actor_name=staff.display_name,
            now=utcnow(),
        )
    except HandoverRefused as exc:
        raise _refused(exc) from None
    if delivery is None:
        raise HTTPException(status_code=409, detail=NOT_SENT)
    audit_staff(session, staff, "reply", ip, "handover", handover_id, detail=text.strip()[:200])
