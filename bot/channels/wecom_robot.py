"""WeCom group robots (企业微信群机器人): ≤20 messages a minute per robot, text ≤2048 bytes.

Longer text is split into parts on character boundaries (at a line break when one is
near); the parts concatenate to exactly the original text. Each part takes a slot of the
shared per-robot rate limit, and the number of parts already sent is saved in the
delivery's payload as soon as each part is accepted, so a retry resumes with the next
part instead of resending earlier ones.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
from redis import Redis

from bot.channels.base import (
    RateLimited,
    RetryableError,
    SendContext,
    SendResult,
    classify_wechat_error,
    delivery_text,
)
from bot.channels.ratelimit import SlidingWindowLimiter
from bot.settings import Settings
from storage.models import Delivery
from storage.outbound.platform_rules import split_robot_text

PER_MINUTE = 20
ROBOT_RATE_LIMITED = 45009


class WeComRobotChannel:
    """recipient: the robot key; payload: {"text": …, "mentioned_mobile_list": [...]}."""

    name = "wecom_robot"

    def __init__(
        self,
        settings: Settings,
        redis: Redis,
        http_client: httpx.Client,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.url = settings.wecom_api_base.rstrip("/") + "/cgi-bin/webhook/send"
        self.http = http_client
        self.limiter = SlidingWindowLimiter(redis, "ratelimit:wecom-robot", PER_MINUTE, 60.0, clock)

    def send(self, delivery: Delivery, context: SendContext) -> SendResult:
        payload = dict(delivery.payload or {})
        parts = split_robot_text(delivery_text(delivery))
        done = int(payload.get("parts_sent") or 0)
        key = delivery.recipient
        for index in range(done, len(parts)):
            wait = self.limiter.acquire(key, member=f"{delivery.idempotency_key}#{index}")
            if wait > 0:
                raise RateLimited(
                    wait,
                    f"群机器人每分钟最多发{PER_MINUTE}条，已发{index}/{len(parts)}段，稍后继续",
                )
            text: dict[str, object] = {"content": parts[index]}
            if index == 0 and payload.get("mentioned_mobile_list"):
                text["mentioned_mobile_list"] = payload["mentioned_mobile_list"]
            try:
                res = self.http.post(
                    self.url, params={"key": key}, json={"msgtype": "text", "text": text}
                )
                res.raise_for_status()
                result = res.json()
            except (httpx.HTTPError, ValueError) as exc:
                raise RetryableError(f"连接企业微信接口失败：{type(exc).__name__}") from exc
            errcode = int(result.get("errcode", -1))
            if errcode == ROBOT_RATE_LIMITED:
                raise RateLimited(60, "企业微信提示群机器人发送过快，稍后继续")
            if errcode != 0:
                raise classify_wechat_error(errcode, result.get("errmsg"))
            context.save_progress({"parts_sent": index + 1, "parts_total": len(parts)})
        note = f"分{len(parts)}段发送" if len(parts) > 1 else None
        return SendResult(external_id=f"parts:{len(parts)}", note=note)
