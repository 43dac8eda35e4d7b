"""The answer of /admin/api/figures: the figures page's numbers (requests, volunteer hours,
jobs) over a range of China days for the grids the staff member sees."""

from __future__ import annotations

from pydantic import Field

from admin.schemas import Bar, Number, Public


class FigureRange(Public):
    since: str = Field(description="起始日（北京时间，含），YYYY-MM-DD")
    until: str = Field(description="截止日（北京时间，含），YYYY-MM-DD")
    label: str = Field(description="如 10月13日–12月7日")


class Performance(Public):
    label: str = Field(description="网格名或负责人姓名")
    total: int = Field(description="期间提出的问题")
    resolved: int
    on_time: int = Field(description="在期限内办结")
    on_time_share: int | None = Field(description="按期办结率（百分比）")
    overdue_open: int = Field(description="已超期仍未办结")
    late_resolved: int = Field(description="超过期限才办结")
    ratings: int
    satisfied_share: int | None = Field(description="打4星及以上的百分比")
    rating_average: Number | None


class RequestFigures(Public):
    total: int
    open: int
    overdue: int
    by_category: list[Bar]
    by_grid: list[Bar]
    by_week: list[Bar] = Field(description="每周（周一至周日）新增；超过16周时按月")
    resolved: int
    on_time_share: int | None
    median_resolve_hours: Number | None
    ratings: int
    satisfied_share: int | None = Field(description="打4星及以上的百分比")
    rating_average: Number | None
    grids: list[Performance]
    owners: list[Performance]


class VolunteerFigures(Public):
    hours: Number = Field(description="期间记入的志愿服务小时")
    by_grid: list[Bar]


class JobFigures(Public):
    placements: int
    zero_employment_households: int
    seekers: int


class DashboardFigures(Public):
    range: FigureRange
    requests: RequestFigures
    volunteers: VolunteerFigures
    jobs: JobFigures
