"""The grid hierarchy (社区 → 网格 / 小区 → 楼栋 → 单元 → 户), residents and staff."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.orm import Base, utcnow


class Community(Base):
    __tablename__ = "community"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    # The official account's original id (ToUserName, gh_…) that serves this community.
    account: Mapped[str | None] = mapped_column(String(64), unique=True)
    office_hours: Mapped[str] = mapped_column(String(100), default="工作日 8:30-17:30")


class Grid(Base):
    __tablename__ = "grid"
    __table_args__ = (UniqueConstraint("community_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(64))

    @property
    def queue_name(self) -> str:
        return f"grid-{self.id}"


class Compound(Base):
    __tablename__ = "compound"
    __table_args__ = (UniqueConstraint("community_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    name: Mapped[str] = mapped_column(String(64))


class Building(Base):
    __tablename__ = "building"
    __table_args__ = (UniqueConstraint("community_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    compound_id: Mapped[int] = mapped_column(ForeignKey("compound.id"))
    grid_id: Mapped[int] = mapped_column(ForeignKey("grid.id"), index=True)
    number: Mapped[str] = mapped_column(String(16))

    compound: Mapped[Compound] = relationship()
    grid: Mapped[Grid] = relationship()

    @property
    def label(self) -> str:
        return f"{self.number}号楼"


class Unit(Base):
    __tablename__ = "unit"
    __table_args__ = (UniqueConstraint("building_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("building.id"))
    number: Mapped[str] = mapped_column(String(16))

    building: Mapped[Building] = relationship()


class Household(Base):
    __tablename__ = "household"
    __table_args__ = (UniqueConstraint("unit_id", "room"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    room: Mapped[str] = mapped_column(String(16))
    # Care groups (独居老人, 低保, 残疾 …): shown only to roles that need them.
    tags: Mapped[list[Any]] = mapped_column(default=list)

    unit: Mapped[Unit] = relationship()

    @property
    def address(self) -> str:
        unit = self.unit
        return f"{unit.building.number}号楼{unit.number}单元{self.room}"

    @property
    def grid_id(self) -> int:
        return self.unit.building.grid_id


class Resident(Base):
    __tablename__ = "resident"

    id: Mapped[int] = mapped_column(primary_key=True)
    openid: Mapped[str] = mapped_column(String(64), unique=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"), index=True)
    name: Mapped[str | None] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(20))
    # e.g. ["resident"], ["resident", "volunteer"]
    roles: Mapped[list[Any]] = mapped_column(default=list)
    subscribed: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Customer-service messages are allowed only within 48 h of this.
    last_message_at: Mapped[datetime | None]
    cs_quota_used: Mapped[int] = mapped_column(default=0)

    household: Mapped[Household | None] = relationship()
