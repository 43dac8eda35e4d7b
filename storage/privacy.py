"""What may leave the console: text scrubbed for the public, phone numbers masked.

`scrub_public_text` is applied to every text that becomes public (the Open311 board, the
staff-approved public summary of a request): phone numbers, ID-card and other long
numbers, and room numbers go (3号楼2单元501 → 3号楼), and so do the names passed in
(e.g. the reporter's). Pure functions, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

HIDDEN = "＊＊"
NAME_REPLACEMENT = "居民"

# Phone numbers (mobiles with or without +86 and separators, landlines with an area code)
# and any other run of 7+ digits (ID-card numbers with a final X, bank cards). Ticket
# codes like M20261122-0007 are kept: a letter right before the digits means a code.
_LONG_NUMBER = re.compile(
    r"(?<![0-9A-Za-z])(?:(?:\+?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}"
    r"|0\d{2,3}[\s-]?\d{7,8}|\d{7,}[Xx]?)(?![0-9A-Za-z])"
)
_BUILDING = r"(\d{1,3})\s*(号楼|栋|幢|座)"
_ROOM = r"\d{1,4}\s*(?:室|号|户)?"
# 3号楼2单元501 / 3栋2单元501室 / 3号楼2单元 → 3号楼 (the unit goes too: building level).
_BUILDING_UNIT_ROOM = re.compile(_BUILDING + r"\s*\d{1,2}\s*单元(?:\s*" + _ROOM + r")?")
# 8号楼402 / 8栋402室 → 8号楼
_BUILDING_ROOM = re.compile(_BUILDING + r"\s*\d{3,4}\s*(?:室|号|户)?(?!\d)")
# 3-2-501 / 3－2－501 → 3号楼 (dates such as 2026-11-25 do not fit: room has 3–4 digits).
_DASHED = re.compile(r"(?<![\d-])(\d{1,3})\s*[-－]\s*\d{1,2}\s*[-－]\s*\d{3,4}(?![\d-])")
# A unit and room without a building (2单元501), or a bare room (501室).
_UNIT_ROOM = re.compile(r"\d{1,2}\s*单元(?:\s*" + _ROOM + r")?")
_BARE_ROOM = re.compile(r"(?<!\d)\d{3,4}\s*(?:室|房间)")


def scrub_public_text(text: str | None, names: Iterable[str | None] = ()) -> str:
    """`text` without phone/ID numbers, rooms (building kept) or the given names."""
    if not text:
        return ""
    out = _LONG_NUMBER.sub(HIDDEN, text)
    out = _BUILDING_UNIT_ROOM.sub(r"\1\2", out)
    out = _BUILDING_ROOM.sub(r"\1\2", out)
    out = _DASHED.sub(r"\1号楼", out)
    out = _UNIT_ROOM.sub("", out)
    out = _BARE_ROOM.sub("", out)
    for name in sorted({n.strip() for n in names if n and n.strip()}, key=len, reverse=True):
        if len(name) >= 2:
            out = out.replace(name, NAME_REPLACEMENT)
    return out.strip()


def mask_phone(phone: str | None) -> str:
    """138****5678: enough to recognise a number, not to dial it."""
    if not phone:
        return ""
    digits = phone.strip()
    if len(digits) < 8:
        return "****"
    return f"{digits[:3]}****{digits[-4:]}"
