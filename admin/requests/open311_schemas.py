"""Answers of Open311 GeoReport v2 (/open311/v2), as the specification names the fields.
Times are ISO 8601 in China time; fields this service never fills are null."""

from __future__ import annotations

from pydantic import Field

from admin.schemas import Public


class Open311Service(Public):
    service_code: str
    service_name: str
    description: str
    metadata: bool
    type: str
    keywords: str
    group: str


class Open311Request(Public):
    """A report as a public board shows it: never the resident's words, name or room."""

    service_request_id: str
    status: str = Field(description="open 或 closed")
    status_notes: str | None
    service_name: str
    service_code: str
    description: str | None = Field(description="工作人员审核过的公开摘要；未审核时为空")
    agency_responsible: str
    service_notice: str | None
    requested_datetime: str | None
    updated_datetime: str | None
    expected_datetime: str | None
    address: str
    address_id: str | None
    zipcode: str | None
    lat: float | None
    long: float | None
    media_url: str | None


class Open311Created(Public):
    service_request_id: str
    service_notice: str
    account_id: str | None


class Open311Error(Public):
    code: int
    description: str
