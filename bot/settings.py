"""One place for configuration: environment variables and an optional `.env` file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER = "changethis"

# Demo credentials used by the embedded run and the sandbox; refused in production.
LOCAL_WECHAT_TOKEN = "shequ-local-token"
LOCAL_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
LOCAL_APPID = "wx00shequlocal000"
LOCAL_APP_SECRET = "shequ-local-secret"
LOCAL_SECRET_KEY = "shequ-local-console-secret"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Literal["local", "production"] = Field("local", alias="SHEQU_ENV")
    data_dir: Path = Field(Path("./.shequ-data"), alias="SHEQU_DATA_DIR")

    wechat_token: str = Field(LOCAL_WECHAT_TOKEN, alias="WECHAT_TOKEN")
    wechat_aes_key: str = Field(LOCAL_AES_KEY, alias="WECHAT_AES_KEY")
    wechat_appid: str = Field(LOCAL_APPID, alias="WECHAT_APPID")
    wechat_secret: str = Field(LOCAL_APP_SECRET, alias="WECHAT_SECRET")
    # The WeChat API root; the embedded run points it at the sandbox.
    wechat_api_base: str = Field("https://api.weixin.qq.com", alias="WECHAT_API_BASE")
    wecom_api_base: str = Field("https://qyapi.weixin.qq.com", alias="WECOM_API_BASE")
    # Verified service accounts have template messages and 4 mass sends per user a month;
    # subscription accounts have 1 mass send a day and (unverified) no customer-service API.
    account_type: Literal["service", "subscription"] = Field("service", alias="WECHAT_ACCOUNT_TYPE")
    account_verified: bool = Field(True, alias="WECHAT_ACCOUNT_VERIFIED")

    database_url: str | None = Field(None, alias="DATABASE_URL")
    redis_url: str | None = Field(None, alias="REDIS_URL")

    secret_key: str = Field(LOCAL_SECRET_KEY, alias="SHEQU_SECRET_KEY")
    public_url: str = Field("http://127.0.0.1:8000", alias="SHEQU_PUBLIC_URL")
    sandbox_enabled: bool = Field(True, alias="SHEQU_SANDBOX")

    replay_window_seconds: int = Field(300, alias="SHEQU_REPLAY_WINDOW")
    max_body_bytes: int = Field(256 * 1024, alias="SHEQU_MAX_BODY_BYTES")
    # WeChat gives up after 5 s; answer well before that whatever happens downstream.
    reply_budget_seconds: float = Field(3.5, alias="SHEQU_REPLY_BUDGET")
    redis_timeout_seconds: float = Field(0.5, alias="SHEQU_REDIS_TIMEOUT")
    dialogue_ttl_seconds: int = Field(1800, alias="SHEQU_DIALOGUE_TTL")
    log_level: str = Field("INFO", alias="SHEQU_LOG_LEVEL")

    @property
    def is_local(self) -> bool:
        return self.environment == "local"

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            url = self.database_url
            if url.startswith("postgresql://"):
                url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
            return url
        return f"sqlite:///{(self.data_dir / 'shequ.db').resolve()}"

    @model_validator(mode="after")
    def _refuse_placeholders(self) -> Settings:
        if self.is_local:
            return self
        local_values = {
            "WECHAT_TOKEN": (self.wechat_token, LOCAL_WECHAT_TOKEN),
            "WECHAT_AES_KEY": (self.wechat_aes_key, LOCAL_AES_KEY),
            "WECHAT_APPID": (self.wechat_appid, LOCAL_APPID),
            "WECHAT_SECRET": (self.wechat_secret, LOCAL_APP_SECRET),
            "SHEQU_SECRET_KEY": (self.secret_key, LOCAL_SECRET_KEY),
        }
        bad = [
            name
            for name, (value, local) in local_values.items()
            if not value or value in (local, PLACEHOLDER)
        ]
        if bad:
            raise ValueError(
                "production settings still use demo or placeholder values: " + ", ".join(bad)
            )
        if len(self.wechat_aes_key) != 43:
            raise ValueError("WECHAT_AES_KEY must be the 43-character EncodingAESKey")
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()  # type: ignore[call-arg]
