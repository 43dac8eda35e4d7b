"""RQ jobs of problem reports: photo download, asking for a rating, SLA chasing (督),
rating reminders and the follow-up questionnaire. Periodic ones take `now=` for tests;
each commits its own work."""

from __future__ import annotations

import logging
import mimetypes
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.flow_starts import start_flow
from bot.runtime import get_runtime
from handlers.dialogue import DialogueState
from handlers.reports import texts
from handlers.reports.rating import FOLLOWUP_FLOW, RATE_FLOW
from storage.events import history
from storage.models import Event, RequestPhoto, Resident, ServiceRequest, StaffAccount, utcnow
from storage.requests.notify import followers, notify_group, notify_resident
from storage.requests.rules import (
    COMMUNITY_ESCALATION_AFTER,
    RESOLVED,
    WARN_FRACTION,
    duration_words,
    local_label,
)
from storage.requests.service import ENTITY, owner_label, record_action

log = logging.getLogger(__name__)

RATING_REMIND_AFTER = timedelta(hours=24)
RATING_CLOSE_AFTER = timedelta(hours=48)  # after the reminder
FOLLOWUP_AFTER = timedelta(days=7)
RATING_TTL = int((RATING_REMIND_AFTER + RATING_CLOSE_AFTER).total_seconds())
FOLLOWUP_TTL = 3 * 24 * 3600
ACTOR = "system:督办"
MAX_PHOTO_BYTES = 10 * 1024 * 1024
WARN = "【临期提醒】{code} {category}｜{location}\n负责人：{owner}，期限{due}，请抓紧办理。"
ESCALATE = (
    "【超期督办·{level}】{code} {category}｜{location}\n负责人：{owner}，期限{due}，已超期{hours}。"
)
CONTACT_LATE = (
    "【联系超期】{code} {category}｜{location}\n应在{respond_by}前联系居民，已超过{late}，"
    "请尽快认领并联系。"
)


def _now(now: datetime | None) -> datetime:
    return now or utcnow()


def _reporter(session: Session, request: ServiceRequest) -> Resident | None:
    return session.get(Resident, request.resident_id) if request.resident_id else None


def _set_dialogue(openid: str, state: DialogueState, ttl: int) -> None:
    """Only when the resident is not in the middle of another conversation (the pending
    rating is also in the resident's situation, so a 不满意 is understood either way)."""
    start_flow(openid, state, replaceable=(RATE_FLOW, FOLLOWUP_FLOW))


def download_photo(photo_id: int) -> str:
    runtime = get_runtime()
    with runtime.session_factory() as session:
        photo = session.get(RequestPhoto, photo_id)
        if photo is None or photo.status == "stored":
            return "skipped"
        request = session.get(ServiceRequest, photo.request_id)
        assert request is not None
        client = runtime.wechat_client()
        response = client.media.download(photo.media_id)
        content_type = response.headers.get("Content-Type", "application/octet-stream")
        if "json" in content_type or "text" in content_type:
            photo.status = "failed"
            photo.error = response.text[:500]
            get_runtime().commit(session)
            return "failed"
        body = response.content[:MAX_PHOTO_BYTES]
        ext = mimetypes.guess_extension(content_type.split(";")[0].strip()) or ".bin"
        folder = Path(runtime.settings.data_dir) / "media" / request.code
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{photo.id}{ext}"
        path.write_bytes(body)
        photo.status = "stored"
        photo.path = str(path)
        photo.content_type = content_type
        photo.size = len(body)
        photo.stored_at = utcnow()
        photo.error = None
        get_runtime().commit(session)
        return "stored"


def ask_rating(request_id: int, now: datetime | None = None) -> str:
    """Tell followers the request is resolved; ask the reporter to rate it."""
    current = _now(now)
    runtime = get_runtime()
    with runtime.session_factory() as session:
        request = session.get(ServiceRequest, request_id)
        if request is None or request.status != RESOLVED or request.rating_state:
            return "skipped"
        text = texts.ASK_RATING.format(code=request.code, note=request.status_note or "已处理")
        resolved_key = f"resolved:{int((request.resolved_at or current).timestamp())}"
        reporter = _reporter(session, request)
        for resident in followers(session, request):
            if resident.id == (reporter.id if reporter else None):
                notify_resident(session, request, resident, text, resolved_key, current)
            else:
                done = f"您关注的问题（{request.code}）已办结：{request.status_note or '已处理'}"
                notify_resident(session, request, resident, done, resolved_key, current)
        request.rating_state = "asked" if reporter else "not_rated"
        request.rating_asked_at = current
        record_action(session, request, "rating_asked", actor=ACTOR, note=None)
        get_runtime().commit(session)
    if reporter is not None:
        _set_dialogue(
            reporter.openid,
            DialogueState(
                flow=RATE_FLOW,
                step="awaiting_rating",
                data={"expects": "rate", "carry": {"ticket_code": request.code}},
            ),
            RATING_TTL,
        )
    return "asked"


def rating_reminders(now: datetime | None = None) -> dict[str, int]:
    """One reminder a day after the ask; closed as not rated two days after that."""
    current = _now(now)
    counts = {"reminded": 0, "not_rated": 0}
    runtime = get_runtime()
    remind: list[tuple[str, str]] = []
    with runtime.session_factory() as session:
        due = select(ServiceRequest).where(
            ServiceRequest.status == RESOLVED,
            or_(
                (ServiceRequest.rating_state == "asked")
                & (ServiceRequest.rating_asked_at <= current - RATING_REMIND_AFTER),
                (ServiceRequest.rating_state == "reminded")
                & (ServiceRequest.rating_asked_at <= current - RATING_CLOSE_AFTER),
            ),
        )
        for request in session.scalars(due.limit(500)):
            reporter = _reporter(session, request)
            if request.rating_state == "asked" and reporter is not None:
                text = texts.RATING_REMINDER.format(code=request.code)
                notify_resident(session, request, reporter, text, "rating-reminder", current)
                request.rating_state = "reminded"
                request.rating_asked_at = current
                record_action(session, request, "rating_reminded", actor=ACTOR, note=None)
                remind.append((reporter.openid, request.code))
                counts["reminded"] += 1
            else:
                request.rating_state = "not_rated"
                request.closed_at = current
                record_action(session, request, "not_rated", actor=ACTOR, note="居民未评价")
                counts["not_rated"] += 1
        get_runtime().commit(session)
    for openid, code in remind:
        state = DialogueState(
            flow=RATE_FLOW,
            step="awaiting_rating",
            data={"expects": "rate", "carry": {"ticket_code": code}},
        )
        _set_dialogue(openid, state, int(RATING_CLOSE_AFTER.total_seconds()))
    return counts


def followups(now: datetime | None = None, after: timedelta = FOLLOWUP_AFTER) -> int:
    """ "问题解决了吗？" some days after a request was resolved (FixMyStreet's questionnaire)."""
    current = _now(now)
    runtime = get_runtime()
    asked: list[tuple[str, int, str]] = []
    with runtime.session_factory() as session:
        due = select(ServiceRequest).where(
            ServiceRequest.status == RESOLVED,
            ServiceRequest.followup_state == "",
            ServiceRequest.resolved_at <= current - after,
            ServiceRequest.resident_id.is_not(None),
        )
        for request in session.scalars(due.limit(500)):
            reporter = _reporter(session, request)
            if reporter is None:
                continue
            text = texts.FOLLOWUP_ASK.format(
                code=request.code, category=request.category, location=request.location
            )
            notify_resident(
                session, request, reporter, text, "followup", current, "request_followup"
            )
            request.followup_state = "asked"
            record_action(session, request, "followup_asked", actor=ACTOR, note=None)
            asked.append((reporter.openid, request.id, request.code))
        get_runtime().commit(session)
    for openid, request_id, code in asked:
        state = DialogueState(
            flow=FOLLOWUP_FLOW, step="asked", data={"request_id": request_id, "code": code}
        )
        _set_dialogue(openid, state, FOLLOWUP_TTL)
    return len(asked)


def chase_requests(now: datetime | None = None) -> dict[str, int]:
    """督: warn owners before the deadline, escalate after it to the grid, then the community."""
    current = _now(now)
    counts = {"contact_overdue": 0, "warned": 0, "escalated_grid": 0, "escalated_community": 0}
    runtime = get_runtime()
    with runtime.session_factory() as session:
        open_requests = select(ServiceRequest).where(
            ServiceRequest.is_open.is_(True), ServiceRequest.escalation_level < 3
        )
        for request in session.scalars(open_requests.order_by(ServiceRequest.due_at).limit(2000)):
            if _chase_contact(session, request, current):
                counts["contact_overdue"] += 1
            action = _chase_one(session, request, current)
            if action:
                counts[action] += 1
        get_runtime().commit(session)
    return counts


def _chase_contact(session: Session, request: ServiceRequest, now: datetime) -> bool:
    """The contact deadline (respond_by): nobody has taken the request up in time; the
    grid's group is told once per deadline."""
    if request.responded_at is not None or now < request.respond_by:
        return False
    if request.status not in ("accepted", "returned"):
        return False
    key = f"contact:{request.respond_by.timestamp():.0f}"
    note = f"联系期限{local_label(request.respond_by)}"
    done = session.scalar(
        select(Event.id).where(
            Event.entity_type == ENTITY,
            Event.entity_id == request.id,
            Event.to_state == "contact_overdue",
            Event.note == note,
        )
    )
    if done is not None:
        return False
    text = CONTACT_LATE.format(
        code=request.code,
        category=request.category,
        location=request.location,
        respond_by=local_label(request.respond_by),
        late=duration_words(now - request.respond_by),
    )
    _post(session, request, "grid", text, key)
    record_action(session, request, "contact_overdue", actor=ACTOR, note=note)
    return True


def _chase_one(session: Session, request: ServiceRequest, now: datetime) -> str | None:
    due = request.due_at
    level = request.escalation_level
    fields = {
        "code": request.code,
        "category": request.category,
        "location": request.location,
        "owner": owner_label(session, request) if request.status != "accepted" else "待派单",
        "due": local_label(due),
    }
    if now < due:
        window = due - (request.created_at if request.reopen_count == 0 else request.updated_at)
        lead = min(window * WARN_FRACTION, timedelta(hours=24))
        if level == 0 and now >= due - lead:
            _post(session, request, "grid", WARN.format(**fields), f"warn:{due.timestamp():.0f}")
            request.escalation_level = 1
            record_action(session, request, "warned", actor=ACTOR, note=f"期限{local_label(due)}")
            return "warned"
        return None
    hours = duration_words(now - due)
    if level < 2:
        text = ESCALATE.format(level="网格", hours=hours, **fields)
        _post(session, request, "grid", text, f"esc-grid:{due.timestamp():.0f}")
        request.escalation_level = 2
        record_action(session, request, "escalated_grid", actor=ACTOR, note=f"超期{hours}")
        return "escalated_grid"
    if level == 2 and now >= due + COMMUNITY_ESCALATION_AFTER:
        text = ESCALATE.format(level="社区", hours=hours, **fields)
        _post(session, request, "community", text, f"esc-community:{due.timestamp():.0f}")
        request.escalation_level = 3
        record_action(session, request, "escalated_community", actor=ACTOR, note=f"超期{hours}")
        return "escalated_community"
    return None


def _post(session: Session, request: ServiceRequest, scope: str, text: str, key: str) -> None:
    if scope == "grid" and request.grid_id is not None:
        owner = (
            session.get(StaffAccount, request.owner_staff_id) if request.owner_staff_id else None
        )
        mention = f"@{owner.display_name} " if owner else ""
        notify_group(session, request, "grid", request.grid_id, mention + text, key)
    else:
        notify_group(session, request, "community", request.community_id, text, key)


def request_history(request_id: int) -> list[str]:
    """For operators: the request's history as text lines."""
    with get_runtime().session_factory() as session:
        return [
            f"{e.at:%Y-%m-%d %H:%M} {e.actor} {e.from_state or ''}→{e.to_state} {e.note or ''}"
            for e in history(session, ENTITY, request_id)
        ]
