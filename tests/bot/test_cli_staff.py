"""`shequ staff …` and `shequ seed-demo` as an operator runs them: passwords from stdin or
a hidden prompt (never argv), the policy's reasons in Chinese, accounts that then sign in
to the console, and no demo community in production."""

from __future__ import annotations

import base64
import getpass
import io
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.runtime import Runtime
from bot.settings import Settings, get_settings
from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade
from storage.models import Community, StaffAccount
from tests.admin.conftest import Console, audit_rows
from tests.conftest import InProcessApp

GOOD_PASSWORD = "lantern-river-42"
ENV = ("SHEQU_ENV", "DATABASE_URL", "REDIS_URL", "SHEQU_DATA_DIR", "SHEQU_PUBLIC_URL")


@pytest.fixture
def shequ(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[Callable[..., int]]:
    """Run `shequ <args>` in this process against the test database, with `stdin` text."""
    monkeypatch.chdir(tmp_path)  # no .env from the checkout
    monkeypatch.setenv("SHEQU_ENV", "local")
    monkeypatch.setenv("DATABASE_URL", settings.sqlalchemy_url)
    monkeypatch.setenv("REDIS_URL", settings.redis_url or "")
    monkeypatch.setenv("SHEQU_DATA_DIR", str(tmp_path))

    def run(*args: str, stdin: str = "") -> int:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        get_settings.cache_clear()
        return main(list(args))

    yield run
    get_settings.cache_clear()


@pytest.fixture
def open_console(live_server: InProcessApp) -> Iterator[Callable[[], Console]]:
    made: list[Console] = []

    def make() -> Console:
        made.append(Console(live_server))
        return made[-1]

    yield make
    for console in made:
        console.close()


def staff(runtime: Runtime, username: str) -> StaffAccount | None:
    with runtime.session_factory() as session:
        query = select(StaffAccount).where(StaffAccount.username == username)
        return session.scalars(query).one_or_none()


def test_staff_add_with_password_from_stdin_then_sign_in(
    shequ: Callable[..., int],
    capsys: pytest.CaptureFixture[str],
    runtime: Runtime,
    open_console: Callable[[], Console],
) -> None:
    code = shequ(
        "staff", "add", "ZhaoLi", "--name", "赵丽", "--role", "grid", "--grids", "G2,3",
        "--password-stdin", stdin=GOOD_PASSWORD + "\n",
    )  # fmt: skip
    assert code == 0
    assert "已创建账号 zhaoli（赵丽，网格员）" in capsys.readouterr().out
    account = staff(runtime, "zhaoli")
    assert account is not None and account.grid_ids == [2, 3] and not account.must_change_password
    console = open_console().login("zhaoli", GOOD_PASSWORD)
    assert "赵丽（网格员）" in console.http.get("/admin").text
    [row] = audit_rows(runtime, "staff_create")
    assert row.username.startswith("cli:") and row.target_id == "zhaoli" and row.ip is None

    assert shequ("staff", "list") == 0
    listing = capsys.readouterr().out
    assert "zhaoli\t赵丽\t网格员\t2,3\t正常" in listing
    assert "admin\t刘书记\t社区管理员\t-\t正常（演示账号）" in listing


def test_no_password_on_the_command_line(
    shequ: Callable[..., int], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        shequ("staff", "add", "zhaoli", "--name", "赵丽", "--role", "admin", "--password", "x")
    assert exit_info.value.code == 2
    assert "unrecognized arguments" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("abc12345", "密码太短：至少需要10个字符，现在只有8个"),
        ("zhaoli-2026-spring", "密码不能包含用户名"),
        ("woaini1314", "这个密码太常见，很容易被猜中"),
        ("123456789a", "这个密码太常见，很容易被猜中"),
        ("shequ-demo-2026", "不能使用演示密码"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(
    password: str,
    reason: str,
    shequ: Callable[..., int],
    capsys: pytest.CaptureFixture[str],
    runtime: Runtime,
) -> None:
    code = shequ(
        "staff", "add", "zhaoli", "--name", "赵丽", "--role", "canteen", "--password-stdin",
        stdin=password + "\n",
    )  # fmt: skip
    assert code == 1
    assert reason in capsys.readouterr().err
    assert staff(runtime, "zhaoli") is None


def test_prompted_password_must_be_typed_the_same_twice(
    shequ: Callable[..., int],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    runtime: Runtime,
) -> None:
    typed = iter([GOOD_PASSWORD, GOOD_PASSWORD + "x"])
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(typed))
    assert shequ("staff", "add", "zhaoli", "--name", "赵丽", "--role", "employment") == 1
    assert "两次输入的密码不一致" in capsys.readouterr().err
    assert staff(runtime, "zhaoli") is None


def test_passwd_disable_and_enable(
    shequ: Callable[..., int],
    capsys: pytest.CaptureFixture[str],
    runtime: Runtime,
    open_console: Callable[[], Console],
) -> None:
    signed_in = open_console().login("zhangmin")
    assert shequ("staff", "passwd", "zhangmin", "--password-stdin", "--temporary",
                 stdin=GOOD_PASSWORD) == 0  # fmt: skip
    assert "下次登录须修改" in capsys.readouterr().out
    # The old session and the old password are gone; the new one leads to the change page.
    assert signed_in.http.get("/admin/api/me").status_code == 401
    assert open_console().try_login("zhangmin").status_code == 401
    reset = open_console().try_login("zhangmin", GOOD_PASSWORD)
    assert reset.headers["location"] == "/admin/password"

    assert shequ("staff", "disable", "zhangmin") == 0
    assert open_console().try_login("zhangmin", GOOD_PASSWORD).status_code == 401
    assert shequ("staff", "enable", "zhangmin") == 0
    assert open_console().try_login("zhangmin", GOOD_PASSWORD).status_code == 303
    assert shequ("staff", "disable", "nobody") == 1
    assert "没有用户名为「nobody」的工作人员账号" in capsys.readouterr().err
    actions = [r.action for r in audit_rows(runtime) if r.username.startswith("cli:")]
    assert actions == ["staff_password", "staff_disable", "staff_enable"]


def test_seed_demo_is_refused_in_production(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'prod.sqlite'}"
    upgrade(url)
    monkeypatch.chdir(tmp_path)
    for name, value in {
        "SHEQU_ENV": "production",
        "DATABASE_URL": url,
        "SHEQU_DATA_DIR": str(tmp_path),
        "SHEQU_PUBLIC_URL": "https://shequ.example.cn",
        "WECHAT_TOKEN": "prod-token-8f2c1d",
        "WECHAT_AES_KEY": base64.b64encode(bytes(range(32))).decode().rstrip("="),
        "WECHAT_APPID": "wx5f3c2a1b0d9e8f7a",
        "WECHAT_SECRET": "prod-secret-93bd01aa",
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("SHEQU_SANDBOX", "WECHAT_API_BASE", "WECOM_API_BASE"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    try:
        assert main(["seed-demo"]) == 2
    finally:
        get_settings.cache_clear()
    err = capsys.readouterr().err
    assert "正式环境（SHEQU_ENV=production）不能创建演示社区" in err and "shequ staff add" in err
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        assert session.scalar(select(Community.id)) is None
        assert session.scalar(select(StaffAccount.id)) is None
    engine.dispose()
