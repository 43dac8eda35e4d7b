"""The community's employment figures from the registry (survey + chat + placements)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Household, JobApplication, JobSeeker


def employment_figures(session: Session) -> dict[str, Any]:
    """Household employment figures from the registry (survey + chat + placements)."""
    rows = session.execute(
        select(JobSeeker.household_id, JobSeeker.labour_status).where(
            JobSeeker.household_id.is_not(None)
        )
    ).all()
    households: dict[int, list[str]] = {}
    for household_id, status in rows:
        if household_id is not None:
            households.setdefault(household_id, []).append(status)
    zero = sorted(
        hid
        for hid, statuses in households.items()
        if "employed" not in statuses and "available" in statuses
    )
    statuses = [status for _hid, status in rows]
    placements = session.scalar(
        select(func.count()).select_from(JobApplication).where(JobApplication.status == "hired")
    )
    addresses = []
    for hid in zero[:50]:
        household = session.get(Household, hid)
        if household is not None:
            addresses.append(household.address)
    return {
        "households": len(households),
        "people": len(statuses),
        "available": statuses.count("available"),
        "employed": statuses.count("employed"),
        "unable": statuses.count("unable"),
        "zero_employment_households": len(zero),
        "zero_employment_addresses": addresses,
        "placements": int(placements or 0),
    }
