"""WeChat's and WeCom's limits on what the service may send, written once.

Everything that chooses a channel (planning a delivery) or sends on one reads these. The
sandbox (bot/sandbox) keeps its own copy on purpose: it stands in for the platform, and a
wrong rule here must be refused there, not agreed with.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from storage.clock import CHINA

# Customer-service messages: within 48 hours of the resident's last message, at most five
# per message the resident sent.
CS_WINDOW = timedelta(hours=48)
CS_QUOTA = 5
# A delivery planned now is sent a little later (queues, retries); planning keeps this
# much of the window in hand so the send does not land just past it.
PLANNING_MARGIN = timedelta(hours=1)

# Mass sends by tag: a subscription account once a day, a service account four a month.
DAILY_MASS_LIMIT = 1
MONTHLY_MASS_LIMIT = 4

# A WeCom group robot text message.
ROBOT_TEXT_BYTES = 2048


def cs_window_open(last_message_at: datetime | None, now: datetime) -> bool:
    """Whether WeChat accepts a customer-service message now (the send-time rule)."""
    return last_message_at is not None and now - last_message_at <= CS_WINDOW


def cs_window_plannable(last_message_at: datetime | None, now: datetime) -> bool:
    """Whether a delivery planned now can still count on the customer-service window."""
    return last_message_at is not None and now - last_message_at <= CS_WINDOW - PLANNING_MARGIN


def cs_quota_left(used: int, reserved: int = 0) -> bool:
    """Whether one more customer-service message fits, keeping `reserved` in hand."""
    return used < CS_QUOTA - reserved


def template_allowed(account_type: str, verified: bool) -> bool:
    """Template messages need a verified service account."""
    return account_type == "service" and verified


def mass_window(account_type: str, now: datetime) -> tuple[str, int, datetime]:
    """(window id, mass sends allowed in it, when the next window opens), in China time."""
    local = now.astimezone(CHINA)
    if account_type == "subscription":
        start = local.replace(hour=0, minute=0, second=0, microsecond=0)
        return local.strftime("%Y%m%d"), DAILY_MASS_LIMIT, start + timedelta(days=1)
    first = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    following = (first + timedelta(days=32)).replace(day=1)
    return local.strftime("%Y%m"), MONTHLY_MASS_LIMIT, following


def mass_quota_key(appid: str, window: str) -> str:
    """The Redis set of mass sends reserved in a window (members: idempotency keys)."""
    return f"wechat:mass-quota:{appid}:{window}"


def split_robot_text(text: str, max_bytes: int = ROBOT_TEXT_BYTES) -> list[str]:
    """Split into parts of at most `max_bytes` UTF-8 bytes without breaking a character,
    preferring a line break in the later half of a part."""
    parts: list[str] = []
    start = 0
    while start < len(text):
        size = 0
        end = start
        while end < len(text):
            char_size = len(text[end].encode("utf-8"))
            if size + char_size > max_bytes:
                break
            size += char_size
            end += 1
        if end < len(text):
            newline = text.rfind("\n", start, end)
            if newline >= start + (end - start) // 2:
                end = newline + 1  # keep the line break with the earlier part
        parts.append(text[start:end])
        start = end
    return parts


def planned_channel(
    last_message_at: datetime | None,
    cs_used: int,
    now: datetime,
    *,
    template_allowed: bool = True,
    reserved: int = 0,
) -> str | None:
    """The channel a message to one resident is planned on: customer service while the
    window and quota allow, else a template message if the account may send one."""
    if cs_window_plannable(last_message_at, now) and cs_quota_left(cs_used, reserved):
        return "customer_service"
    return "template" if template_allowed else None


def fallback_channel(refused: str, template_allowed: bool) -> str | None:
    """Where a message goes when WeChat refused it on `refused` for a reason no retry
    fixes on that channel (the 48-hour window closed, the quota used up): a
    customer-service message becomes a template message if the account may send one;
    nothing else falls back (and never to the same channel)."""
    if refused == "customer_service" and template_allowed:
        return "template"
    return None
