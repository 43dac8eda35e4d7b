"""One place for configuration: environment variables and an optional `.env` file.

Every setting the code reads is a field here, so `.env` works for all of them. In
production (`SHEQU_ENV=production`) the settings that would make the service unsafe stop
the start with a message naming each one (`production_problems`); `shequ check`
(bot.preflight) reports the same problems, and what it can only find out by connecting.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Literal, NamedTuple
from urllib.parse import urlsplit

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Values nobody should deploy with (compared case-insensitively).
PLACEHOLDERS = frozenset({"changethis", "changeme", "change-me", "replace-me", "todo", "xxx"})

# Demo credentials used by the embedded run and the sandbox; refused in production.
LOCAL_WECHAT_TOKEN = "shequ-local-token"
LOCAL_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
LOCAL_APPID = "wx00shequlocal000"
LOCAL_APP_SECRET = "shequ-local-secret"

EncryptMode = Literal["plain", "compatible", "safe"]
# Where each credential is found in the 公众号 console.
WECHAT_CONSOLE_NAMES = {
    "WECHAT_APPID": "开发者ID（AppID）",
    "WECHAT_SECRET": "开发者密码（AppSecret）",
    "WECHAT_TOKEN": "服务器配置的令牌（Token）",
    "WECHAT_AES_KEY": "服务器配置的消息加解密密钥（EncodingAESKey）",
}


class ConfigProblem(NamedTuple):
    setting: str
    problem: str  # Chinese, for the operator
    fix: str  # Chinese: what to do about it
    english: str  # for logs and tracebacks


_unchecked: ContextVar[bool] = ContextVar("shequ_settings_unchecked", default=False)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Literal["local", "production"] = Field("local", alias="SHEQU_ENV")
    data_dir: Path = Field(Path("./.shequ-data"), alias="SHEQU_DATA_DIR")

    wechat_token: str = Field(LOCAL_WECHAT_TOKEN, alias="WECHAT_TOKEN")
    wechat_aes_key: str = Field(LOCAL_AES_KEY, alias="WECHAT_AES_KEY")
    wechat_appid: str = Field(LOCAL_APPID, alias="WECHAT_APPID")
    wechat_secret: str = Field(LOCAL_APP_SECRET, alias="WECHAT_SECRET")
    # 消息加解密方式 as set in the 公众号 console. Unset: compatible locally, safe in production.
    wechat_encrypt_mode: EncryptMode | None = Field(None, alias="WECHAT_ENCRYPT_MODE")
    # The WeChat API root; the embedded run points it at the sandbox.
    wechat_api_base: str = Field("https://api.weixin.qq.com", alias="WECHAT_API_BASE")
    wecom_api_base: str = Field("https://qyapi.weixin.qq.com", alias="WECOM_API_BASE")
    # Verified service accounts have template messages and 4 mass sends per user a month;
    # subscription accounts have 1 mass send a day and (unverified) no customer-service API.
    account_type: Literal["service", "subscription"] = Field("service", alias="WECHAT_ACCOUNT_TYPE")
    account_verified: bool = Field(True, alias="WECHAT_ACCOUNT_VERIFIED")

    database_url: str | None = Field(None, alias="DATABASE_URL")
    redis_url: str | None = Field(None, alias="REDIS_URL")

    public_url: str = Field("http://127.0.0.1:8000", alias="SHEQU_PUBLIC_URL")
    # Unset: on locally, off in production (where asking for it stops the start).
    sandbox: bool | None = Field(None, alias="SHEQU_SANDBOX")
    # Comma-separated api_keys that may file Open311 requests.
    open311_keys: str = Field("", alias="SHEQU_OPEN311_KEYS")
    # Outside units a request can be transferred to, with contacts: 名称|电话;名称|电话
    outside_units: str = Field(
        "物业服务中心|0571-86001234;供电所|95598;燃气公司|96777;自来水公司|96390",
        alias="SHEQU_OUTSIDE_UNITS",
    )
    # A JSON file of holidays / make-up working days laid over the shipped calendar.
    calendar_file: Path | None = Field(None, alias="SHEQU_CALENDAR")

    replay_window_seconds: int = Field(300, alias="SHEQU_REPLAY_WINDOW")
    max_body_bytes: int = Field(256 * 1024, alias="SHEQU_MAX_BODY_BYTES")
    # WeChat gives up after 5 s; answer well before that whatever happens downstream.
    reply_budget_seconds: float = Field(3.5, alias="SHEQU_REPLY_BUDGET")
    # `shequ serve`'s web processes; None: one per CPU, at most 4.
    web_workers: int | None = Field(None, alias="SHEQU_WEB_WORKERS", ge=1)
    # Threads per web process that handle messages (bot/webhook.py); None: 1 on SQLite
    # (CPU-bound), 4 on PostgreSQL (each message also waits on the server and its fsyncs).
    message_threads: int | None = Field(None, alias="SHEQU_MESSAGE_THREADS", ge=1)
    redis_timeout_seconds: float = Field(0.5, alias="SHEQU_REDIS_TIMEOUT")
    dialogue_ttl_seconds: int = Field(1800, alias="SHEQU_DIALOGUE_TTL")
    # How often a process looks for staff-added words and 办事指南 entries (one small query).
    lexicon_check_seconds: float = Field(5.0, alias="SHEQU_LEXICON_CHECK_SECONDS")
    log_level: str = Field("INFO", alias="SHEQU_LOG_LEVEL")

    @property
    def is_local(self) -> bool:
        return self.environment == "local"

    @property
    def sandbox_enabled(self) -> bool:
        return self.is_local if self.sandbox is None else self.sandbox and self.is_local

    @property
    def encrypt_mode(self) -> EncryptMode:
        if self.wechat_encrypt_mode is not None:
            return self.wechat_encrypt_mode
        return "compatible" if self.is_local else "safe"

    @property
    def open311_api_keys(self) -> frozenset[str]:
        return frozenset(k.strip() for k in self.open311_keys.split(",") if k.strip())

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            url = self.database_url
            if url.startswith("postgresql://"):
                url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
            return url
        return f"sqlite:///{(self.data_dir / 'shequ.db').resolve()}"

    @property
    def uses_sqlite(self) -> bool:
        return self.sqlalchemy_url.startswith("sqlite")

    def production_problems(self) -> list[ConfigProblem]:
        """What makes this configuration unsafe to run in production (empty when fine)."""
        problems: list[ConfigProblem] = []
        if self.sandbox:
            problems.append(
                ConfigProblem(
                    "SHEQU_SANDBOX",
                    "生产环境不能开启微信沙箱：沙箱不需登录就能冒充任何居民发消息",
                    "删除 SHEQU_SANDBOX 这一行，或设为 false",
                    "the sandbox cannot run in production",
                )
            )
        demo = {
            "WECHAT_TOKEN": (self.wechat_token, LOCAL_WECHAT_TOKEN),
            "WECHAT_APPID": (self.wechat_appid, LOCAL_APPID),
            "WECHAT_SECRET": (self.wechat_secret, LOCAL_APP_SECRET),
        }
        if self.encrypt_mode != "plain":
            demo["WECHAT_AES_KEY"] = (self.wechat_aes_key, LOCAL_AES_KEY)
        for name, (value, local) in demo.items():
            if not value or value == local or value.lower() in PLACEHOLDERS:
                problems.append(
                    ConfigProblem(
                        name,
                        f"{name} 还是演示值或占位值",
                        f"填写公众号后台「设置与开发 → 基本配置」里的{WECHAT_CONSOLE_NAMES[name]}",
                        f"{name} still has a demo or placeholder value",
                    )
                )
        aes_reported = any(p.setting == "WECHAT_AES_KEY" for p in problems)
        needs_key = self.encrypt_mode != "plain" and not aes_reported
        if needs_key and not aes_key_valid(self.wechat_aes_key):
            problems.append(
                ConfigProblem(
                    "WECHAT_AES_KEY",
                    "WECHAT_AES_KEY 不是 43 位的 EncodingAESKey",
                    "从公众号后台「服务器配置」复制完整的 43 位消息加解密密钥",
                    "WECHAT_AES_KEY must be the 43-character EncodingAESKey",
                )
            )
        if not _is_https(self.public_url):
            problems.append(
                ConfigProblem(
                    "SHEQU_PUBLIC_URL",
                    f"SHEQU_PUBLIC_URL 必须是 https 地址（现在是 {self.public_url}）",
                    "设为 nginx 对外提供的 https 地址，例如 https://shequ.example.cn",
                    "SHEQU_PUBLIC_URL must be an https URL in production",
                )
            )
        for name, value in (
            ("WECHAT_API_BASE", self.wechat_api_base),
            ("WECOM_API_BASE", self.wecom_api_base),
        ):
            if not _is_https(value) or "/sandbox" in value:
                problems.append(
                    ConfigProblem(
                        name,
                        f"{name} 指向了沙箱或不是 https 地址（{value}）",
                        f"删除 {name} 这一行，使用微信官方接口地址",
                        f"{name} must be the platform's https API in production",
                    )
                )
        return problems

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.is_local or _unchecked.get():
            return self
        problems = self.production_problems()
        if problems:
            lines = [f"{p.setting}: {p.problem}（{p.fix}）/ {p.english}" for p in problems]
            raise ValueError(
                "生产环境配置不安全，已拒绝启动 / unsafe production settings, "
                "refusing to start:\n" + "\n".join(lines)
            )
        return self


def aes_key_valid(key: str) -> bool:
    if len(key) != 43:
        return False
    try:
        return len(base64.b64decode(key + "=", validate=True)) == 32
    except (binascii.Error, ValueError):
        return False


def _is_https(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "https" and bool(parts.hostname)


@contextmanager
def unchecked() -> Iterator[None]:
    """Build Settings without refusing unsafe production values (for `shequ check`,
    which reports them instead)."""
    token = _unchecked.set(True)
    try:
        yield
    finally:
        _unchecked.reset(token)


@lru_cache
def get_settings() -> Settings:
    return Settings()  # type: ignore[call-arg]
