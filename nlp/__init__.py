"""Pure natural-language understanding for 社区助手 (DESIGN §4).

No I/O beyond reading nlp's own data files (and jieba's dictionary cache) when
a Lexicon is built.
"""

from nlp.cues import (
    is_affirmation,
    is_completion_cue,
    is_dissatisfied,
    is_emergency,
    is_negation,
    is_satisfied,
    is_status_cue,
)
from nlp.engine import understand
from nlp.evaluation import evaluate, format_report
from nlp.lexicon import Lexicon, load_lexicon
from nlp.normalize import normalize
from nlp.types import CATEGORIES, ENTITY_KEYS, INTENTS, Entities, Understanding

__all__ = [
    "understand",
    "load_lexicon",
    "Lexicon",
    "normalize",
    "evaluate",
    "format_report",
    "Understanding",
    "Entities",
    "INTENTS",
    "CATEGORIES",
    "ENTITY_KEYS",
    "is_status_cue",
    "is_dissatisfied",
    "is_satisfied",
    "is_completion_cue",
    "is_affirmation",
    "is_negation",
    "is_emergency",
]
