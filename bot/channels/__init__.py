"""Outbound channels: each knows WeChat's or WeCom's limits for its kind of message."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
from redis import Redis

from bot.channels.base import (
    Channel,
    ChannelError,
    PermanentError,
    RateLimited,
    RetryableError,
    SendContext,
    SendResult,
)
from bot.channels.customer_service import CustomerServiceChannel
from bot.channels.mass import MassTagChannel
from bot.channels.template import TemplateChannel
from bot.channels.wecom_robot import WeComRobotChannel
from bot.settings import Settings
from bot.wechat_api import WeChatApiClient

CHANNEL_NAMES = ("customer_service", "template", "mass_tag", "wecom_robot")


def build_channels(
    settings: Settings,
    redis: Redis,
    http_client: httpx.Client,
    *,
    wechat_client: WeChatApiClient | None = None,
    clock: Callable[[], float] = time.time,
) -> dict[str, Channel]:
    """A fresh set of channels for this process (or job); no module-level state."""
    wechat = wechat_client or WeChatApiClient(settings, redis)
    channels: list[Channel] = [
        CustomerServiceChannel(settings, wechat),
        TemplateChannel(settings, wechat),
        MassTagChannel(settings, redis, wechat),
        WeComRobotChannel(settings, redis, http_client, clock),
    ]
    return {channel.name: channel for channel in channels}


__all__ = [
    "CHANNEL_NAMES",
    "Channel",
    "ChannelError",
    "PermanentError",
    "RateLimited",
    "RetryableError",
    "SendContext",
    "SendResult",
    "build_channels",
]
