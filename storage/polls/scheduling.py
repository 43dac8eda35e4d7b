"""Poll rounds: which polls are due, starting a round (one target per household; the first
question planned through `storage.outbound.notify`, or the household put on the phone list),
and, once a round's chat time is over, moving unanswered households to the phone list.

A round is claimed by a conditional UPDATE of the poll's `next_round_at`, so two schedulers
never start the same round twice."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.events import record_event
from storage.models import Resident
from storage.outbound.notify import Template, notify
from storage.outbound.queues import grid_queue_name
from storage.polls.models import Poll, PollRound, PollTarget
from storage.polls.population import NO_ANSWER, NOT_FINISHED, members
from storage.polls.questions import STOP_HINT, chat_text, load
from storage.writes import update_if

TEMPLATE_ID = "shequ_poll"  # the account's "社区回访" template
ACTOR = "system:民调"


@dataclass
class Started:
    round: PollRound
    # (openid, target id) of every household asked by chat: their answer flow starts.
    asked: list[tuple[str, int]] = field(default_factory=list)
    phone: int = 0


def due_poll_ids(session: Session, now: datetime) -> list[int]:
    query = (
        select(Poll.id)
        .where(Poll.status == "active", Poll.next_round_at <= now)
        .order_by(Poll.next_round_at)
    )
    return list(session.scalars(query))


def first_message(poll: Poll) -> str:
    questions = load(poll.questions)
    intro = f"\n{poll.intro}" if poll.intro else ""
    return (
        f"【社区民调】{poll.title}{intro}\n共{len(questions)}题，一题一题回复即可。"
        f"{STOP_HINT}\n\n{chat_text(questions[0], 1, len(questions))}"
    )


def start_round(
    session: Session, poll_id: int, *, now: datetime, template_ok: bool, force: bool = False
) -> Started | None:
    """Start the poll's next round if it is due (or `force`d by staff); None if another
    process took it or it is not due."""
    poll = session.get(Poll, poll_id)
    if poll is None or poll.status != "active":
        return None
    due = poll.next_round_at
    if due is None or (due > now and not force):
        return None
    claimed = update_if(
        session,
        Poll,
        Poll.id == poll.id,
        Poll.status == "active",
        Poll.next_round_at == due,
        next_round_at=now + timedelta(days=poll.cadence_days),
    )
    if not claimed:
        return None
    _close_open_rounds(session, poll.id, now)
    number = (
        session.scalar(select(func.max(PollRound.number)).where(PollRound.poll_id == poll.id)) or 0
    ) + 1
    current = PollRound(
        poll_id=poll.id,
        number=number,
        started_at=now,
        chat_due_at=now + timedelta(days=poll.chat_days),
        status="open",
    )
    session.add(current)
    session.flush()
    record_event(session, "poll", poll.id, actor=ACTOR, to_state="round", note=f"第{number}轮")
    started = Started(current)
    text = first_message(poll)
    template = Template(
        TEMPLATE_ID,
        {"first": text, "keyword1": poll.title, "keyword2": "回复本消息即可作答"},
    )
    found = members(
        session,
        poll.community_id,
        poll.population,
        list(poll.grid_ids) or None,
        now=now,
        template_ok=template_ok,
    )
    made = [
        PollTarget(
            round_id=current.id,
            poll_id=poll.id,
            household_id=member.household_id,
            grid_id=member.grid_id,
            building_id=member.building_id,
            resident_id=member.resident_id,
            channel=member.channel,
            status="phone",
            phone_reason=member.phone_reason,
        )
        for member in found
    ]
    session.add_all(made)
    session.flush()
    people = _residents(session, [m.resident_id for m in found if m.channel != "phone"])
    for member, target in zip(found, made, strict=True):
        resident = people.get(member.resident_id or 0) if member.channel != "phone" else None
        if resident is not None:
            delivery = notify(
                session,
                resident,
                text,
                purpose="poll",
                key=f"poll:{current.id}:{member.household_id}",
                queue=grid_queue_name(member.grid_id),
                now=now,
                template=template,
                template_allowed=template_ok,
                reserved=1,
            )
            if delivery is not None:
                target.channel = delivery.channel
                target.status = "chat"
                target.delivery_id = delivery.id
                target.asked_at = now
                started.asked.append((resident.openid, target.id))
                continue
        started.phone += 1
    return started


def _residents(session: Session, ids: list[int | None]) -> dict[int, Resident]:
    wanted = [i for i in ids if i is not None]
    found: dict[int, Resident] = {}
    for start in range(0, len(wanted), 900):
        query = select(Resident).where(Resident.id.in_(wanted[start : start + 900]))
        found.update((r.id, r) for r in session.scalars(query))
    return found


def _close_open_rounds(session: Session, poll_id: int, now: datetime) -> None:
    """A new round closes the last one: what was never answered stays as 本轮未完成."""
    for old in session.scalars(
        select(PollRound).where(PollRound.poll_id == poll_id, PollRound.status == "open")
    ):
        old.status = "closed"
        old.closed_at = now
        for target in session.scalars(
            select(PollTarget).where(
                PollTarget.round_id == old.id,
                PollTarget.status.in_(("chat", "answering", "phone")),
            )
        ):
            record_event(
                session,
                "poll_target",
                target.id,
                actor=ACTOR,
                from_state=target.status,
                to_state="missed",
            )
            target.status = "missed"
            target.finished_at = now


def expire_chat(session: Session, now: datetime) -> int:
    """Households asked by chat that did not answer (or stopped halfway without saying
    so) by the round's chat deadline go on their grid worker's phone list."""
    moved = 0
    rounds = session.scalars(
        select(PollRound).where(
            PollRound.status == "open",
            PollRound.chat_expired.is_(False),
            PollRound.chat_due_at <= now,
        )
    )
    for current in list(rounds):
        if not update_if(
            session,
            PollRound,
            PollRound.id == current.id,
            PollRound.chat_expired.is_(False),
            chat_expired=True,
        ):
            continue
        for target in session.scalars(
            select(PollTarget).where(
                PollTarget.round_id == current.id, PollTarget.status.in_(("chat", "answering"))
            )
        ):
            reason = NO_ANSWER if target.status == "chat" else NOT_FINISHED
            record_event(
                session,
                "poll_target",
                target.id,
                actor=ACTOR,
                from_state=target.status,
                to_state="phone",
                note=reason,
            )
            target.status = "phone"
            target.phone_reason = reason
            moved += 1
    return moved
