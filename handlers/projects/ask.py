"""project_query: what the community is doing, from the projects list."""

from __future__ import annotations

from handlers.base import Context, IntentHandler, Reply
from storage.projects.queries import ProjectBrief, home_building, public_projects
from storage.residents.queries import community_for_account

NONE_AT_ALL = (
    "社区目前还没有公布正在办的项目。\n"
    "楼里有需要大家一起解决的事，可以直接告诉我，我会登记下来交给社区工作人员。"
)
NONE_IN_BUILDING = "您住的{building}目前还没有专门的项目。"
BIND_HINT = "\n告诉我您的住址（如：3号楼2单元501），下次可以先看您楼里的项目。"
MORE = "\n想反映新的需要，直接告诉我就行。"


def _line(n: int, p: ProjectBrief, with_buildings: bool) -> str:
    where = f"（{'、'.join(p.buildings)}）" if with_buildings and p.buildings else ""
    text = f"{n}. {p.title}{where}：{p.status}，负责：{p.owner}，期限：{p.due}"
    if p.progress:
        text += f"\n   最新进展：{p.progress}"
    return text


def _own_tickets(ctx: Context) -> str:
    """The resident's own open reports, so 我们楼的事 also finds what they reported."""
    own = ctx.sit.own_open_tickets
    if not own:
        return ""
    codes = "、".join(t.code for t in own[:3])
    return f"\n您自己反映的问题（{codes}）还在办理中，回复“查询 {own[0].code}”可看进度。"


class ProjectQueryHandler(IntentHandler):
    name = "project_query"
    intents = frozenset({"project_query"})

    def handle(self, ctx: Context) -> Reply:
        session = ctx.session
        building = home_building(session, ctx.resident)
        community = community_for_account(session, None)
        if community is None:
            return Reply(NONE_AT_ALL)
        mine, others = public_projects(
            session, community.id, building.id if building else None, now=ctx.now
        )
        if not mine and not others:
            return Reply(NONE_AT_ALL + _own_tickets(ctx))
        parts: list[str] = []
        if building is not None and mine:
            parts.append(f"【{building.label}的项目】")
            parts += [_line(n, p, False) for n, p in enumerate(mine, 1)]
        elif building is not None:
            parts.append(NONE_IN_BUILDING.format(building=building.label))
        if others:
            parts.append("【社区在办的项目】" if building is None or mine else "社区在办的项目：")
            parts += [_line(n, p, True) for n, p in enumerate(others, 1)]
        text = "\n".join(parts) + (BIND_HINT if building is None else MORE)
        return Reply(text + _own_tickets(ctx))
