"""The sandbox: a local stand-in for the WeChat and WeCom platforms (DESIGN §7)."""

from bot.sandbox.platform import build_platform_router

__all__ = ["build_platform_router"]
