"""Mass send by tag (按标签群发), deduplicated by WeChat through `clientmsgid`.

Limits (DESIGN §3): a subscription account has 1 mass send a day; a service account's
users each receive at most 4 a month. We count sends per account and window in Redis,
reserving a slot atomically per delivery (a retry of the same delivery reuses its slot):

- daily window full (subscription) → RateLimited until the next day (China time): a
  notice a few hours late is still useful, and nothing is lost;
- monthly window full (service) → PermanentError: waiting up to a month would deliver a
  stale notice, so staff see it refused and can pick another channel (robot, template).
"""

from __future__ import annotations

import hashlib

import requests
from redis import Redis
from wechatpy.exceptions import WeChatClientException

from bot.channels.base import (
    PermanentError,
    RateLimited,
    RetryableError,
    SendContext,
    SendResult,
    classify_wechat_error,
    delivery_text,
)
from bot.settings import Settings
from bot.wechat_api import TokenUnavailable, WeChatApiClient
from storage.models import Delivery
from storage.outbound.platform_rules import mass_quota_key, mass_window

DUPLICATE_CLIENTMSGID = 45065

# KEYS[1] the window's set; ARGV: member, limit, ttl seconds. 1 = slot held, 0 = full.
_RESERVE = """
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 1 end
if redis.call('SCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1
"""


def client_msg_id(idempotency_key: str) -> str:
    """WeChat allows at most 64 characters; longer keys are hashed (stable across retries)."""
    if len(idempotency_key) <= 64:
        return idempotency_key
    return hashlib.sha1(idempotency_key.encode()).hexdigest()


class MassTagChannel:
    """recipient: a tag id (or "all"); payload: {"text": …}."""

    name = "mass_tag"

    def __init__(self, settings: Settings, redis: Redis, client: WeChatApiClient) -> None:
        self.settings = settings
        self.redis = redis
        self.client = client
        self._reserve = redis.register_script(_RESERVE)

    def send(self, delivery: Delivery, context: SendContext) -> SendResult:
        if not self.settings.account_verified:
            raise PermanentError("未认证的公众号不能通过接口群发，请在公众平台后台手动群发")
        text = delivery_text(delivery)
        recipient = delivery.recipient.strip()
        to_all = recipient == "all"
        if not to_all and not recipient.isdigit():
            raise PermanentError(f"群发标签无效：{recipient}")
        now = context.now()
        window, limit, next_open = mass_window(self.settings.account_type, now)
        key = mass_quota_key(self.settings.wechat_appid, window)
        ttl = int((next_open - now).total_seconds()) + 86400
        if not self._reserve(keys=[key], args=[delivery.idempotency_key, limit, ttl]):
            if self.settings.account_type == "subscription":
                raise RateLimited(
                    (next_open - now).total_seconds(), "订阅号每天只能群发1次，已顺延到明天发送"
                )
            raise PermanentError("服务号本月4次群发已用完，请改用群机器人或模板消息通知")
        body = {
            "filter": {"is_to_all": to_all, **({} if to_all else {"tag_id": int(recipient)})},
            "text": {"content": text},
            "msgtype": "text",
            "send_ignore_reprint": 0,
            "clientmsgid": client_msg_id(delivery.idempotency_key),
        }
        try:
            result = self.client.post("message/mass/sendall", data=body)
        except WeChatClientException as exc:
            if exc.errcode == DUPLICATE_CLIENTMSGID:
                # Already submitted by an earlier attempt: that one counts as the send.
                return SendResult(
                    external_id=_msg_id_of(exc), note="群发已提交过（clientmsgid 去重）"
                )
            if exc.errcode is not None:
                self.redis.srem(key, delivery.idempotency_key)
            raise classify_wechat_error(exc.errcode, exc.errmsg) from exc
        except TokenUnavailable as exc:
            self.redis.srem(key, delivery.idempotency_key)
            raise RetryableError("暂时取不到微信接口凭证（access_token）") from exc
        except requests.RequestException as exc:
            raise RetryableError(f"连接微信接口失败：{type(exc).__name__}") from exc
        msg_id = result.get("msg_id") if isinstance(result, dict) else None
        return SendResult(external_id=str(msg_id) if msg_id else None)


def _msg_id_of(exc: WeChatClientException) -> str | None:
    response = getattr(exc, "response", None)
    try:
        msg_id = response.json().get("msg_id") if response is not None else None
    except ValueError:
        return None
    return str(msg_id) if msg_id else None
