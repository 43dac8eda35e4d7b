from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.settings import Settings


def test_local_mode_accepts_demo_values() -> None:
    settings = Settings(SHEQU_ENV="local")  # type: ignore[call-arg]
    assert settings.is_local and settings.sqlalchemy_url.startswith("sqlite:///")


def test_production_refuses_demo_and_placeholder_secrets() -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(SHEQU_ENV="production", WECHAT_TOKEN="changethis")  # type: ignore[call-arg]
    message = str(refused.value)
    assert "WECHAT_TOKEN" in message and "WECHAT_SECRET" in message
    assert "SHEQU_PUBLIC_URL" in message and "已拒绝启动" in message


def test_production_with_real_values_and_postgres_url() -> None:
    settings = Settings(  # type: ignore[call-arg]
        SHEQU_ENV="production",
        WECHAT_TOKEN="a-real-token",
        WECHAT_AES_KEY="Z" * 43,
        WECHAT_APPID="wx1234567890abcdef",
        WECHAT_SECRET="real-secret",
        SHEQU_PUBLIC_URL="https://shequ.example.cn",
        DATABASE_URL="postgresql://shequ:pw@db/shequ",
    )
    assert settings.sqlalchemy_url == "postgresql+psycopg://shequ:pw@db/shequ"
