"""The home page as a to-do list for staff who work the queues: my open requests, due
today, overdue, unclaimed in my grids, open hand-overs and failed deliveries — each a
count that links to exactly that list (the same queries the lists use), plus the first
few open requests in working order (overdue, urgent, by deadline) to open with one tap."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from admin.deps import Staff
from admin.requests.view import grid_names, row_view
from admin.timefmt import start_of_today
from storage.models import Delivery, Handover, utcnow
from storage.outbound.queues import grid_queue_name
from storage.requests.queries import QueueFilter, count_of, queue_query

PROBLEM_DELIVERIES = ("failed", "dead", "unknown")
FIRST_FEW = 5


def todo(session: Session, staff: Staff) -> dict[str, Any]:
    now = utcnow()
    grids = staff.visible_grid_ids()
    day_end = start_of_today(now) + timedelta(days=1)

    def requests(wanted: QueueFilter) -> Any:
        return queue_query(grids, wanted, now=now, me=staff.id, day_end=day_end)

    handovers = select(func.count()).select_from(Handover).where(Handover.status == "open")
    deliveries = (
        select(func.count()).select_from(Delivery).where(Delivery.status.in_(PROBLEM_DELIVERIES))
    )
    if grids is not None:
        handovers = handovers.where(Handover.grid_id.in_(grids))
        deliveries = deliveries.where(Delivery.queue.in_([grid_queue_name(g) for g in grids]))
    mine = QueueFilter(owner="me")
    today = QueueFilter(due="today")
    overdue = QueueFilter(due="overdue")
    unclaimed = QueueFilter(owner="none")
    items = [
        ("mine", "我负责的未办结", count_of(session, requests(mine)), "/admin/requests?owner=me"),
        (
            "today",
            "今天到期（含超期）",
            count_of(session, requests(today)),
            "/admin/requests?due=today",
        ),
        ("overdue", "已超期", count_of(session, requests(overdue)), "/admin/requests?due=overdue"),
        (
            "unclaimed",
            "我的网格待认领" if grids is not None else "待认领",
            count_of(session, requests(unclaimed)),
            "/admin/requests?owner=none",
        ),
        (
            "handovers",
            "待认领转人工",
            int(session.scalar(handovers) or 0),
            "/admin/handovers?status=open",
        ),
        (
            "deliveries",
            "发送失败的消息",
            int(session.scalar(deliveries) or 0),
            "/admin/deliveries?status=problem",
        ),
    ]
    names = grid_names(session)
    first = [
        row_view(session, r, names, now)
        for r in session.scalars(requests(QueueFilter()).limit(FIRST_FEW))
    ]
    return {
        "todo": [
            {"key": key, "label": label, "count": count, "url": url}
            for key, label, count, url in items
        ],
        "first": first,
    }
