"""The three lists (三张清单) of the joint meeting practice: needs (需求清单), resources
(资源清单) and projects (项目清单) that match a need with resources, with an owner, a
deadline, milestones and the buildings, requests and residents concerned."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.orm import Base, utcnow


class Need(Base):
    """One need: open requests of a building and category, a council item, a poll result
    or what staff entered. building_id None means the whole community."""

    __tablename__ = "need"
    __table_args__ = (
        Index("ix_need_status", "community_id", "status"),
        UniqueConstraint("community_id", "source", "source_ref"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grid.id"), index=True)
    building_id: Mapped[int | None] = mapped_column(ForeignKey("building.id"))
    category: Mapped[str] = mapped_column(String(16), default="其他")
    title: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str | None] = mapped_column(Text)
    # requests | council | poll | staff; source_ref names the origin (council_item:5, poll:3)
    source: Mapped[str] = mapped_column(String(16))
    source_ref: Mapped[str | None] = mapped_column(String(64))
    # open 待对接 → agenda 已列入联席会议 → project 已立项; closed 已关闭
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class NeedRequest(Base):
    __tablename__ = "need_request"
    __table_args__ = (UniqueConstraint("need_id", "request_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("need.id"), index=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id"), index=True)


class Resource(Base):
    """What a local unit, firm, venue, fund or volunteer can offer, and whom to call."""

    __tablename__ = "resource"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    # org 单位组织 | firm 企业商户 | venue 场地 | fund 资金 | skill 志愿者技能
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100))
    owner: Mapped[str] = mapped_column(String(100))  # the unit that holds it
    offer: Mapped[str] = mapped_column(Text)
    contact_name: Mapped[str | None] = mapped_column(String(64))
    contact_phone: Mapped[str | None] = mapped_column(String(32))
    volunteer_id: Mapped[int | None] = mapped_column(
        ForeignKey("volunteer_profile.id"), unique=True
    )
    active: Mapped[bool] = mapped_column(default=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Project(Base):
    __tablename__ = "project"
    __table_args__ = (Index("ix_project_status", "community_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    need_id: Mapped[int] = mapped_column(ForeignKey("need.id"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("council_meeting.id"))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("council_item.id"), unique=True)
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grid.id"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    plan: Mapped[str] = mapped_column(Text)  # what will be done (public)
    owner_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_account.id"))
    owner_name: Mapped[str | None] = mapped_column(String(64))
    due_at: Mapped[datetime]
    # planned 待启动 → active 进行中 → done 已完成
    status: Mapped[str] = mapped_column(String(16), default="planned")
    progress: Mapped[str | None] = mapped_column(Text)  # latest published progress (public)
    progress_at: Mapped[datetime | None]
    update_count: Mapped[int] = mapped_column(default=0)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None]


class ProjectResource(Base):
    __tablename__ = "project_resource"
    __table_args__ = (UniqueConstraint("project_id", "resource_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resource.id"), index=True)


class ProjectBuilding(Base):
    """A building the project concerns: its group hears the progress, its residents may ask."""

    __tablename__ = "project_building"
    __table_args__ = (UniqueConstraint("project_id", "building_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("building.id"), index=True)


class ProjectRequest(Base):
    __tablename__ = "project_request"
    __table_args__ = (UniqueConstraint("project_id", "request_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id"), index=True)


class ProjectResident(Base):
    """A resident the project serves (visible only to staff who may see the project)."""

    __tablename__ = "project_resident"
    __table_args__ = (UniqueConstraint("project_id", "resident_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)


class Milestone(Base):
    __tablename__ = "project_milestone"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))
    due_at: Mapped[datetime | None]
    done_at: Mapped[datetime | None]
    done_by: Mapped[str | None] = mapped_column(String(100))
