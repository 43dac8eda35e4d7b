"""Changing a notice before it is sent: a draft (or a notice scheduled for later) may be
edited; once sending has started it may not. The change is a conditional UPDATE, so an
edit racing the send (or the scheduler) either lands before it or is refused."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from storage.events import record_event
from storage.models import Notice
from storage.writes import update_if

EDITABLE = ("draft", "scheduled")


@dataclass(frozen=True)
class NoticeContent:
    """What staff compose: the text and where it goes (already checked by the caller)."""

    title: str | None
    body: str
    link: str | None
    image_url: str | None
    targets: dict[str, Any]
    grid_ids: list[int]
    community_wide: bool
    area_label: str


def changed_fields(notice: Notice, content: NoticeContent) -> list[str]:
    labels = {
        "title": "标题",
        "body": "内容",
        "link": "链接",
        "image_url": "图片",
        "targets": "发送范围",
    }
    return [
        label
        for field, label in labels.items()
        if getattr(notice, field) != getattr(content, field)
    ]


def update_draft(
    session: Session, notice: Notice, content: NoticeContent, *, actor: str, now: datetime
) -> list[str] | None:
    """Replace a not-yet-sent notice's content; the names of the fields changed (empty
    when nothing changed), or None when the notice has started sending (or was cancelled)
    meanwhile. The caller commits."""
    if notice.status not in EDITABLE:
        return None
    changed = changed_fields(notice, content)
    moved = update_if(
        session,
        Notice,
        Notice.id == notice.id,
        Notice.status == notice.status,
        title=content.title,
        body=content.body,
        link=content.link,
        image_url=content.image_url,
        targets=content.targets,
        grid_ids=content.grid_ids,
        community_wide=content.community_wide,
    )
    if not moved:
        session.refresh(notice)
        return None
    session.refresh(notice)
    if changed:
        record_event(
            session,
            "notice",
            notice.id,
            actor=actor,
            from_state=notice.status,
            to_state="edited",
            note=f"修改了{'、'.join(changed)}（{content.area_label}）",
        )
    return changed


def create_draft(
    session: Session,
    community_id: int,
    content: NoticeContent,
    *,
    created_by_id: int | None,
    created_by: str,
    actor: str,
) -> Notice:
    notice = Notice(
        community_id=community_id,
        title=content.title,
        body=content.body,
        link=content.link,
        image_url=content.image_url,
        targets=content.targets,
        grid_ids=content.grid_ids,
        community_wide=content.community_wide,
        status="draft",
        created_by_id=created_by_id,
        created_by=created_by,
    )
    session.add(notice)
    session.flush()
    record_event(
        session, "notice", notice.id, actor=actor, to_state="draft", note=content.area_label
    )
    return notice


def schedule(
    session: Session, notice: Notice, scheduled_at: datetime, *, actor: str, when: str
) -> bool:
    """Put a draft on the scheduler's list for `scheduled_at` (`when`, as staff read it);
    False when it is no longer a draft (sent or cancelled meanwhile)."""
    moved = update_if(
        session,
        Notice,
        Notice.id == notice.id,
        Notice.status == "draft",
        status="scheduled",
        scheduled_at=scheduled_at,
    )
    session.refresh(notice)
    if not moved:
        return False
    record_event(
        session,
        "notice",
        notice.id,
        actor=actor,
        from_state="draft",
        to_state="scheduled",
        note=f"定时于{when}发送",
    )
    return True
