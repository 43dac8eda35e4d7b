"""The answer of /admin/api/figures: the figures page's numbers (requests, volunteer hours,
jobs) for the grids the staff member sees."""

from __future__ import annotations

from pydantic import Field

from admin.schemas import Bar, Number, Public


class RequestFigures(Public):
    total: int
    open: int
    overdue: int
    by_category: list[Bar]
    by_grid: list[Bar]
    by_week: list[Bar]
    resolved: int
    median_resolve_hours: Number | None
    ratings: int
    satisfied_share: Number | None = Field(description="打4星及以上的百分比")
    rating_average: Number | None


class VolunteerFigures(Public):
    month_hours: Number = Field(description="本月（北京时间）记入的志愿服务小时")
    by_grid: list[Bar]


class JobFigures(Public):
    placements: int
    zero_employment_households: int
    seekers: int


class DashboardFigures(Public):
    requests: RequestFigures
    volunteers: VolunteerFigures
    jobs: JobFigures
