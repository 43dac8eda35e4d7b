"""Public result types and the fixed names of DESIGN §4."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

INTENTS = (
    "report_problem",
    "meal_request",
    "volunteer_signup",
    "task_accept",
    "task_done",
    "job_seek",
    "job_apply",
    "status_query",
    "rate",
    "register_address",
    "consult",
    "greeting_help",
    "cancel",
    "human",
    "project_query",
    "visit_record",
    "visit_query",
    "unknown",
)
CATEGORIES = (
    "水电燃气",
    "公共照明",
    "电梯",
    "环境卫生",
    "房屋维修",
    "噪音扰民",
    "治安安全",
    "停车交通",
    "邻里纠纷",
    "绿化设施",
    "其他",
)
ENTITY_KEYS = (
    "building",
    "unit",
    "room",
    "compound",
    "phone",
    "task_code",
    "job_code",
    "ticket_code",
    "pair_code",
    "rating",
    "category",
    "when_date",
    "when_slot",
    "when_text",
)
SLOTS = ("breakfast", "lunch", "dinner")


@dataclass(frozen=True)
class Entities:
    """Typed view of the entities dict; every value is a string or None."""

    building: str | None = None
    unit: str | None = None
    room: str | None = None
    compound: str | None = None
    phone: str | None = None
    task_code: str | None = None
    job_code: str | None = None
    ticket_code: str | None = None
    pair_code: str | None = None
    rating: str | None = None
    category: str | None = None
    when_date: str | None = None
    when_slot: str | None = None
    when_text: str | None = None

    def to_dict(self) -> dict[str, str]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_dict(cls, d: dict[str, str]) -> Entities:
        unknown = set(d) - set(ENTITY_KEYS)
        if unknown:
            raise ValueError(f"unknown entity keys: {sorted(unknown)}")
        return cls(**d)


@dataclass(frozen=True)
class Understanding:
    intent: str
    confidence: float
    entities: dict[str, str] = field(default_factory=dict)
    evidence: tuple[str, ...] = ()
    alternatives: tuple[tuple[str, float], ...] = ()

    @property
    def typed_entities(self) -> Entities:
        return Entities.from_dict(self.entities)
