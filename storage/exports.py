"""Lists of the console as CSV and Excel files: problem reports, hand-overs, deliveries,
meal orders, delivery tasks, volunteers, hours, job seekers and applications.

`grid_ids` None exports every grid; otherwise only rows of those grids (rows without a
grid belong to the community office and are left out). Cells that a spreadsheet would
run as a formula go through `storage.cells.formula_safe`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.cells import formula_safe
from storage.models import (
    Delivery,
    Grid,
    Handover,
    HoursEntry,
    JobApplication,
    JobSeeker,
    MealOrder,
    Resident,
    ServiceRequest,
    VolunteerProfile,
    VolunteerTask,
)
from storage.outbound.deliveries import STATUS_LABELS as DELIVERY_LABELS
from storage.outbound.queues import grid_queue_name
from storage.requests.rules import STATUS_LABELS, local_label

Rows = list[list[Any]]
LIMIT = 50_000


def _when(value: datetime | None) -> str:
    return local_label(value) if value else ""


def _scope(query: Any, column: Any, grid_ids: Sequence[int] | None) -> Any:
    return query if grid_ids is None else query.where(column.in_(list(grid_ids)))


def _listed(
    session: Session,
    model: Any,
    grid_column: Any = None,
    grid_ids: Sequence[int] | None = None,
) -> Iterable[Any]:
    """Up to LIMIT rows of `model` in id order; with `grid_column`, only those of `grid_ids`
    (every grid when None)."""
    query = select(model)
    if grid_column is not None:
        query = _scope(query, grid_column, grid_ids)
    return session.scalars(query.order_by(model.id).limit(LIMIT))


def _grids(session: Session) -> dict[int, str]:
    return {gid: name for gid, name in session.execute(select(Grid.id, Grid.name))}


def _residents(session: Session) -> dict[int, str]:
    return {
        rid: name or "居民" for rid, name in session.execute(select(Resident.id, Resident.name))
    }


def _requests(session: Session, grid_ids: Sequence[int] | None) -> Rows:
    grids, people = _grids(session), _residents(session)
    return [
        [
            r.code,
            STATUS_LABELS.get(r.status, r.status),
            r.category,
            "是" if r.urgent else "",
            grids.get(r.grid_id or 0, "未登记"),
            r.location,
            r.description,
            people.get(r.resident_id or 0, ""),
            r.owner_name or "",
            _when(r.due_at),
            r.council_decision or "",
            _when(r.created_at),
            _when(r.resolved_at),
            r.rating if r.rating is not None else "",
        ]
        for r in _listed(session, ServiceRequest, ServiceRequest.grid_id, grid_ids)
    ]


def _handovers(session: Session, grid_ids: Sequence[int] | None) -> Rows:
    grids, people = _grids(session), _residents(session)
    return [
        [
            h.id,
            people.get(h.resident_id, ""),
            grids.get(h.grid_id or 0, "未登记"),
            h.text or "",
            h.status,
            _when(h.created_at),
        ]
        for h in _listed(session, Handover, Handover.grid_id, grid_ids)
    ]


def _deliveries(session: Session, grid_ids: Sequence[int] | None) -> Rows:
    query = select(Delivery)
    if grid_ids is not None:
        query = query.where(Delivery.queue.in_([grid_queue_name(g) for g in grid_ids]))
    return [
        [
            d.id,
            d.channel,
            d.recipient,
            d.purpose,
            DELIVERY_LABELS.get(d.status, d.status),
            d.attempts,
            _when(d.created_at),
            _when(d.sent_at),
            d.last_error or "",
        ]
        for d in session.scalars(query.order_by(Delivery.id).limit(LIMIT))
    ]


def _meal_orders(session: Session, grid_ids: Sequence[int] | None) -> Rows:
    people = _residents(session)
    return [
        [
            o.id,
            people.get(o.resident_id, ""),
            o.meal_date,
            o.slot,
            o.count,
            o.note or "",
            o.status,
            _when(o.created_at),
        ]
        for o in _listed(session, MealOrder)
    ]


def _tasks(session: Session, grid_ids: Sequence[int] | None) -> Rows:
    grids = _grids(session)
    return [
        [
            f"T{t.id}",
            t.kind,
            grids.get(t.grid_id, ""),
            t.count,
            t.status,
            t.volunteer_id or "",
            _when(t.pickup_at),
            _when(t.deadline_at),
            _when(t.done_at),
        ]
        for t in _listed(session, VolunteerTask, VolunteerTask.grid_id, grid_ids)
    ]


def _volunteers(session: Session, grid_ids: Sequence[int] | None) -> Rows:
    grids, people = _grids(session), _residents(session)
    return [
        [
            v.id,
            people.get(v.resident_id, ""),
            grids.get(v.grid_id or 0, ""),
            "、".join(str(s) for s in v.skills or []),
            v.status,
            _when(v.created_at),
        ]
        for v in _listed(session, VolunteerProfile, VolunteerProfile.grid_id, grid_ids)
    ]


def _hours(session: Session, grid_ids: Sequence[int] | None) -> Rows:
    grids = _grids(session)
    return [
        [
            h.id,
            h.volunteer_id,
            grids.get(h.grid_id or 0, ""),
            h.task_id or "",
            h.minutes,
            h.reason,
            h.created_by,
            _when(h.created_at),
        ]
        for h in _listed(session, HoursEntry, HoursEntry.grid_id, grid_ids)
    ]


def _seekers(session: Session, grid_ids: Sequence[int] | None) -> Rows:
    return [
        [
            s.id,
            s.name or "",
            s.phone or "",
            s.household.address if s.household else "",
            s.labour_status,
            "、".join(str(k) for k in s.skills or []),
            "、".join(str(k) for k in s.wanted_kinds or []),
            s.source,
            _when(s.created_at),
        ]
        for s in _listed(session, JobSeeker)
    ]


def _applications(session: Session, grid_ids: Sequence[int] | None) -> Rows:
    return [
        [
            a.id,
            f"J{a.posting_id}",
            a.posting.title,
            a.posting.employer,
            a.seeker.name or "",
            a.status,
            _when(a.created_at),
            _when(a.decided_at),
        ]
        for a in _listed(session, JobApplication)
    ]


@dataclass(frozen=True)
class ExportList:
    title: str
    headers: tuple[str, ...]
    build: Callable[[Session, Sequence[int] | None], Rows]


EXPORTS: dict[str, ExportList] = {
    "requests": ExportList(
        "问题工单",
        (
            "编号",
            "状态",
            "类别",
            "紧急",
            "网格",
            "位置",
            "描述",
            "反映人",
            "负责人",
            "期限",
            "议事会决定",
            "反映时间",
            "办结时间",
            "评分",
        ),
        _requests,
    ),
    "handovers": ExportList(
        "转人工", ("编号", "居民", "网格", "留言", "状态", "提出时间"), _handovers
    ),
    "deliveries": ExportList(
        "发送记录",
        ("编号", "渠道", "接收方", "用途", "状态", "尝试次数", "创建时间", "发送时间", "最近错误"),
        _deliveries,
    ),
    "meal_orders": ExportList(
        "订餐", ("编号", "居民", "日期", "餐次", "份数", "备注", "状态", "下单时间"), _meal_orders
    ),
    "tasks": ExportList(
        "送餐任务",
        ("任务号", "类型", "网格", "份数", "状态", "志愿者", "取餐时间", "送达期限", "完成时间"),
        _tasks,
    ),
    "volunteers": ExportList(
        "志愿者", ("编号", "姓名", "网格", "特长", "状态", "登记时间"), _volunteers
    ),
    "hours": ExportList(
        "志愿时长",
        ("编号", "志愿者", "网格", "任务", "分钟", "事由", "记录人", "时间"),
        _hours,
    ),
    "seekers": ExportList(
        "求职登记",
        ("编号", "姓名", "电话", "住址", "劳动力状态", "技能", "意向", "来源", "登记时间"),
        _seekers,
    ),
    "applications": ExportList(
        "岗位报名",
        ("编号", "岗位号", "岗位", "单位", "报名人", "状态", "报名时间", "处理时间"),
        _applications,
    ),
}


def export_rows(
    session: Session, name: str, grid_ids: Sequence[int] | None
) -> tuple[tuple[str, ...], Rows]:
    spec = EXPORTS[name]
    return spec.headers, [[formula_safe(v) for v in row] for row in spec.build(session, grid_ids)]


def to_csv(headers: Sequence[str], rows: Rows) -> bytes:
    """UTF-8 with a byte-order mark, so Excel on Windows reads the Chinese correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode()


def to_xlsx(title: str, headers: Sequence[str], rows: Rows) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.append(list(headers))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
