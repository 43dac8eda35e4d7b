"""volunteer_signup: a short dialogue (skills, then when free; home from the bound
address), plus pause / resume / leave by chat."""

from __future__ import annotations

import re

from handlers import confirm
from handlers.address import FLOW as ADDRESS_FLOW
from handlers.base import Context, Reply
from handlers.dialogue import DialogueState
from handlers.volunteers import texts
from handlers.volunteers.common import (
    SIGNUP_FLOW,
    FeatureHandler,
    actor,
    community_id,
    text_of,
    volunteer,
)
from storage.models import VolunteerProfile
from storage.volunteers.profiles import (
    DAY_LABELS,
    SKILLS,
    SLOT_LABELS,
    STATUS_LABELS,
    create_profile,
    set_status,
)
from storage.volunteers.tasks import active_tasks

MAX_TRIES = 3
STATUS_WORDS = re.compile(r"暂停|恢复|退出|不当|不做|不干")
SLOT_WORDS = {
    "breakfast": ("早", "上午"),
    "lunch": ("中午", "午饭", "午餐", "晌午"),
    "dinner": ("晚", "下午", "傍晚"),
}
DAY_NUMERALS = "一二三四五六日天"


class VolunteerSignupHandler(FeatureHandler):
    name = "volunteer_signup"
    intents = frozenset({"volunteer_signup"})
    flows = frozenset({SIGNUP_FLOW})

    def wants(self, ctx: Context) -> bool:
        text = text_of(ctx)
        if "志愿" in text and STATUS_WORDS.search(text):
            return True
        return super().wants(ctx)

    def handle(self, ctx: Context) -> Reply:
        dialogue = ctx.dialogue if ctx.dialogue and ctx.dialogue.flow == SIGNUP_FLOW else None
        if dialogue is not None:
            if dialogue.step == "skills":
                return self._skills(ctx, dialogue)
            return self._availability(ctx, dialogue)
        profile = volunteer(ctx)
        text = text_of(ctx)
        if profile is not None and profile.status != "left":
            return self._existing(ctx, profile, text)
        if "志愿" in text and STATUS_WORDS.search(text):
            return Reply(texts.NOT_A_VOLUNTEER)
        if ctx.resident.household is None:
            ctx.next_dialogue = DialogueState(
                flow=ADDRESS_FLOW,
                step="awaiting_address",
                data={"tries": 0, "resume": {"intent": "volunteer_signup", "text": text}},
            )
            return Reply(texts.SIGNUP_ASK_ADDRESS)
        ctx.next_dialogue = DialogueState(flow=SIGNUP_FLOW, step="skills", data={"tries": 0})
        return Reply(texts.SIGNUP_WELCOME + "\n" + texts.ASK_SKILLS)

    def _existing(self, ctx: Context, profile: VolunteerProfile, text: str) -> Reply:
        ctx.next_dialogue = None
        who = actor(ctx)
        if "暂停" in text:
            if profile.status == "paused":
                return Reply(texts.ALREADY_PAUSED)
            set_status(ctx.session, profile, "paused", who, "志愿者自己暂停")
            return Reply(texts.PAUSED)
        if "恢复" in text:
            if profile.status != "paused":
                return Reply(texts.NOT_PAUSED.format(status=STATUS_LABELS[profile.status]))
            set_status(ctx.session, profile, "active", who, "志愿者自己恢复")
            return Reply(texts.RESUMED)
        if STATUS_WORDS.search(text):
            pending = active_tasks(ctx.session, profile.id)
            if pending:
                codes = "、".join(t.code for t in pending)
                return Reply(texts.LEAVE_HAS_TASKS.format(codes=codes))
            return confirm.ask(ctx, "leave_volunteers", profile.id)
        return Reply(
            texts.ALREADY_VOLUNTEER.format(
                status=STATUS_LABELS[profile.status],
                skills="、".join(profile.skills or []) or "未填写",
                when=describe_availability(profile.days, profile.slots),
            )
        )

    def _skills(self, ctx: Context, dialogue: DialogueState) -> Reply:
        skills = parse_skills(text_of(ctx))
        if not skills:
            return self._retry(ctx, dialogue, texts.SKILLS_AGAIN + "\n" + texts.ASK_SKILLS)
        data = {"skills": skills, "tries": 0}
        ctx.next_dialogue = DialogueState(flow=SIGNUP_FLOW, step="availability", data=data)
        return Reply(texts.ASK_AVAILABILITY.format(skills="、".join(skills)))

    def _availability(self, ctx: Context, dialogue: DialogueState) -> Reply:
        text = text_of(ctx)
        days, slots, understood = parse_availability(text)
        if not understood:
            return self._retry(ctx, dialogue, texts.AVAILABILITY_AGAIN)
        household = ctx.resident.household
        building = household.unit.building if household else None
        profile = create_profile(
            ctx.session,
            ctx.resident,
            community_id(ctx),
            skills=list(dialogue.data.get("skills") or []),
            days=days,
            slots=slots,
            building=building,
            actor=actor(ctx),
        )
        ctx.next_dialogue = None
        summary = texts.SIGNED_UP.format(
            skills="、".join(profile.skills),
            when=describe_availability(profile.days, profile.slots),
            home=building.label if building else "未登记",
        )
        tail = texts.AWAIT_APPROVAL if profile.status == "pending" else texts.NOW_ACTIVE
        return Reply(summary + "\n" + tail)

    def _retry(self, ctx: Context, dialogue: DialogueState, prompt: str) -> Reply:
        tries = int(dialogue.data.get("tries", 0)) + 1
        if tries >= MAX_TRIES:
            ctx.next_dialogue = None
            return Reply(texts.SIGNUP_GAVE_UP)
        data = {**dialogue.data, "tries": tries}
        ctx.next_dialogue = DialogueState(flow=SIGNUP_FLOW, step=dialogue.step, data=data)
        return Reply(prompt)


def parse_skills(text: str) -> list[str]:
    chosen: set[str] = set()
    for digit in re.findall(r"\d", text):
        if 1 <= int(digit) <= len(SKILLS):
            chosen.add(SKILLS[int(digit) - 1])
    for skill in SKILLS:
        if skill in text:
            chosen.add(skill)
    if "开车" in text or "司机" in text:
        chosen.add("驾车")
    if "修" in text:
        chosen.add("维修")
    return [s for s in SKILLS if s in chosen]


def parse_availability(text: str) -> tuple[list[int], list[str], bool]:
    """(weekdays, meal slots, understood); empty lists mean any day / any time."""
    days: set[int] = set()
    understood = False
    if re.search(r"都可以|随时|都行|每天|天天|全天|都有空|一周", text):
        understood = True
    if "工作日" in text:
        days.update(range(5))
    if "周末" in text or "双休" in text:
        days.update((5, 6))
    for start, end in re.findall(
        rf"(?:周|星期|礼拜)([{DAY_NUMERALS}])[到至\-~～]+(?:周|星期|礼拜)?([{DAY_NUMERALS}])", text
    ):
        a, b = _day(start), _day(end)
        days.update(range(a, b + 1) if a <= b else ())
    for one in re.findall(rf"(?:周|星期|礼拜)([{DAY_NUMERALS}])", text):
        days.add(_day(one))
    slots = [slot for slot, words in SLOT_WORDS.items() if any(w in text for w in words)]
    understood = understood or bool(days) or bool(slots)
    return sorted(days), slots, understood


def _day(char: str) -> int:
    return 6 if char in "日天" else "一二三四五六".index(char)


def describe_availability(days: list[int], slots: list[str]) -> str:
    if not days:
        day_text = "每天"
    elif days == [0, 1, 2, 3, 4]:
        day_text = "工作日"
    elif days == [5, 6]:
        day_text = "周末"
    else:
        day_text = "、".join(DAY_LABELS[d] for d in days)
    slot_text = "、".join(SLOT_LABELS[s] for s in slots) if slots else "全天"
    return f"{day_text} {slot_text}"
