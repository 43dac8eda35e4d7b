"""Lists of the console as ledgers (CSV and Excel): problem reports, hand-overs,
deliveries, meal orders, delivery tasks, volunteers, hours, job seekers and applications.

Every code is written as its Chinese label, every person by name (a staff owner by the
account's display name), every time as a real date cell in China time. A ledger can be
narrowed by `LedgerFilter`: China days (from, to, both inclusive), one grid, one status.
`grid_ids` None exports every grid; otherwise only rows of those grids (rows without a
grid belong to the community office and are left out). The request ledger is the
console's own list query (`storage.requests.queries.filtered_requests`), so the same
filter gives the same rows in the same order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from storage.clock import china_midnight
from storage.clock import now as clock_now
from storage.labels import (
    APPLICATION_LABELS,
    DELIVERY_LABELS,
    HANDOVER_LABELS,
    LABOUR_LABELS,
    MEAL_ORDER_LABELS,
    REQUEST_LABELS,
    TASK_LABELS,
    VOLUNTEER_LABELS,
)
from storage.ledger_files import Column, Rows, cell_value, to_csv, to_xlsx
from storage.ledger_people import People
from storage.ledger_rows import (
    Scope,
    application_rows,
    delivery_rows,
    handover_rows,
    hours_rows,
    meal_order_rows,
    request_rows,
    seeker_rows,
    task_rows,
    volunteer_rows,
)

__all__ = ["EXPORTS", "LedgerFilter", "export_rows", "to_csv", "to_xlsx"]

REQUEST_FILTERS = {"open": "未办结", **REQUEST_LABELS, "closed": "已关闭"}


@dataclass(frozen=True)
class LedgerFilter:
    """What staff chose on the export form; empty fields mean "all"."""

    since: date | None = None
    until: date | None = None
    grid_id: int | None = None
    status: str = ""


@dataclass(frozen=True)
class ExportList:
    title: str
    columns: tuple[Column, ...]
    build: Callable[[Session, Scope, People], Rows]
    statuses: dict[str, str]
    date_label: str = "提出时间"

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns)


def _cols(*spec: str | tuple[str, int] | tuple[str, int, bool]) -> tuple[Column, ...]:
    out = []
    for item in spec:
        if isinstance(item, str):
            out.append(Column(item))
        else:
            out.append(Column(*item))
    return tuple(out)


WHEN = ("时间", 17)
EXPORTS: dict[str, ExportList] = {
    "requests": ExportList(
        "问题工单",
        _cols(
            ("编号", 16),
            ("状态", 8),
            ("类别", 10),
            ("紧急", 6),
            ("网格", 10),
            ("位置", 20, True),
            ("描述", 36, True),
            ("反映人", 10),
            ("负责人", 12),
            ("反映时间", 17),
            ("响应期限", 17),
            ("办结期限", 17),
            ("办结时间", 17),
            ("按期办结", 8),
            ("办结说明", 30, True),
            ("议事会决定", 24, True),
            ("评分", 6),
            ("评价说明", 20, True),
            ("来源", 8),
        ),
        request_rows,
        REQUEST_FILTERS,
        "反映时间",
    ),
    "handovers": ExportList(
        "转人工",
        _cols(("编号", 8), "居民", "网格", ("留言", 40, True), ("状态", 8), ("提出时间", 17)),
        handover_rows,
        HANDOVER_LABELS,
    ),
    "deliveries": ExportList(
        "发送记录",
        _cols(
            ("编号", 8),
            ("渠道", 16),
            ("接收方", 20),
            ("用途", 18),
            ("状态", 14),
            ("尝试次数", 8),
            ("创建时间", 17),
            ("发送时间", 17),
            ("最近错误", 30, True),
        ),
        delivery_rows,
        DELIVERY_LABELS,
        "创建时间",
    ),
    "meal_orders": ExportList(
        "订餐",
        _cols(
            ("编号", 8),
            "居民",
            ("住址", 16),
            ("用餐日期", 12),
            ("餐次", 6),
            ("份数", 6),
            ("备注", 24, True),
            ("状态", 8),
            ("下单时间", 17),
        ),
        meal_order_rows,
        MEAL_ORDER_LABELS,
        "用餐日期",
    ),
    "tasks": ExportList(
        "送餐任务",
        _cols(
            ("任务号", 8),
            ("类型", 6),
            "网格",
            ("送达地址", 16),
            ("份数", 6),
            ("状态", 8),
            "志愿者",
            ("取餐时间", 17),
            ("送达期限", 17),
            ("完成时间", 17),
        ),
        task_rows,
        TASK_LABELS,
        "取餐时间",
    ),
    "volunteers": ExportList(
        "志愿者",
        _cols(("编号", 8), "姓名", "网格", ("特长", 20), ("状态", 8), ("登记时间", 17)),
        volunteer_rows,
        VOLUNTEER_LABELS,
        "登记时间",
    ),
    "hours": ExportList(
        "志愿时长",
        _cols(
            ("编号", 8), "志愿者", "网格", ("任务", 8), ("分钟", 8), ("事由", 20), "记录人", WHEN
        ),
        hours_rows,
        {},
        "记录时间",
    ),
    "seekers": ExportList(
        "求职登记",
        _cols(
            ("编号", 8),
            "姓名",
            ("电话", 13),
            ("住址", 16),
            ("劳动力状态", 10),
            ("技能", 20),
            ("意向", 20),
            ("来源", 10),
            ("登记时间", 17),
        ),
        seeker_rows,
        LABOUR_LABELS,
        "登记时间",
    ),
    "applications": ExportList(
        "岗位报名",
        _cols(
            ("编号", 8),
            ("岗位号", 8),
            ("岗位", 20),
            ("单位", 20),
            "报名人",
            ("状态", 8),
            ("报名时间", 17),
            ("处理时间", 17),
        ),
        application_rows,
        APPLICATION_LABELS,
        "报名时间",
    ),
}


def ledger_scope(grid_ids: Sequence[int] | None, chosen: LedgerFilter, now: datetime) -> Scope:
    """The grids, UTC bounds and status one export covers. A grid outside `grid_ids`
    gives no rows (the caller refuses it first)."""
    grids = None if grid_ids is None else tuple(grid_ids)
    if chosen.grid_id is not None:
        grids = (chosen.grid_id,) if grids is None or chosen.grid_id in grids else ()
    start = china_midnight(chosen.since) if chosen.since else None
    end = china_midnight(chosen.until + timedelta(days=1)) if chosen.until else None
    return Scope(grids, start, end, chosen.status, now, chosen.since, chosen.until)


def export_rows(
    session: Session,
    name: str,
    grid_ids: Sequence[int] | None,
    chosen: LedgerFilter | None = None,
    *,
    now: datetime | None = None,
) -> tuple[tuple[Column, ...], Rows]:
    spec = EXPORTS[name]
    chosen = chosen or LedgerFilter()
    if chosen.status and chosen.status not in spec.statuses:
        chosen = replace(chosen, status="")
    scope = ledger_scope(grid_ids, chosen, now or clock_now())
    rows = spec.build(session, scope, People(session))
    return spec.columns, [[cell_value(v) for v in row] for row in rows]
