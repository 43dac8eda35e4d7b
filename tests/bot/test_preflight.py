"""`shequ check`: a bad production configuration is reported in Chinese with a non-zero
exit; a good one (real database and Redis) passes with 「检查通过」."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.cli import main
from tests.bot.test_production import PRODUCTION_ENV
from tests.conftest import free_port


def run_check(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    env: dict[str, str],
) -> tuple[int, str]:
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    status = main(["check"])
    return status, capsys.readouterr().out


def test_check_reports_every_problem_of_a_bad_configuration(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = {
        "SHEQU_ENV": "production",
        "WECHAT_TOKEN": "changethis",
        "WECHAT_AES_KEY": "too-short",
        "WECHAT_APPID": "wx5f2c9a7e41b3d608",
        "WECHAT_SECRET": "changethis",
        "SHEQU_PUBLIC_URL": "http://shequ.example.cn",
        "SHEQU_SANDBOX": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'missing.sqlite'}",
        "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",  # nothing listens there
    }
    status, out = run_check(monkeypatch, tmp_path, capsys, bad)
    assert status != 0
    assert "检查通过" not in out
    assert "WECHAT_TOKEN 还是演示值或占位值" in out
    assert "WECHAT_SECRET 还是演示值或占位值" in out
    assert "43 位" in out  # the AES key
    assert "SHEQU_PUBLIC_URL 必须是 https 地址" in out
    assert "生产环境不能开启微信沙箱" in out
    assert "数据库文件" in out and "shequ db upgrade" in out
    assert "连不上 Redis" in out
    assert out.count("怎么改：") >= 7
    assert not (tmp_path / "missing.sqlite").exists()  # the check creates nothing


def test_check_passes_a_good_production_configuration(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    database_url: str,
    redis_url: str,
) -> None:
    good = {**PRODUCTION_ENV, "DATABASE_URL": database_url, "REDIS_URL": redis_url}
    status, out = run_check(monkeypatch, tmp_path, capsys, good)
    assert status == 0, out
    assert "检查通过" in out and "✗" not in out
    assert "安全模式" in out and "Redis 可以连接" in out and "结构已是最新" in out


def test_check_finds_a_database_not_migrated(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    redis_url: str,
) -> None:
    empty = tmp_path / "empty.sqlite"
    sqlite3.connect(empty).close()
    env = {**PRODUCTION_ENV, "DATABASE_URL": f"sqlite:///{empty}", "REDIS_URL": redis_url}
    status, out = run_check(monkeypatch, tmp_path, capsys, env)
    assert status != 0
    assert "数据库结构不是最新（现在 空库" in out and "shequ db upgrade" in out


def test_check_in_local_mode_says_it_is_not_a_production_configuration(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    database_url: str,
    redis_url: str,
) -> None:
    env = {"SHEQU_ENV": "local", "DATABASE_URL": database_url, "REDIS_URL": redis_url}
    status, out = run_check(monkeypatch, tmp_path, capsys, env)
    assert status != 0
    assert "SHEQU_ENV 是 local" in out and "微信沙箱开着" in out
