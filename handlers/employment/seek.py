"""job_seek: record the seeker's profile in as few questions as possible, then answer at
once with the best open jobs and trainings and why each one matches.

Everything the first message says is kept ("想找工作，会开车，只能干半天要接孩子" needs no
question at all). What is missing (skills, hours) is asked in one question; after at most
MAX_QUESTIONS answers the rest takes defaults (no skills named, any hours).
"""

from __future__ import annotations

from typing import Any

import nlp
from handlers.base import Context, IntentHandler, Reply
from handlers.dialogue import DialogueState
from handlers.employment import texts
from storage.employment.profile import ParsedProfile, parse_profile
from storage.employment.service import (
    best_jobs,
    describe_seeker,
    find_seeker,
    local_today,
    posting_line,
    save_profile,
)
from storage.models import JobSeeker

FLOW = "job_seek"
MAX_QUESTIONS = 2
# While the flow waits, these intents leave it unless the text also answers the question.
LEAVING_INTENTS = frozenset(
    {
        "job_apply",
        "human",
        "greeting_help",
        "register_address",
        "status_query",
        "meal_request",
        "volunteer_signup",
        "task_accept",
        "task_done",
    }
)


def _parse(ctx: Context) -> ParsedProfile:
    text = ctx.message.text or ""
    return parse_profile(nlp.normalize(text) if text else "")


def _profile_from(seeker: JobSeeker | None) -> dict[str, Any]:
    if seeker is None:
        return {"status": None, "skills": [], "kinds": [], "constraints": []}
    return {
        "status": seeker.labour_status,
        "reason": seeker.unable_reason,
        "skills": list(seeker.skills or []),
        "skills_known": bool(seeker.skills),
        "kinds": list(seeker.wanted_kinds or []),
        "hours": seeker.hours if seeker.hours in ("full", "half") else None,
        "constraints": list(seeker.constraints or []),
    }


def _merge(profile: dict[str, Any], parsed: ParsedProfile) -> dict[str, Any]:
    merged = dict(profile)
    if parsed.labour_status:
        merged["status"] = parsed.labour_status
        merged["reason"] = parsed.unable_reason
    merged["skills"] = sorted(set(merged.get("skills", [])) | set(parsed.skills))
    if parsed.skills or parsed.no_skills:
        merged["skills_known"] = True
    if parsed.kinds:
        merged["kinds"] = sorted(set(parsed.kinds))
    if parsed.hours:
        merged["hours"] = parsed.hours
    elif parsed.anything and not merged.get("hours"):
        merged["hours"] = "any"
    merged["constraints"] = sorted(set(merged.get("constraints", [])) | set(parsed.constraints))
    return merged


def _missing(profile: dict[str, Any]) -> list[str]:
    if profile.get("status") not in (None, "available"):
        return []
    gaps = []
    if not profile.get("skills_known"):
        gaps.append("skills")
    if not profile.get("hours"):
        gaps.append("hours")
    return gaps


class JobSeekHandler(IntentHandler):
    name = "job_seek"
    intents = frozenset({"job_seek"})
    flows = frozenset({FLOW})

    def matches(self, ctx: Context) -> bool:
        msg = ctx.message
        if msg.msg_type == "event" and (msg.event or "").lower() != "click":
            return False
        if ctx.dialogue is not None and ctx.dialogue.flow == FLOW:
            return ctx.understood.intent not in LEAVING_INTENTS or not _parse(ctx).empty
        return ctx.understood.intent in self.intents

    def handle(self, ctx: Context) -> Reply:
        parsed = _parse(ctx)
        in_flow = ctx.dialogue is not None and ctx.dialogue.flow == FLOW
        if in_flow:
            assert ctx.dialogue is not None
            data = dict(ctx.dialogue.data)
            profile = _merge(data.get("profile", {}), parsed)
            asked = int(data.get("asked", 0))
            if parsed.empty and asked < MAX_QUESTIONS:
                return self._ask(ctx, profile, asked + 1, again=True)
            return self._finish(ctx, profile, ask_round=asked)
        seeker = find_seeker(ctx.session, ctx.resident)
        profile = _merge(_profile_from(seeker), parsed)
        if seeker is not None and not parsed.details:
            return self._show(ctx, seeker, known=True)
        return self._finish(ctx, profile, ask_round=0)

    # -- steps -----------------------------------------------------------------------------

    def _finish(self, ctx: Context, profile: dict[str, Any], ask_round: int) -> Reply:
        gaps = _missing(profile)
        if gaps and ask_round < MAX_QUESTIONS:
            return self._ask(ctx, profile, ask_round + 1)
        status = profile.get("status") or "available"
        seeker = save_profile(
            ctx.session,
            ctx.resident,
            labour_status=status,
            unable_reason=profile.get("reason"),
            skills=profile.get("skills", []),
            kinds=profile.get("kinds", []),
            hours=profile.get("hours") or "any",
            constraints=profile.get("constraints", []),
            now=ctx.now,
        )
        ctx.next_dialogue = None
        return self._show(ctx, seeker, known=False)

    def _ask(self, ctx: Context, profile: dict[str, Any], asked: int, again: bool = False) -> Reply:
        gaps = _missing(profile) or ["skills", "hours"]
        questions = {"skills": texts.ASK_SKILLS, "hours": texts.ASK_HOURS}
        ctx.next_dialogue = DialogueState(
            flow=FLOW, step="asking", data={"profile": profile, "asked": asked}
        )
        if again:
            what = "；".join(questions[gap] for gap in gaps)
            return Reply(texts.ASK_AGAIN.format(what=what))
        lines = [texts.ASK_HEADER]
        lines += [f"{n}. {questions[gap]}" for n, gap in enumerate(gaps, 1)]
        if not profile.get("kinds"):
            lines.append(texts.ASK_KIND_HINT)
        lines.append(texts.ASK_FOOTER)
        return Reply("\n".join(lines))

    def _show(self, ctx: Context, seeker: JobSeeker, known: bool) -> Reply:
        profile = describe_seeker(seeker)
        head = (
            texts.KNOWN_PROFILE.format(profile=profile)
            if known
            else texts.REGISTERED.format(profile=profile)
        )
        if seeker.labour_status == "unable":
            return Reply(f"{head}\n{texts.UNABLE}")
        if seeker.labour_status == "employed" and not known:
            return Reply(f"{head}\n{texts.EMPLOYED}")
        found = best_jobs(ctx.session, seeker, local_today(ctx.now))
        if not found:
            return Reply(f"{head}\n{texts.NO_MATCHES}")
        items = [
            texts.MATCH_ITEM.format(n=n, line=posting_line(posting), why=match.explanation)
            for n, (posting, match) in enumerate(found, 1)
        ]
        footer = texts.MATCHES_FOOTER.format(code=found[0][0].code)
        return Reply("\n".join([head, texts.MATCHES_HEADER, *items, footer]))
