"""What the resident's page lists beside the facts: their requests, meal orders, job
applications and volunteer record, each only for the roles that handle such records
(requests: admins and the grid's workers, only requests of grids they see; meal orders:
admins, grid workers, canteen staff; applications: admins and the employment officer;
volunteering: admins, grid workers, canteen staff)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from admin.deps import ADMIN, CANTEEN, EMPLOYMENT, GRID_WORKER, Staff
from admin.timefmt import local_time
from storage.models import Resident
from storage.residents.register import (
    RECORD_LIMIT,
    applications_of,
    orders_of,
    requests_of,
    volunteering_of,
)


def resident_record(session: Session, staff: Staff, resident: Resident) -> dict[str, Any]:
    record: dict[str, Any] = {"limit": RECORD_LIMIT}
    if staff.may_use(ADMIN, GRID_WORKER):
        rows = requests_of(session, resident.id, staff.visible_grid_ids())
        record["requests"] = [{**r, "created": local_time(r["created_at"])} for r in rows]
    if staff.may_use(ADMIN, GRID_WORKER, CANTEEN):
        record["orders"] = [
            {**o, "day": f"{o['meal_date'].month}月{o['meal_date'].day}日"}
            for o in orders_of(session, resident.id)
        ]
        volunteering = volunteering_of(session, resident.id)
        if volunteering is not None:
            volunteering["since_label"] = local_time(volunteering["since"])
        record["volunteering"] = volunteering
        record["shows_volunteering"] = True
    if staff.may_use(ADMIN, EMPLOYMENT):
        record["applications"] = [
            {**a, "created": local_time(a["created_at"])}
            for a in applications_of(session, resident.id)
        ]
    return record
