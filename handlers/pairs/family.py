"""A resident's family asks 我妈最近有人去看吗: answered from the visits of the pairs of
the residents they are linked to as family, and nothing about anyone else."""

from __future__ import annotations

from datetime import datetime

from handlers.base import Context, IntentHandler, Reply
from handlers.pairs import texts
from storage.clock import in_china
from storage.models import Resident, VolunteerProfile
from storage.pairs.queries import FamilyView, family_views, member_count
from storage.pairs.service import MODE_LABELS, due_at

DAYS = 30
SHOWN = 5


def _day(moment: datetime) -> str:
    local = in_china(moment)
    return f"{local.month}月{local.day}日"


class FamilyVisitsHandler(IntentHandler):
    name = "visit_query"
    intents = frozenset({"visit_query"})

    def matches(self, ctx: Context) -> bool:
        return ctx.message.msg_type == "text" and ctx.understood.intent in self.intents

    def handle(self, ctx: Context) -> Reply:
        views = family_views(ctx.session, ctx.resident.id, ctx.now, DAYS)
        if not views:
            return Reply(texts.NOT_FAMILY)
        return Reply("\n\n".join(self._about(ctx, view) for view in views))

    def _about(self, ctx: Context, view: FamilyView) -> str:
        name = view.resident.name or "您的家人"
        if not any(p.status == "active" for p in view.pairs):
            return texts.NO_PAIR_FOR.format(name=name)
        lines = []
        if not view.visits:
            lines.append(texts.NO_VISITS.format(name=name, days=DAYS))
        else:
            lines.append(texts.VISITS_HEAD.format(name=name, days=DAYS, count=len(view.visits)))
            # Notes are shown only from one-to-one pairs: in 一帮几 they may be about others.
            single = {p.id for p in view.pairs if member_count(ctx.session, p.id) == 1}
            for visit in view.visits[:SHOWN]:
                what = ""
                if visit.need:
                    what = "：提出需要帮忙，已转社区办理"
                elif visit.pair_id in single and visit.note:
                    what = f"：{visit.note[:40]}"
                lines.append(
                    texts.VISIT_LINE.format(
                        day=_day(visit.visited_at),
                        mode=MODE_LABELS.get(visit.mode, visit.mode),
                        by=_volunteer_name(ctx, visit.volunteer_id),
                        what=what,
                    )
                )
        dues = [d for p in view.pairs if p.status == "active" and (d := due_at(p)) is not None]
        if dues:
            lines.append(texts.NEXT_DUE.format(due=_day(min(dues))))
        return "\n".join(lines)


def _volunteer_name(ctx: Context, volunteer_id: int | None) -> str:
    profile = ctx.session.get(VolunteerProfile, volunteer_id) if volunteer_id else None
    person = ctx.session.get(Resident, profile.resident_id) if profile else None
    return f"（志愿者{person.name}）" if person is not None and person.name else ""
