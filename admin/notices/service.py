"""Broadcast notices for the console: who may send what where, composing, previewing,
sending now or later, progress and retries. Shared by the pages and the JSON API; the
routes commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fastapi import HTTPException
from redis import Redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from admin.audit import audit_staff
from admin.deps import ADMIN, GRID_FORBIDDEN, Staff
from admin.timefmt import local_time, parse_local
from bot.settings import Settings
from storage.events import history
from storage.models import Building, Compound, Grid, Notice, utcnow
from storage.notices import drafts
from storage.notices.delivery import notice_text, start_sending
from storage.notices.drafts import EDITABLE, NoticeContent, update_draft
from storage.notices.outcome import cancel, progress, retry_failed
from storage.notices.planning import (
    CHANNEL_LABELS,
    PEOPLE,
    SCOPES,
    STATUS_LABELS,
    WHY,
    Plan,
    TargetError,
    Targets,
    account_for,
    plan_notice,
    resolve_area,
)
from storage.outbound.platform_rules import split_robot_text
from storage.residents.queries import community_for_account

COMMUNITY_FORBIDDEN = "只有社区管理员可以向全社区发送通知"
NOT_FOUND = "没有找到这条通知"
NOT_EDITABLE = "通知已开始发送或已取消，不能再修改"
MAX_BODY = 1500
MIN_SCHEDULE_AHEAD = timedelta(minutes=1)
# The log's words for a state reached (the note carries the outcome: 「已发送6/7，1条失败」).
EVENT_LABELS = {"done": "发送结束", "draft": "保存草稿", "edited": "修改草稿"}


@dataclass
class Draft:
    """What the compose form submits."""

    title: str
    body: str
    link: str
    image_url: str
    targets: Targets


def _bad(message: str) -> HTTPException:
    return HTTPException(status_code=400, detail=message)


def _url(value: str, what: str) -> str | None:
    value = value.strip()
    if not value:
        return None
    if not value.startswith(("https://", "http://")) or len(value) > 500 or " " in value:
        raise _bad(f"{what}必须是以 http:// 或 https:// 开头的网址")
    return value


def check_area(session: Session, staff: Staff, community_id: int, targets: Targets) -> Any:
    """The area of the targets, if this staff member may send there (403 otherwise)."""
    try:
        area = resolve_area(session, community_id, targets)
    except TargetError as exc:
        raise _bad(str(exc)) from exc
    if area.community_wide and staff.role != ADMIN:
        raise HTTPException(status_code=403, detail=COMMUNITY_FORBIDDEN)
    if not all(staff.may_act_on(g) for g in area.grid_ids):
        raise HTTPException(status_code=403, detail=GRID_FORBIDDEN)
    return area


def _content(session: Session, staff: Staff, community_id: int, draft: Draft) -> NoticeContent:
    """The checked content of the compose form (400/403 when it may not be sent)."""
    body = draft.body.strip()
    if not body:
        raise _bad("请填写通知内容")
    if len(body) > MAX_BODY:
        raise _bad(f"通知内容最多{MAX_BODY}字")
    area = check_area(session, staff, community_id, draft.targets)
    return NoticeContent(
        title=draft.title.strip()[:64] or None,
        body=body,
        link=_url(draft.link, "链接"),
        image_url=_url(draft.image_url, "图片地址"),
        targets=draft.targets.to_json(),
        grid_ids=sorted(area.grid_ids),
        community_wide=area.community_wide,
        area_label=area.label,
    )


def create_draft(session: Session, staff: Staff, draft: Draft, ip: str) -> Notice:
    community = community_for_account(session, None)
    if community is None:
        raise _bad("还没有登记社区")
    content = _content(session, staff, community.id, draft)
    notice = drafts.create_draft(
        session,
        community.id,
        content,
        created_by_id=staff.id,
        created_by=staff.username,
        actor=staff.actor,
    )
    audit_staff(session, staff, "notice_create", ip, "notice", notice.id, detail=content.area_label)
    return notice


def edit_draft(session: Session, staff: Staff, notice: Notice, draft: Draft, ip: str) -> list[str]:
    """Change a notice not yet sent (409 once sending has started); the fields changed."""
    if notice.status not in EDITABLE:
        raise HTTPException(status_code=409, detail=NOT_EDITABLE)
    content = _content(session, staff, notice.community_id, draft)
    changed = update_draft(session, notice, content, actor=staff.actor, now=utcnow())
    if changed is None:
        raise HTTPException(status_code=409, detail=NOT_EDITABLE)
    if changed:
        detail = "、".join(changed)
        audit_staff(session, staff, "notice_edit", ip, "notice", notice.id, detail=detail)
    return changed


def draft_form(notice: Notice) -> dict[str, Any]:
    """The compose form filled with a notice's current content."""
    return {
        "title": notice.title or "",
        "body": notice.body,
        "link": notice.link or "",
        "image_url": notice.image_url or "",
        "targets": dict(notice.targets or {}),
    }


def may_see(staff: Staff, notice: Notice) -> bool:
    if staff.role == ADMIN:
        return True
    return not notice.community_wide and all(staff.may_act_on(g) for g in notice.grid_ids)


def get_notice(session: Session, staff: Staff, notice_id: int) -> Notice:
    notice = session.get(Notice, notice_id, populate_existing=True)
    if notice is None:
        raise HTTPException(status_code=404, detail=NOT_FOUND)
    if not may_see(staff, notice):
        raise HTTPException(status_code=403, detail=GRID_FORBIDDEN)
    return notice


def list_notices(session: Session, staff: Staff, limit: int = 100) -> list[dict[str, Any]]:
    rows = session.scalars(select(Notice).order_by(Notice.id.desc()).limit(limit * 3))
    visible = [n for n in rows if may_see(staff, n)][:limit]
    return [summary(session, n) for n in visible]


def status_label(notice: Notice, done: dict[str, Any] | None) -> str:
    """What the list and the page call the notice's state: once every delivery has an
    outcome it is no longer 「发送中」 (even before the periodic job closes it), and an
    end with failures is not 「已完成」."""
    if done is None or not done["complete"]:
        return STATUS_LABELS.get(notice.status, notice.status)
    if done["failed"] or done["unknown"]:
        return "部分未送达"
    return STATUS_LABELS["done"]


def summary(session: Session, notice: Notice) -> dict[str, Any]:
    done = progress(session, notice.id) if notice.status in ("sending", "done") else None
    return {
        "id": notice.id,
        "title": notice.title or "社区通知",
        "body": notice.body,
        "area": (notice.plan or {}).get("area") or _area_label(notice),
        "status": notice.status,
        "status_label": status_label(notice, done),
        "created_by": notice.created_by,
        "created_at": local_time(notice.created_at),
        "scheduled_at": local_time(notice.scheduled_at),
        "planned_at": local_time(notice.planned_at),
        "finished_at": local_time(notice.finished_at),
        "progress": done,
    }


def _area_label(notice: Notice) -> str:
    targets = Targets.from_json(notice.targets)
    return "全社区" if targets.scope == "community" else SCOPES.get(targets.scope, "")


def preview(session: Session, notice: Notice, settings: Settings, redis: Redis) -> dict[str, Any]:
    """Who would receive the notice now, by which channel and why; who cannot, and why."""
    now = utcnow()
    account = account_for(settings, redis, now)
    plan: Plan = plan_notice(session, notice, account, now)
    text = notice_text(notice)
    parts = len(split_robot_text(text))
    channels = []
    for channel, count in sorted(plan.counts().items()):
        names = [d.label for d in plan.deliveries if d.channel == channel]
        channels.append(
            {
                "channel": channel,
                "label": CHANNEL_LABELS[channel],
                "count": count,
                "why": WHY[channel],
                "sample": names[:8],
            }
        )
    robot_note = (
        f"正文{len(text.encode('utf-8'))}字节，超过2048字节，每个群分{parts}段发送"
        if parts > 1
        else "每个群1条"
    )
    return {
        "area": plan.area.label,
        "residents": plan.residents,
        "total": len(plan.deliveries),
        "channels": channels,
        "robot_note": robot_note,
        "skipped": len(plan.skipped),
        "skipped_reasons": sorted(
            {why: sum(1 for _, w in plan.skipped if w == why) for _, why in plan.skipped}.items()
        ),
        "skipped_sample": plan.skipped[:10],
        "text": text,
        "account": {
            "kind": "服务号" if account.kind == "service" else "订阅号",
            "verified": account.verified,
        },
    }


def parse_local_time(value: str) -> datetime | None:
    """A datetime-local field (China time, e.g. 2026-11-23T09:30) as aware UTC."""
    return parse_local(value, "定时发送的时间格式不对") if value.strip() else None


def send(
    session: Session,
    staff: Staff,
    notice: Notice,
    settings: Settings,
    redis: Redis,
    ip: str,
    scheduled_at: datetime | None = None,
) -> str:
    """Send now (plan the deliveries) or schedule. Returns "sent" or "scheduled"."""
    if notice.status != "draft":
        label = STATUS_LABELS.get(notice.status, notice.status)
        raise HTTPException(status_code=409, detail=f"通知当前状态为“{label}”，不能再发送")
    check_area(session, staff, notice.community_id, Targets.from_json(notice.targets))
    now = utcnow()
    if scheduled_at is not None:
        if scheduled_at < now + MIN_SCHEDULE_AHEAD:
            raise _bad("定时发送的时间必须晚于现在至少1分钟")
        when = local_time(scheduled_at)
        if not drafts.schedule(session, notice, scheduled_at, actor=staff.actor, when=when):
            raise HTTPException(status_code=409, detail="这条通知刚刚已被发送，请刷新页面")
        audit_staff(session, staff, "notice_schedule", ip, "notice", notice.id, detail=when)
        return "scheduled"
    plan = start_sending(
        session,
        notice.id,
        from_states=("draft",),
        actor=staff.actor,
        account=account_for(settings, redis, now),
        now=now,
    )
    if plan is None:
        raise HTTPException(status_code=409, detail="这条通知刚刚已被发送，请刷新页面")
    detail = f"{len(plan.deliveries)}条，{len(plan.skipped)}个无法送达"
    audit_staff(session, staff, "notice_send", ip, "notice", notice.id, detail=detail)
    return "sent"


def retry(session: Session, staff: Staff, notice: Notice, ip: str) -> int:
    if notice.status not in ("sending", "done"):
        raise HTTPException(status_code=409, detail="通知还没有发送，无需重试")
    moved = retry_failed(
        session, notice, staff.actor, f"{staff.display_name}重试失败的发送", utcnow()
    )
    if not moved:
        raise HTTPException(status_code=409, detail="没有失败的发送需要重试")
    audit_staff(session, staff, "notice_retry", ip, "notice", notice.id, detail=f"{moved}条")
    return moved


def cancel_notice(session: Session, staff: Staff, notice: Notice, ip: str) -> None:
    if not cancel(session, notice, staff.actor):
        raise HTTPException(status_code=409, detail="已开始发送的通知不能取消")
    audit_staff(session, staff, "notice_cancel", ip, "notice", notice.id)


def compose_options(session: Session, staff: Staff) -> dict[str, Any]:
    """The grids, compounds and buildings this staff member may choose."""
    grids = [g for g in session.scalars(select(Grid).order_by(Grid.id)) if staff.may_act_on(g.id)]
    buildings = [
        b
        for b in session.scalars(select(Building).order_by(Building.id))
        if staff.may_act_on(b.grid_id)
    ]
    allowed_compounds = {b.compound_id for b in buildings}
    all_buildings = session.execute(select(Building.compound_id, Building.grid_id)).all()
    compounds = [
        c
        for c in session.scalars(select(Compound).order_by(Compound.id))
        if c.id in allowed_compounds
        and all(staff.may_act_on(g) for cid, g in all_buildings if cid == c.id)
    ]
    return {
        "grids": grids,
        "compounds": compounds,
        "buildings": buildings,
        "people": PEOPLE,
        "may_community": staff.role == ADMIN,
    }


def events(session: Session, notice: Notice) -> list[dict[str, Any]]:
    return [
        {
            "at": local_time(e.at),
            "actor": e.actor,
            "to": EVENT_LABELS.get(e.to_state) or STATUS_LABELS.get(e.to_state, e.to_state),
            "note": e.note or "",
        }
        for e in history(session, "notice", notice.id)
    ]
