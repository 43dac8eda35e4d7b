"""Names for ledgers: residents, staff, grids, volunteers, addresses and the recipients of
deliveries, each looked up once per export (a ledger of 50,000 rows makes few queries)."""

from __future__ import annotations

from functools import cached_property

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import (
    Building,
    Grid,
    GroupChannel,
    Household,
    Resident,
    StaffAccount,
    Unit,
    VolunteerProfile,
)

SYSTEM_ACTORS = {"system": "系统自动", "scheduler": "系统自动"}


class People:
    def __init__(self, session: Session) -> None:
        self.session = session

    @cached_property
    def _grids(self) -> dict[int, str]:
        return dict(self.session.execute(select(Grid.id, Grid.name)).all())

    @cached_property
    def _residents(self) -> dict[int, tuple[str, str]]:
        rows = self.session.execute(select(Resident.id, Resident.name, Resident.openid))
        return {rid: (name or "居民", openid) for rid, name, openid in rows}

    @cached_property
    def _by_openid(self) -> dict[str, str]:
        return {openid: name for name, openid in self._residents.values()}

    @cached_property
    def _staff(self) -> dict[int, tuple[str, str]]:
        rows = self.session.execute(
            select(StaffAccount.id, StaffAccount.username, StaffAccount.display_name)
        )
        return {sid: (username, name) for sid, username, name in rows}

    @cached_property
    def _staff_by_username(self) -> dict[str, str]:
        return dict(self._staff.values())

    @cached_property
    def _volunteers(self) -> dict[int, int]:
        rows = self.session.execute(select(VolunteerProfile.id, VolunteerProfile.resident_id))
        return {a: b for a, b in rows}

    @cached_property
    def _addresses(self) -> dict[int, str]:
        rows = self.session.execute(
            select(Household.id, Building.number, Unit.number, Household.room)
            .join(Unit, Unit.id == Household.unit_id)
            .join(Building, Building.id == Unit.building_id)
        )
        return {hid: f"{b}号楼{u}单元{room}" for hid, b, u, room in rows}

    @cached_property
    def _groups(self) -> dict[tuple[str, str], str]:
        rows = self.session.execute(
            select(GroupChannel.channel, GroupChannel.target, GroupChannel.name)
        )
        return {(channel, target): name for channel, target, name in rows}

    def grid(self, grid_id: int | None) -> str:
        return self._grids.get(grid_id, "未登记") if grid_id is not None else "未登记"

    def resident(self, resident_id: int | None) -> str:
        if resident_id is None:
            return ""
        return self._residents.get(resident_id, ("居民", ""))[0]

    def owner(self, owner_name: str | None, owner_staff_id: int | None) -> str:
        """A named owner as written, a staff owner by display name, else 未认领."""
        if owner_name:
            return owner_name
        if owner_staff_id is not None and owner_staff_id in self._staff:
            return self._staff[owner_staff_id][1]
        return "未认领"

    def volunteer(self, volunteer_id: int | None) -> str:
        if volunteer_id is None:
            return ""
        return self.resident(self._volunteers.get(volunteer_id))

    def address(self, household_id: int | None) -> str:
        return self._addresses.get(household_id, "") if household_id is not None else ""

    def recipient(self, channel: str, recipient: str) -> str:
        """A group by its name, a resident by name; never an openid or robot key."""
        if (channel, recipient) in self._groups:
            return self._groups[(channel, recipient)]
        if recipient in self._by_openid:
            return self._by_openid[recipient]
        if channel.startswith("wecom"):
            return "企业微信群"
        return "居民"

    def actor(self, actor: str) -> str:
        """ "staff:admin" → 刘书记, "resident:<openid>" → the resident's name."""
        kind, _, who = actor.partition(":")
        if kind == "staff":
            return self._staff_by_username.get(who, "工作人员")
        if kind == "resident":
            return self._by_openid.get(who, "居民")
        if kind in SYSTEM_ACTORS or not who:
            return SYSTEM_ACTORS.get(kind, "系统自动")
        return who
