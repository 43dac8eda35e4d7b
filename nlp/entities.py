"""Entity extraction on normalised text: address, codes, phone, rating,
compound.  Time expressions live in ``timeexpr``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlp.data_files import read_tsv

# --- address ---------------------------------------------------------------
_B_SUFFIX = r"(?:号楼|号院|栋|幢|座|#|号(?=[的,\s]*\d{1,2}单元))"
_DASH = re.compile(r"(?<![\d.])(\d{1,3})\s*(?:号楼|栋|幢|#|-)\s*(\d{1,2})\s*-\s*(\d{3,4})(?!\d)")
_BUILDING = re.compile(r"(?<![\d.\-])(\d{1,3})\s*" + _B_SUFFIX)
_UNIT = re.compile(r"(?<![\d.\-])(\d{1,2})\s*单元")
_ROOM_MARKED = re.compile(r"(?<![\d.\-])(\d{3,4})\s*(?:室|号房|房间|房)")
_ROOM_BARE = re.compile(
    r"(?<![\d.\-A-Z])(\d{3,4})(?![\d\-])"
    r"(?!\s*(?:元|块|分|点|年|斤|米|平|岁|次|天|个|号楼|栋))"
)
_ROOM_WINDOW = 14

# --- codes, phone -------------------------------------------------------------
_TICKET = re.compile(r"(?<![A-Z0-9])([A-Z]{1,2})\s?(20\d{6})\s?-?\s?(\d{3,5})(?!\d)")
_TASK = re.compile(r"(?<![A-Z0-9])T\s?(\d{1,5})(?!\d)|任务\s?(\d{1,5})(?!\d)|(\d{1,5})号任务")
_JOB = re.compile(r"(?<![A-Z0-9])J\s?(\d{1,5})(?!\d)|岗位\s?(\d{1,5})(?!\d)|(\d{1,5})号岗位?")
# P3 / 结对3 / 3号结对: a 结对帮扶 pair
_PAIR = re.compile(r"(?<![A-Z0-9])P\s?(\d{1,5})(?![\d.])|结对\s?(\d{1,5})(?!\d)|(\d{1,5})号结对")
_PHONE = re.compile(r"(?<!\d)(1[3-9]\d{9})(?!\d)")

# --- rating ---------------------------------------------------------------------
_RATING_SCORE = re.compile(r"(?<![\d.])([1-5])\s*(?:分(?!钟)|颗星|星(?!期))")
_RATING_BARE = re.compile(r"^\s*([1-5])\s*[分。.!！,，]?\s*$")

# --- compound (generic fallback when no names are passed in) -------------------
_COMPOUND_SUFFIX = re.compile(r"小区|家园|花园|新村|新城|嘉园|佳苑|名苑|雅苑|公寓|山庄")
_COMPOUND_BAD = {
    "我们",
    "咱们",
    "俺们",
    "这个",
    "那个",
    "整个",
    "你们",
    "他们",
    "我家",
    "附近",
    "隔壁",
    "旁边",
    "对面",
    "每个",
    "这些",
    "那些",
    "别的",
    "其他",
    "所有",
    "全部",
    "周边",
    "本来",
    "外面",
    "自己",
    "老旧",
    "回迁",
    "安置",
}
_CJK_ONLY = re.compile(r"^[\u4e00-\u9fff]+$")


@dataclass(frozen=True)
class Address:
    building: str | None = None
    unit: str | None = None
    room: str | None = None
    start: int = -1
    end: int = -1


def _digits(s: str) -> str:
    return str(int(s))


def extract_address(s: str, blocked: list[tuple[int, int]]) -> Address:
    """Building/unit/room from normalised text; spans in ``blocked`` (codes,
    phone numbers) are ignored."""

    def free(a, b):
        return all(b <= x or a >= y for x, y in blocked)

    for m in _DASH.finditer(s):
        if free(m.start(), m.end()):
            return Address(_digits(m.group(1)), _digits(m.group(2)), m.group(3), m.start(), m.end())
    b = next((m for m in _BUILDING.finditer(s) if free(m.start(), m.end())), None)
    u = next(
        (
            m
            for m in _UNIT.finditer(s)
            if free(m.start(), m.end()) and (b is None or m.start() >= b.end())
        ),
        None,
    )
    if u is not None and b is not None:
        b = _last_before(_BUILDING, s, u.start(), free) or b  # 我是5栋的 我妈住7栋1单元
    anchor = u or b
    room = None
    marked = next((m for m in _ROOM_MARKED.finditer(s) if free(m.start(), m.end())), None)
    if marked is not None:
        room = marked
    elif anchor is not None:
        room = _bare_room(s, anchor, free)
        if room is None:
            # a later, fuller mention (我是10号楼的 … 送到10号楼2单元401)
            later = sorted(
                (
                    m
                    for rx in (_UNIT, _BUILDING)
                    for m in rx.finditer(s)
                    if m.start() > anchor.start() and free(m.start(), m.end())
                ),
                key=lambda m: m.start(),
            )
            for a in later:
                room = _bare_room(s, a, free)
                if room is not None:
                    b = _last_before(_BUILDING, s, room.start(), free) or b
                    u = _last_before(_UNIT, s, room.start(), free, b.end() if b else 0) or u
                    break
    if b is None and u is None and room is None:
        return Address()
    spans = [m for m in (b, u, room) if m is not None]
    return Address(
        _digits(b.group(1)) if b else None,
        _digits(u.group(1)) if u else None,
        room.group(1) if room else None,
        min(m.start() for m in spans),
        max(m.end() for m in spans),
    )


def _bare_room(s: str, anchor: re.Match, free):
    for m in _ROOM_BARE.finditer(s, anchor.end()):
        if m.start() - anchor.end() > _ROOM_WINDOW:
            return None
        if free(m.start(), m.end()):
            return m
    return None


def _last_before(rx: re.Pattern, s: str, end: int, free, start: int = 0):
    found = None
    for m in rx.finditer(s, start, end):
        if free(m.start(), m.end()):
            found = m
    return found


def extract_codes(s: str) -> tuple[dict[str, str], list[tuple[int, int]]]:
    """Ticket, task, job and pair codes and phone numbers, with their spans."""
    out: dict[str, str] = {}
    spans: list[tuple[int, int]] = []
    m = _PHONE.search(s)
    if m:
        out["phone"] = m.group(1)
        spans.append(m.span())
    m = _TICKET.search(s)
    if m:
        out["ticket_code"] = f"{m.group(1)}{m.group(2)}-{m.group(3)}"
        spans.append(m.span())
    for key, rx, prefix in (
        ("task_code", _TASK, "T"),
        ("job_code", _JOB, "J"),
        ("pair_code", _PAIR, "P"),
    ):
        for m in rx.finditer(s):
            if any(not (m.end() <= x or m.start() >= y) for x, y in spans):
                continue
            num = next(g for g in m.groups() if g)
            out[key] = prefix + str(int(num))
            spans.append(m.span())
            break
    return out, spans


class RatingTable:
    """Rating phrases; a ``whole`` phrase (flag ``=`` in ratings.tsv) rates only
    when it is the whole message: 没修好 alone answers a rating question, inside
    a longer message it describes a problem."""

    def __init__(self, phrases: dict[str, str], whole: dict[str, str] | None = None):
        self.phrases = dict(phrases)
        self.whole = dict(whole or {})
        self._re = re.compile("|".join(map(re.escape, sorted(self.phrases, key=len, reverse=True))))

    def find(self, s: str) -> tuple[str | None, str | None]:
        """(rating, matched text) — strongest explicit form first."""
        m = _RATING_BARE.match(s)
        if m:
            return m.group(1), m.group()
        core = s.strip(_RATING_STRIP)
        if core in self.whole:
            return self.whole[core], core
        m = _RATING_SCORE.search(s)
        if m:
            return m.group(1), m.group()
        best = None
        for m in self._re.finditer(s):
            if best is None or len(m.group()) > len(best.group()):
                best = m
        if best:
            return self.phrases[best.group()], best.group()
        return None, None


_RATING_STRIP = " ,.!?;:，。！？、…~～"


def load_rating_table() -> RatingTable:
    rows = [r for r in read_tsv("ratings.tsv") if len(r) >= 2]
    whole = {r[0]: r[1] for r in rows if len(r) > 2 and "=" in r[2]}
    return RatingTable({r[0]: r[1] for r in rows if r[0] not in whole}, whole)


def extract_compound(s: str, compounds: tuple[str, ...] | None, tokens=None) -> str | None:
    """A compound name: one of ``compounds`` (names from the database, passed
    in) when given; otherwise the jieba word just before a suffix such as
    小区/家园/花园 (幸福家园, 阳光小区)."""
    if compounds is not None:
        best = None
        for name in compounds:
            for variant in _compound_variants(name):
                if variant and variant in s and (best is None or len(name) > len(best)):
                    best = name
        return best
    if tokens is None:
        return None
    for m in _COMPOUND_SUFFIX.finditer(s):
        before = s[max(0, m.start() - 8) : m.start()]
        if not before:
            continue
        toks = tokens(before)
        head = toks[-1] if toks else ""
        if 2 <= len(head) <= 4 and _CJK_ONLY.match(head) and head not in _COMPOUND_BAD:
            return head + m.group()
    return None


def _compound_variants(name: str):
    yield name
    for suffix in ("小区", "社区"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            yield name[: -len(suffix)]
