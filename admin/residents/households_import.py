"""Household register import (/admin/households/import), community admins only: an Excel
file with 小区 楼号 单元 房号 标签; all rows or none, per-row errors shown; one audit row.
The template to fill (/admin/households/template.xlsx) lists the community's real
buildings, units and households."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from admin.audit import audit_staff
from admin.deps import ADMIN, Staff, client_ip, require_role
from admin.render import ConsoleRoute, render
from bot.deps import SessionDep, commit
from storage.residents.households_excel import (
    CARE_TAGS,
    HEADERS,
    HouseholdFileError,
    import_households,
)
from storage.residents.households_template import households_template
from storage.residents.queries import community_for_account

AdminStaff = Annotated[Staff, Depends(require_role(ADMIN))]
MAX_UPLOAD = 5 * 1024 * 1024
PAGE = "households_import.html"


def build_households_import_router() -> APIRouter:
    router = APIRouter(
        prefix="/admin/households", route_class=ConsoleRoute, include_in_schema=False
    )

    def page(
        request: Request, staff: Staff, status_code: int = 200, **context: object
    ) -> HTMLResponse:
        base: dict[str, object] = {
            "headers": HEADERS,
            "care_tags": CARE_TAGS,
            "error": None,
            "errors": [],
            "done": None,
        }
        return render(request, PAGE, {**base, **context}, staff, status_code=status_code)

    @router.get("/import", response_class=HTMLResponse)
    def form(
        request: Request,
        staff: AdminStaff,
        created: int | None = None,
        updated: int | None = None,
        unchanged: int | None = None,
    ) -> HTMLResponse:
        done = None
        if created is not None and updated is not None:
            done = {"created": created, "updated": updated, "unchanged": unchanged or 0}
        return page(request, staff, done=done)

    @router.get("/template.xlsx")
    def template(request: Request, staff: AdminStaff, session: SessionDep) -> Response:
        community = community_for_account(session, None)
        if community is None:
            raise HTTPException(status_code=400, detail="还没有建立社区")
        body = households_template(session, community.id)
        audit_staff(
            session, staff, "export", client_ip(request), "export", "households_template", "xlsx"
        )
        commit(session)
        return Response(
            body,
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={
                "Content-Disposition": 'attachment; filename="households-template.xlsx"',
                "Cache-Control": "no-store",
            },
        )

    @router.post("/import", response_model=None)
    async def upload(
        request: Request, file: UploadFile, staff: AdminStaff, session: SessionDep
    ) -> Response:
        data = await file.read(MAX_UPLOAD + 1)
        if len(data) > MAX_UPLOAD:
            return page(request, staff, 413, error="文件太大（最大5MB），请分批导入")
        community = community_for_account(session, None)
        if community is None:
            raise HTTPException(status_code=400, detail="还没有建立社区")
        try:
            result = import_households(session, community.id, data, staff.actor)
        except HouseholdFileError as exc:
            session.rollback()
            return page(request, staff, 400, error=str(exc))
        if not result.ok:
            session.rollback()
            bad_rows = len({e.row for e in result.errors})
            message = f"有{bad_rows}行填写有误，全部未导入，请改正后重新上传"
            return page(request, staff, 422, error=message, errors=result.errors)
        detail = (
            f"{file.filename}：{result.rows}行，新建{result.created}户，"
            f"更新{result.updated}户，未变{result.unchanged}户"
        )
        audit_staff(
            session, staff, "household_import", client_ip(request), "household", None, detail
        )
        commit(session)
        target = (
            f"/admin/households/import?created={result.created}"
            f"&updated={result.updated}&unchanged={result.unchanged}"
        )
        return RedirectResponse(target, status_code=303)

    return router
