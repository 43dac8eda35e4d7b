"""Template messages (模板消息): verified service accounts only."""

from __future__ import annotations

import requests
from wechatpy.exceptions import WeChatClientException

from bot.channels.base import (
    PermanentError,
    RetryableError,
    SendContext,
    SendResult,
    classify_wechat_error,
    request_failure,
)
from bot.settings import Settings
from bot.wechat_api import TokenUnavailable, WeChatApiClient
from storage.models import Delivery


class TemplateChannel:
    """payload: {"template_id": str, "data": {"first": {"value": …}, …}, "url": str | None}.

    `data` values may be given as plain strings; they are wrapped as {"value": …}.
    """

    name = "template"

    def __init__(self, settings: Settings, client: WeChatApiClient) -> None:
        self.settings = settings
        self.client = client

    def send(self, delivery: Delivery, context: SendContext) -> SendResult:
        if self.settings.account_type != "service" or not self.settings.account_verified:
            raise PermanentError("只有已认证的服务号才能发送模板消息")
        payload = delivery.payload or {}
        template_id = payload.get("template_id")
        data = payload.get("data")
        if not template_id or not isinstance(data, dict) or not data:
            raise PermanentError("模板消息缺少模板ID或内容")
        fields = {
            key: value if isinstance(value, dict) else {"value": str(value)}
            for key, value in data.items()
        }
        try:
            result = self.client.message.send_template(
                delivery.recipient, template_id, fields, url=payload.get("url")
            )
        except WeChatClientException as exc:
            raise classify_wechat_error(exc.errcode, exc.errmsg) from exc
        except TokenUnavailable as exc:
            raise RetryableError("暂时取不到微信接口凭证（access_token）") from exc
        except requests.RequestException as exc:
            raise request_failure(exc) from exc
        msgid = result.get("msgid") if isinstance(result, dict) else None
        return SendResult(external_id=str(msgid) if msgid else None)
