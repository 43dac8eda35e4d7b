"""Open311 GeoReport v2 at /open311/v2 so civic-tech tools can read and file reports.

Reading is public and shows what a public board would: category, the building (never
the room), status, dates and the summary staff approved for the public (scrubbed of
phone, ID and room numbers). Never the resident's own words, name or phone, nor staff
notes: until staff approve a summary, `description` is empty.
Filing needs an api_key listed in SHEQU_OPEN311_KEYS (comma-separated); a local run
without keys accepts any.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Form
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from admin.requests.open311_schemas import (
    Open311Created,
    Open311Error,
    Open311Request,
    Open311Service,
)
from bot.deps import RuntimeDep, SessionDep, commit
from storage.models import Building, Grid, ServiceRequest, utcnow
from storage.privacy import scrub_public_text
from storage.requests.rules import (
    CATEGORY_BY_CODE,
    CST,
    SERVICE_CODES,
    is_urgent,
)
from storage.requests.service import NewRequest, create_request
from storage.residents.queries import community_for_account, find_household

ADDRESS = re.compile(r"(\d+)\s*(?:号楼|号|栋|幢|[-－])\s*(?:(\d+)\s*(?:单元|[-－])\s*(\d+)?)?")
MAX_LIST = 200
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": list[Open311Error], "description": text}
    for code, text in ((400, "请求有误"), (403, "api_key 无效"), (404, "没有这个问题"))
}
DESCRIPTIONS = {
    "水电燃气": "停水停电、燃气异味、供暖",
    "公共照明": "楼道灯、路灯不亮",
    "电梯": "电梯故障、困人",
    "环境卫生": "垃圾、卫生、虫害、异味、小广告",
    "房屋维修": "漏水、管道、下水道、门窗、楼梯",
    "噪音扰民": "噪音",
    "治安安全": "门禁、消防隐患、楼道充电、高空抛物",
    "停车交通": "乱停车、占用通道",
    "邻里纠纷": "邻里矛盾",
    "绿化设施": "公共设施、健身器材、绿化、坡道",
    "其他": "其他问题",
}


def _error(status: int, description: str) -> JSONResponse:
    return JSONResponse([{"code": status, "description": description}], status_code=status)


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(CST).isoformat(timespec="seconds") if value else None


def _public(session: Session, request: ServiceRequest, community: str) -> dict[str, Any]:
    building = session.get(Building, request.building_id) if request.building_id else None
    grid = session.get(Grid, request.grid_id) if request.grid_id else None
    closed = not request.is_open
    return {
        "service_request_id": request.code,
        "status": "closed" if closed else "open",
        "status_notes": None,
        "service_name": request.category,
        "service_code": SERVICE_CODES.get(request.category, "other"),
        "description": scrub_public_text(request.public_summary) or None,
        "agency_responsible": f"{community}{grid.name}" if grid else community,
        "service_notice": None,
        "requested_datetime": _iso(request.created_at),
        "updated_datetime": _iso(request.updated_at),
        "expected_datetime": None if closed else _iso(request.due_at),
        "address": f"{community}{building.label}" if building else community,
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def build_open311_router() -> APIRouter:
    router = APIRouter(prefix="/open311/v2", tags=["open311"])

    def community_name(session: Session) -> str:
        community = community_for_account(session, None)
        return community.name if community else ""

    @router.get("/services.json", response_model=list[Open311Service])
    def services() -> list[dict[str, Any]]:
        return [
            {
                "service_code": code,
                "service_name": name,
                "description": DESCRIPTIONS.get(name, ""),
                "metadata": False,
                "type": "realtime",
                "keywords": "",
                "group": "民事直说",
            }
            for name, code in SERVICE_CODES.items()
        ]

    @router.get(
        "/requests.json",
        response_model=list[Open311Request],
        responses={400: ERRORS[400]},
    )
    def list_requests(
        session: SessionDep,
        service_request_id: str | None = None,
        service_code: str | None = None,
        status: str | None = None,
        start_date: datetime | None = None,
        end_date: datetime | None = None,
    ) -> Any:
        query = select(ServiceRequest)
        if service_request_id:
            codes = [c.strip().upper() for c in service_request_id.split(",") if c.strip()]
            query = query.where(ServiceRequest.code.in_(codes[:MAX_LIST]))
        if service_code:
            names = [CATEGORY_BY_CODE.get(c.strip(), "") for c in service_code.split(",")]
            query = query.where(ServiceRequest.category.in_(names))
        if status in ("open", "closed"):
            query = query.where(ServiceRequest.is_open.is_(status == "open"))
        for bound in (start_date, end_date):
            if bound is not None and bound.tzinfo is None:
                return _error(400, "start_date/end_date must include a time zone")
        if start_date is not None:
            query = query.where(ServiceRequest.created_at >= start_date)
        if end_date is not None:
            query = query.where(ServiceRequest.created_at <= end_date)
        rows = session.scalars(query.order_by(ServiceRequest.id.desc()).limit(MAX_LIST))
        name = community_name(session)
        return [_public(session, r, name) for r in rows]

    @router.get(
        "/requests/{code}.json",
        response_model=list[Open311Request],
        responses={404: ERRORS[404]},
    )
    def get_request(code: str, session: SessionDep) -> Any:
        request = session.scalar(select(ServiceRequest).where(ServiceRequest.code == code.upper()))
        if request is None:
            return _error(404, f"service_request_id {code} not found")
        return [_public(session, request, community_name(session))]

    @router.post(
        "/requests.json",
        response_model=list[Open311Created],
        responses={400: ERRORS[400], 403: ERRORS[403]},
    )
    def create(
        session: SessionDep,
        runtime: RuntimeDep,
        service_code: str = Form(""),
        description: str = Form(""),
        address_string: str = Form(""),
        api_key: str = Form(""),
    ) -> Any:
        keys = runtime.settings.open311_api_keys
        if keys and api_key not in keys or not keys and not runtime.settings.is_local:
            return _error(403, "invalid api_key")
        category = CATEGORY_BY_CODE.get(service_code.strip())
        if category is None:
            return _error(400, f"unknown service_code {service_code!r}")
        text = description.strip()
        if not text or len(text) > 2000:
            return _error(400, "description is required (at most 2000 characters)")
        community = community_for_account(session, None)
        if community is None:
            return _error(503, "no community configured")
        found = ADDRESS.search(address_string)
        if found is None:
            return _error(400, "address_string must name a building, e.g. 3号楼2单元501")
        number, unit, room = found.group(1), found.group(2), found.group(3)
        building = session.scalar(
            select(Building).where(
                Building.community_id == community.id, Building.number == number.lstrip("0")
            )
        )
        if building is None:
            return _error(400, f"building {number} not found in {community.name}")
        household = (
            find_household(session, community.id, number, unit, room) if unit and room else None
        )
        request = create_request(
            session,
            NewRequest(
                community_id=community.id,
                grid_id=building.grid_id,
                building_id=building.id,
                household_id=household.id if household else None,
                location=household.address if household else building.label,
                category=category,
                description=text,
                urgent=is_urgent(text),
                source="open311",
            ),
            actor="open311",
            now=utcnow(),
        )
        commit(session)
        return [{"service_request_id": request.code, "service_notice": "", "account_id": None}]

    return router
