"""新邻居: a resident binding an address for the first time is welcomed, gets a newcomer
record, and is asked (yes/no, nothing is done before the answer) whether they want a
neighbour volunteer; yes makes a pending pair for the grid worker to assign."""

from __future__ import annotations

from handlers.base import Context
from handlers.pairs import texts
from storage.models import Household, Newcomer
from storage.pairs.newcomers import answer_newcomer, welcome_newcomer
from storage.residents.queries import community_for_account

ACTION = "newcomer_pair"


def welcome(ctx: Context, household: Household) -> tuple[str, int] | None:
    """The welcome and the newcomer record's id, when this is the resident's first
    address (the caller asks the yes/no question with `confirm.ask`); None otherwise."""
    community = community_for_account(ctx.session, ctx.message.account)
    if community is None:
        return None
    newcomer = welcome_newcomer(
        ctx.session, ctx.resident, household, community_id=community.id, now=ctx.now
    )
    if newcomer is None:
        return None
    return texts.WELCOME.format(community=community.name), newcomer.id


def accept(ctx: Context, target: int, note: str) -> str:
    newcomer = ctx.session.get(Newcomer, target)
    if newcomer is None or newcomer.resident_id != ctx.resident.id:
        return texts.OFFER_GONE
    if newcomer.status != "offered":
        return texts.OFFER_GONE
    pair = answer_newcomer(
        ctx.session, newcomer, True, actor=f"resident:{ctx.resident.openid}", now=ctx.now
    )
    assert pair is not None
    return texts.OFFER_ACCEPTED.format(code=pair.code)


def decline(ctx: Context, target: int) -> None:
    newcomer = ctx.session.get(Newcomer, target)
    if newcomer is not None and newcomer.resident_id == ctx.resident.id:
        answer_newcomer(
            ctx.session, newcomer, False, actor=f"resident:{ctx.resident.openid}", now=ctx.now
        )
