"""The outbound channel interface: what a channel is given, returns and raises."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

import requests
from sqlalchemy.orm import Session
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NewConnectionError

from storage.models import Delivery

# WeChat errcodes that no retry can fix (the message would be refused again).
PERMANENT_WECHAT_ERRORS: dict[int, str] = {
    40003: "接收人的 openid 无效",
    40037: "模板消息的模板 ID 无效",
    43004: "接收人未关注公众号",
    43019: "接收人已将公众号拉黑",
    45015: "距离居民上次发消息已超过48小时，不能再发客服消息",
    45028: "群发次数已用完",
    45047: "客服消息条数已达上限（每条居民消息最多5条）",
    45065: "该群发已提交过",
    48001: "公众号没有该接口的权限（需认证服务号）",
    47001: "消息格式错误",
    40058: "消息内容超出长度限制",
    93000: "群机器人地址无效",
}
# A customer-service message refused for its own limits (the 48-hour window, the quota):
# the message may still go as a template message (storage/outbound/notify.py fall_back).
CS_REFUSALS = {45015, 45047}
# Transient: throttled or a WeChat-side hiccup.
RATE_LIMIT_ERRORS = {45009, 45011, 45066}


class ChannelError(Exception):
    """Base of what a channel raises; `reason` is shown to staff (Chinese)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RetryableError(ChannelError):
    """Try again later with back-off (network error, WeChat busy)."""


class OutcomeUnknown(ChannelError):
    """The request may have reached WeChat (no answer in time, or the connection broke
    after it was sent): a resend could reach the resident twice, so it is not resent
    automatically; staff check and retry by hand (see docs/delivery.md)."""


class PermanentError(ChannelError):
    """Will never succeed as planned (outside the 48 h window, no API permission …)."""


class CustomerServiceRefused(PermanentError):
    """WeChat will not take this customer-service message (the 48-hour window has closed
    or the quota is used up): never retried on that channel; the worker sends it as a
    template message instead where the account allows."""


class RateLimited(ChannelError):
    """The channel's own limit is reached; send after `retry_after_seconds` (not a failure)."""

    def __init__(
        self, retry_after_seconds: float, reason: str = "发送频率受限，稍后自动重发"
    ) -> None:
        super().__init__(reason)
        self.retry_after_seconds = max(0.0, float(retry_after_seconds))


@dataclass
class SendResult:
    external_id: str | None = None
    note: str | None = None


def _system_clock() -> float:
    return time.time()


@dataclass
class SendContext:
    """What a channel may use while sending one delivery.

    `save_progress` persists partial progress (e.g. parts of a long robot message already
    sent) at once, in its own transaction, so a retry after a crash resumes rather than
    resends.
    """

    session: Session
    clock: Callable[[], float] = _system_clock
    save_progress: Callable[[dict[str, Any]], None] = field(default=lambda _update: None)

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)


class Channel(Protocol):
    name: str

    def send(self, delivery: Delivery, context: SendContext) -> SendResult: ...


def classify_wechat_error(errcode: int | None, errmsg: str | None) -> ChannelError:
    """Map a WeChat/WeCom error to what the worker should do with the delivery."""
    text = f"微信接口错误 {errcode}: {errmsg or ''}".strip()
    if errcode in RATE_LIMIT_ERRORS:
        return RateLimited(60, f"{text}（频率受限，稍后重发）")
    if errcode in CS_REFUSALS:
        return CustomerServiceRefused(f"{PERMANENT_WECHAT_ERRORS[errcode]}（{errcode}）")
    if errcode is not None and errcode in PERMANENT_WECHAT_ERRORS:
        return PermanentError(f"{PERMANENT_WECHAT_ERRORS[errcode]}（{errcode}）")
    return RetryableError(text)


# Failures of the HTTP call that may come after WeChat received the request.
_AFTER_SENDING = (
    requests.exceptions.Timeout,
    requests.exceptions.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)


def _never_sent(exc: requests.RequestException) -> bool:
    """True when no connection was made, so WeChat cannot have seen the request."""
    if isinstance(exc, requests.exceptions.ConnectTimeout | requests.exceptions.SSLError):
        return True
    if not isinstance(exc, requests.exceptions.ConnectionError):
        return False
    reason = exc.args[0] if exc.args else None
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    return isinstance(reason, NewConnectionError | ConnectTimeoutError)


def request_failure(exc: requests.RequestException) -> ChannelError:
    """What a failed call to the WeChat API means for a message that must not arrive
    twice: retry when it surely never left, otherwise the outcome is unknown."""
    name = type(exc).__name__
    if isinstance(exc, _AFTER_SENDING) and not _never_sent(exc):
        return OutcomeUnknown(
            f"微信接口未正常应答（{name}），无法确定居民是否已收到；为免重复，未自动重发，"
            "请向居民确认后再手动重发"
        )
    return RetryableError(f"连接微信接口失败：{name}")


def delivery_text(delivery: Delivery) -> str:
    text = (delivery.payload or {}).get("text")
    if not isinstance(text, str) or not text.strip():
        raise PermanentError("消息内容为空")
    return text
