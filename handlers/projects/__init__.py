"""Questions about the community's projects (项目清单): 社区最近在办什么 / 我们楼的事有
进展吗 / 小区在搞什么项目 — answered from the published projects, the resident's
building first, then the rest of the community."""

from __future__ import annotations

from handlers.base import Handler
from handlers.projects.ask import ProjectQueryHandler


def project_handlers() -> list[Handler]:
    return [ProjectQueryHandler()]


__all__ = ["ProjectQueryHandler", "project_handlers"]
