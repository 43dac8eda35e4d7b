"""Production mode refuses to be unsafe: no sandbox, no API docs, security headers,
https only, every setting through Settings (and `.env`)."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.app import create_app
from bot.cli import main
from bot.runtime import Runtime
from bot.settings import Settings, get_settings
from tests.bot.asgi_client import AppClient

# A production configuration as a community would write it (real-looking values).
PRODUCTION_ENV = {
    "SHEQU_ENV": "production",
    "WECHAT_TOKEN": "Qm7cT2rW9xLp4Kd8",
    "WECHAT_AES_KEY": "Rk3vN8qZ2mT6yH1wX5cJ9bL4pF7sD0gA3eU6iO8nV2k",
    "WECHAT_APPID": "wx5f2c9a7e41b3d608",
    "WECHAT_SECRET": "c41e9b27d0a84f6e93b5a1d7e2f08c64",
    "SHEQU_PUBLIC_URL": "https://shequ.example.cn",
}


def production_settings(**values: str) -> Settings:
    return Settings(**{**PRODUCTION_ENV, **values})  # type: ignore[arg-type]


@pytest.fixture
def production(database_url: str, redis_url: str) -> Iterator[AppClient]:
    runtime = Runtime(production_settings(DATABASE_URL=database_url, REDIS_URL=redis_url))
    with AppClient(create_app(runtime), base_url="https://shequ.example.cn") as client:
        yield client
    runtime.close()


def test_production_start_with_the_sandbox_is_refused() -> None:
    with pytest.raises(ValidationError) as refused:
        production_settings(SHEQU_SANDBOX="true")
    message = str(refused.value)
    assert "SHEQU_SANDBOX" in message and "沙箱" in message and "sandbox" in message
    assert "已拒绝启动" in message


def test_production_commands_stop_with_a_message_when_the_sandbox_is_asked_for(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    for name, value in PRODUCTION_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("SHEQU_SANDBOX", "true")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'prod.sqlite'}")
    get_settings.cache_clear()
    try:
        status = main(["db", "upgrade"])
    finally:
        get_settings.cache_clear()
    assert status != 0
    err = capsys.readouterr().err
    assert "SHEQU_SANDBOX" in err and "shequ check" in err
    assert not (tmp_path / "prod.sqlite").exists()  # nothing was started


def test_production_requires_an_https_public_url() -> None:
    with pytest.raises(ValidationError) as refused:
        production_settings(SHEQU_PUBLIC_URL="http://shequ.example.cn")
    assert "SHEQU_PUBLIC_URL" in str(refused.value) and "https" in str(refused.value)
    assert production_settings().public_url.startswith("https://")


def test_production_refuses_a_wechat_api_pointed_at_the_sandbox() -> None:
    with pytest.raises(ValidationError) as refused:
        production_settings(WECHAT_API_BASE="https://shequ.example.cn/sandbox/api/wechat")
    assert "WECHAT_API_BASE" in str(refused.value)


def test_sandbox_routes_are_404_in_production(production: AppClient) -> None:
    assert production.get("/sandbox").status_code == 404
    chat = production.post("/sandbox/chat", json={"openid": "demo-wangnainai", "text": "取消"})
    assert chat.status_code == 404
    assert production.get("/sandbox/api/control").status_code == 404
    control = production.post("/sandbox/api/control", json={"revoke_tokens": True})
    assert control.status_code == 404
    token = production.get("/sandbox/api/wechat/cgi-bin/token")
    assert token.status_code == 404
    home = production.get("/", follow_redirects=False)
    assert home.headers["location"] == "/admin"


def test_api_docs_and_schema_are_404_in_production(production: AppClient) -> None:
    assert production.get("/api/docs").status_code == 404
    assert production.get("/openapi.json").status_code == 404
    assert production.get("/docs").status_code == 404


def test_api_docs_stay_available_locally(runtime: Runtime) -> None:
    with AppClient(create_app(runtime)) as client:
        assert client.get("/openapi.json").status_code == 200
        assert client.get("/sandbox").status_code == 200


def test_security_headers_and_secure_cookie_on_the_login_page(production: AppClient) -> None:
    response = production.get("/admin/login")
    assert response.status_code == 200
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    script_src = re.search(r"script-src ([^;]*)", policy)
    assert script_src and script_src.group(1).strip() == "'self'"
    assert "secure" in response.headers["set-cookie"].lower()


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


def test_console_pages_work_under_the_policy() -> None:
    """script-src 'self': a console template with inline script would stop working."""
    templates = Path(__file__).parents[2] / "admin" / "templates"
    offending = [
        path.name
        for path in templates.glob("*.html")
        if INLINE_SCRIPT.search(path.read_text()) or INLINE_HANDLER.search(path.read_text())
    ]
    assert offending == []


def test_console_scripts_are_served(production: AppClient) -> None:
    for name in ("console.js", "api_actions.js", "notice_progress.js"):
        response = production.get(f"/admin/static/{name}")
        assert response.status_code == 200 and "use strict" in response.text


def test_sqlite_in_production_is_allowed_with_a_warning(
    tmp_path: Path, database_url: str, redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("runs on SQLite")
    runtime = Runtime(production_settings(DATABASE_URL=database_url, REDIS_URL=redis_url))
    with caplog.at_level(logging.WARNING, logger="bot.app"):
        create_app(runtime)
    runtime.close()
    assert any("SQLite" in r.getMessage() for r in caplog.records)


def test_open311_keys_are_read_from_the_env_file(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("SHEQU_OPEN311_KEYS=city-key-1, city-key-2\n", encoding="utf-8")
    settings = Settings(  # type: ignore[call-arg]
        _env_file=env_file, SHEQU_ENV="local", DATABASE_URL=database_url, REDIS_URL=redis_url
    )
    runtime = Runtime(settings)
    form = {"service_code": "noise", "description": "夜里施工", "address_string": "5号楼"}
    with AppClient(create_app(runtime)) as client:
        refused = client.post("/open311/v2/requests.json", data=form)
        accepted = client.post("/open311/v2/requests.json", data={**form, "api_key": "city-key-2"})
    runtime.close()
    assert refused.status_code == 403
    assert accepted.status_code == 200
