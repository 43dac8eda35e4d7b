"""What residents may read about the projects: titles, plans, owners (units or staff),
deadlines, status and the latest published progress — never a resident's details."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Building, Project, ProjectBuilding, Resident
from storage.projects.service import STATUS_LABELS, project_owner, public_text
from storage.requests.rules import local_label

PUBLIC = ("active", "done")  # planned projects are not announced yet


@dataclass(frozen=True)
class ProjectBrief:
    title: str
    plan: str
    owner: str
    status: str
    due: str
    progress: str | None
    buildings: tuple[str, ...]


def home_building(session: Session, resident: Resident) -> Building | None:
    household = resident.household
    return household.unit.building if household is not None else None


def _brief(session: Session, project: Project, buildings: tuple[str, ...]) -> ProjectBrief:
    return ProjectBrief(
        title=public_text(session, project, project.title),
        plan=public_text(session, project, project.plan),
        owner=project_owner(session, project),
        status=STATUS_LABELS[project.status],
        due=local_label(project.due_at).split(" ")[0],
        progress=project.progress,
        buildings=buildings,
    )


def public_projects(
    session: Session, community_id: int, building_id: int | None, *, now: datetime, limit: int = 3
) -> tuple[list[ProjectBrief], list[ProjectBrief]]:
    """(the building's projects, the rest of the community's), active ones first, then
    those finished in the last 60 days; newest progress first."""
    query = (
        select(Project)
        .where(Project.community_id == community_id, Project.status.in_(PUBLIC))
        .order_by(Project.updated_at.desc(), Project.id.desc())
        .limit(200)
    )
    projects = [
        p
        for p in session.scalars(query)
        if p.status == "active" or (p.done_at is not None and (now - p.done_at).days <= 60)
    ]
    projects.sort(key=lambda p: p.status != "active")
    ids = [p.id for p in projects]
    labels: dict[int, list[tuple[int, str]]] = {}
    if ids:
        rows = session.execute(
            select(ProjectBuilding.project_id, Building.id, Building.number)
            .join(Building, Building.id == ProjectBuilding.building_id)
            .where(ProjectBuilding.project_id.in_(ids))
        )
        for project_id, bid, number in rows:
            labels.setdefault(project_id, []).append((bid, f"{number}号楼"))
    mine, others = [], []
    for project in projects:
        here = labels.get(project.id, [])
        brief = _brief(session, project, tuple(label for _b, label in here))
        if building_id is not None and any(b == building_id for b, _l in here):
            mine.append(brief)
        else:
            others.append(brief)
    return mine[:limit], others[:limit]
