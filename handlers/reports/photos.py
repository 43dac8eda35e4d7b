"""Pictures sent right after a report are attached to it; a worker downloads the media."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from handlers.base import Context, Reply
from handlers.reports import texts
from handlers.texts import IMAGE_RECEIVED
from storage.models import RequestPhoto, ServiceRequest
from storage.outbound.jobs import Job
from storage.outbound.queues import grid_queue_name
from storage.requests.service import record_action

PHOTO_WINDOW = timedelta(minutes=30)
MAX_PHOTOS = 9


def recent_report(ctx: Context) -> ServiceRequest | None:
    """The resident's open request reported within the last half hour."""
    return ctx.session.scalar(
        select(ServiceRequest)
        .where(
            ServiceRequest.resident_id == ctx.resident.id,
            ServiceRequest.is_open.is_(True),
            ServiceRequest.created_at >= ctx.now - PHOTO_WINDOW,
        )
        .order_by(ServiceRequest.created_at.desc(), ServiceRequest.id.desc())
        .limit(1)
    )


class ReportPhotoHandler:
    name = "report_photo"

    def matches(self, ctx: Context) -> bool:
        msg = ctx.message
        if msg.msg_type != "image" or not msg.media_id:
            return False
        since = ctx.now - PHOTO_WINDOW
        return any(t.mine and t.created_at >= since for t in ctx.sit.open_tickets)

    def handle(self, ctx: Context) -> Reply:
        request = recent_report(ctx)
        if request is None:
            return Reply(IMAGE_RECEIVED)
        count = ctx.session.scalar(
            select(func.count()).where(RequestPhoto.request_id == request.id)
        )
        if (count or 0) >= MAX_PHOTOS:
            return Reply(texts.PHOTO_ATTACHED.format(code=request.code, count=count))
        photo = RequestPhoto(
            request_id=request.id,
            media_id=ctx.message.media_id or "",
            pic_url=ctx.message.pic_url,
            inbound_message_id=ctx.inbound_id,
            created_at=ctx.now,
        )
        ctx.session.add(photo)
        ctx.session.flush()
        record_action(
            ctx.session,
            request,
            "photo",
            actor=f"resident:{ctx.resident.openid}",
            note=f"照片 {photo.id}",
        )
        ctx.enqueue(grid_queue_name(request.grid_id), Job.DOWNLOAD_PHOTO, photo.id)
        return Reply(texts.PHOTO_ATTACHED.format(code=request.code, count=(count or 0) + 1))
