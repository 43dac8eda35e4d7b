"""Customer-service messages (客服消息): within 48 h of the resident's last message, at most
5 per message the resident sent."""

from __future__ import annotations

import requests
from sqlalchemy import select, update
from wechatpy.exceptions import WeChatClientException

from bot.channels.base import (
    CustomerServiceRefused,
    OutcomeUnknown,
    PermanentError,
    RetryableError,
    SendContext,
    SendResult,
    classify_wechat_error,
    delivery_text,
    request_failure,
)
from bot.settings import Settings
from bot.wechat_api import TokenUnavailable, WeChatApiClient
from storage.models import Delivery, Resident
from storage.outbound.platform_rules import CS_QUOTA, cs_window_open


class CustomerServiceChannel:
    name = "customer_service"

    def __init__(self, settings: Settings, client: WeChatApiClient) -> None:
        self.settings = settings
        self.client = client

    def _check_account(self) -> None:
        if self.settings.account_type == "subscription" and not self.settings.account_verified:
            raise PermanentError("未认证的订阅号没有客服消息接口，请改用被动回复或群发")

    def _reserve_quota(self, context: SendContext, resident: Resident) -> None:
        """Take one of the 5 messages allowed per resident message (atomically)."""
        taken = context.session.execute(
            update(Resident)
            .where(Resident.id == resident.id, Resident.cs_quota_used < CS_QUOTA)
            .values(cs_quota_used=Resident.cs_quota_used + 1)
        )
        context.session.commit()
        if not taken.rowcount:  # type: ignore[attr-defined]
            raise CustomerServiceRefused(
                f"居民上次留言后已发送{CS_QUOTA}条客服消息，达到上限；等居民再次留言后才能继续发送"
            )

    def _release_quota(self, context: SendContext, resident: Resident) -> None:
        context.session.execute(
            update(Resident)
            .where(Resident.id == resident.id, Resident.cs_quota_used > 0)
            .values(cs_quota_used=Resident.cs_quota_used - 1)
        )
        context.session.commit()

    def send(self, delivery: Delivery, context: SendContext) -> SendResult:
        self._check_account()
        text = delivery_text(delivery)
        openid = delivery.recipient
        resident = context.session.scalar(select(Resident).where(Resident.openid == openid))
        if resident is None:
            raise PermanentError("找不到该居民（openid 未登记）")
        if not cs_window_open(resident.last_message_at, context.now()):
            raise CustomerServiceRefused("居民超过48小时没有给公众号发消息，微信不允许再发客服消息")
        self._reserve_quota(context, resident)
        try:
            result = self.client.message.send_text(openid, text)
        except WeChatClientException as exc:
            if exc.errcode is not None:
                self._release_quota(context, resident)
            raise classify_wechat_error(exc.errcode, exc.errmsg) from exc
        except TokenUnavailable as exc:
            self._release_quota(context, resident)  # nothing was sent
            raise RetryableError("暂时取不到微信接口凭证（access_token）") from exc
        except requests.RequestException as exc:
            failure = request_failure(exc)
            if not isinstance(failure, OutcomeUnknown):
                self._release_quota(context, resident)  # no connection: nothing was sent
            # Otherwise WeChat may have accepted it: the quota stays taken.
            raise failure from exc
        msgid = result.get("msgid") if isinstance(result, dict) else None
        return SendResult(external_id=str(msgid) if msgid else None)
