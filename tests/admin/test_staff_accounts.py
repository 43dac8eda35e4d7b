"""Staff accounts over real HTTP: a 社区管理员 creates accounts and issues resets, a
temporary password must be changed first, weak passwords are refused with the reason,
sign-in throttling per username+address, and no demo sign-in in production."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from admin.auth import LOGIN_CSRF_COOKIE
from bot.runtime import Runtime, set_runtime
from bot.settings import Settings
from storage.models import StaffAccount, utcnow
from storage.staff.accounts import create_staff, hash_password, password_problem
from tests.admin.conftest import TOKEN_FIELD, Console, audit_rows
from tests.conftest import InProcessApp, LiveServer, free_port

TEMPORARY = re.compile(r"<strong>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</strong>")
GOOD_PASSWORD = "lantern-river-42"


def account(runtime: Runtime, username: str) -> StaffAccount:
    with runtime.session_factory() as session:
        return session.scalars(select(StaffAccount).where(StaffAccount.username == username)).one()


def create_account(admin: Console, username: str, role: str, grids: list[str]) -> str:
    """Create an account on the staff page; the temporary password it shows once."""
    page = admin.http.post(
        "/admin/staff",
        data={
            "csrf_token": admin.csrf,
            "username": username,
            "display_name": "赵丽",
            "role": role,
            "grid": grids,
        },
    )
    assert page.status_code == 200, page.text
    assert page.headers["cache-control"] == "no-store"
    found = TEMPORARY.search(page.text)
    assert found is not None
    return found.group(1)


def change_password(console: Console, current: str, new: str) -> httpx.Response:
    form = console.http.get("/admin/password")
    assert form.status_code == 200
    token = TOKEN_FIELD.search(form.text)
    assert token is not None
    return console.http.post(
        "/admin/password",
        data={"csrf_token": token.group(1), "current": current, "new": new, "confirm": new},
    )


@pytest.fixture
def admin(open_console: Callable[[], Console]) -> Console:
    return open_console().login("admin")


def test_new_account_gets_a_temporary_password_that_must_be_changed_first(
    admin: Console, open_console: Callable[[], Console], runtime: Runtime
) -> None:
    temporary = create_account(admin, "zhaoli", "grid_worker", ["2"])
    created = account(runtime, "zhaoli")
    assert created.role == "grid_worker" and created.grid_ids == [2]
    assert created.must_change_password and not created.is_demo
    assert temporary not in created.password_hash

    newcomer = open_console()
    signed_in = newcomer.try_login("zhaoli", temporary)
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/admin/password"
    # Until the password is changed, every other page leads back to the change page.
    assert newcomer.http.get("/admin").headers["location"] == "/admin/password"
    assert newcomer.http.get("/admin/requests").headers["location"] == "/admin/password"
    api = newcomer.http.get("/admin/api/me")
    assert api.status_code == 403 and api.json()["detail"] == "请先修改临时密码"
    assert "您正在使用临时密码" in newcomer.http.get("/admin/password").text

    weak = change_password(newcomer, temporary, "woaini1314")
    assert weak.status_code == 400 and "这个密码太常见" in weak.text
    wrong = change_password(newcomer, "not-the-temporary", GOOD_PASSWORD)
    assert wrong.status_code == 400 and "当前密码不正确" in wrong.text
    done = change_password(newcomer, temporary, GOOD_PASSWORD)
    assert done.status_code == 303
    page = newcomer.http.get("/admin")
    assert page.status_code == 200 and "赵丽（网格员）" in page.text
    assert not account(runtime, "zhaoli").must_change_password

    assert open_console().try_login("zhaoli", temporary).status_code == 401
    assert open_console().try_login("zhaoli", GOOD_PASSWORD).headers["location"] == "/admin"
    [made] = audit_rows(runtime, "staff_create")
    assert made.username == "admin" and made.target_id == "zhaoli"
    assert made.detail is not None and temporary not in made.detail
    assert [r.username for r in audit_rows(runtime, "password_change")] == ["zhaoli"]


def test_account_form_explains_what_is_wrong(admin: Console, runtime: Runtime) -> None:
    grid_without_grids = admin.http.post(
        "/admin/staff",
        data={
            "csrf_token": admin.csrf,
            "username": "zhaoli",
            "display_name": "赵丽",
            "role": "grid_worker",
        },
    )
    assert grid_without_grids.status_code == 400
    assert "网格员至少要负责一个网格" in grid_without_grids.text
    taken = admin.http.post(
        "/admin/staff",
        data={
            "csrf_token": admin.csrf,
            "username": "zhangmin",
            "display_name": "张敏",
            "role": "canteen_staff",
        },
    )
    assert taken.status_code == 400 and "用户名「zhangmin」已被使用" in taken.text
    assert audit_rows(runtime, "staff_create") == []


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short-1", "密码太短：至少需要10个字符，现在只有7个"),
        ("zhangmin-2026", "密码不能包含用户名"),
        ("123456789a", "这个密码太常见"),
        ("qwertyuiop", "这个密码太常见"),
        ("WoAiNi1314", "这个密码太常见"),
        ("shequ-demo-2026", "不能使用演示密码"),
        ("aaaaaaaaaaaa", "这个密码太常见"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(
    password: str, reason: str, open_console: Callable[[], Console]
) -> None:
    problem = password_problem("zhangmin", password)
    assert problem is not None and reason in problem
    zhang = open_console().login("zhangmin")
    refused = change_password(zhang, "shequ-demo-2026", password)
    assert refused.status_code == 400 and reason in refused.text


def test_reset_is_one_time_and_ends_the_old_sessions(
    admin: Console, open_console: Callable[[], Console], runtime: Runtime
) -> None:
    zhang = open_console().login("zhangmin")
    staff_page = admin.http.get("/admin/staff").text
    zhang_id = account(runtime, "zhangmin").id
    assert f"/admin/staff/{zhang_id}/reset" in staff_page
    reset = admin.post_form(f"/admin/staff/{zhang_id}/reset")
    assert reset.status_code == 200
    found = TEMPORARY.search(reset.text)
    assert found is not None and "重置密码：zhangmin 的临时密码" in reset.text
    # The session opened with the old password has ended; the old password is gone.
    assert zhang.http.get("/admin/api/me").status_code == 401
    assert open_console().try_login("zhangmin").status_code == 401
    again = open_console()
    assert again.try_login("zhangmin", found.group(1)).headers["location"] == "/admin/password"
    assert change_password(again, found.group(1), GOOD_PASSWORD).status_code == 303
    assert again.http.get("/admin/api/me").status_code == 200
    assert [r.target_id for r in audit_rows(runtime, "staff_reset")] == ["zhangmin"]


def test_disabled_account_is_signed_out_at_once_and_only_admins_manage_accounts(
    admin: Console, open_console: Callable[[], Console], runtime: Runtime
) -> None:
    li = open_console().login("liqiang")
    refused = li.http.get("/admin/staff")
    assert refused.status_code == 403 and "无权使用此功能" in refused.text
    li_id = account(runtime, "liqiang").id
    assert li.post_form(f"/admin/staff/{li_id}/disable").status_code == 403

    assert admin.post_form(f"/admin/staff/{li_id}/disable").status_code == 303
    assert li.http.get("/admin/api/me").status_code == 401
    assert open_console().try_login("liqiang").status_code == 401
    listed = admin.http.get("/admin/staff?flash=disabled").text
    assert "账号已停用" in listed and "已停用" in listed
    assert admin.post_form(f"/admin/staff/{li_id}/enable").status_code == 303
    assert open_console().try_login("liqiang").status_code == 303

    own = admin.post_form(f"/admin/staff/{account(runtime, 'admin').id}/disable")
    assert own.status_code == 400 and "不能停用自己正在使用的账号" in own.text
    assert [r.action for r in audit_rows(runtime) if r.action.startswith("staff_")] == [
        "staff_disable",
        "staff_enable",
    ]


def test_failures_from_elsewhere_do_not_lock_out_the_real_user(
    live_server: InProcessApp, runtime: Runtime, open_console: Callable[[], Console]
) -> None:
    attacker = Console(live_server, client_ip="127.0.0.2")
    try:
        for _ in range(5):
            assert attacker.try_login("zhangmin", "guess-guess").status_code == 401
        blocked = attacker.try_login("zhangmin")
        assert blocked.status_code == 429 and "尝试次数过多" in blocked.text
    finally:
        attacker.close()
    # The real 张敏 at the community office signs in as usual.
    assert open_console().try_login("zhangmin").status_code == 303
    failed = audit_rows(runtime, "login_failed")
    assert [(r.username, r.ip) for r in failed] == [("zhangmin", "127.0.0.2")] * 5
    [row] = audit_rows(runtime, "login_blocked")
    assert row.username == "zhangmin" and row.ip == "127.0.0.2"


# -- Production: no demo sign-in ------------------------------------------------------------


@pytest.fixture
def production_server(settings: Settings, tmp_path: Path) -> Iterator[LiveServer]:
    port = free_port()
    production = Settings(  # type: ignore[call-arg]
        SHEQU_ENV="production",
        SHEQU_DATA_DIR=str(tmp_path),
        WECHAT_TOKEN="prod-token-8f2c1d",
        WECHAT_AES_KEY=base64.b64encode(bytes(range(32))).decode().rstrip("="),
        WECHAT_APPID="wx5f3c2a1b0d9e8f7a",
        WECHAT_SECRET="prod-secret-93bd01aa",
        DATABASE_URL=settings.database_url,
        REDIS_URL=settings.redis_url,
        SHEQU_PUBLIC_URL="https://shequ.example.cn",
    )
    runtime = Runtime(production)
    set_runtime(runtime)
    server = LiveServer(runtime, port)
    server.start()
    yield server
    server.stop()
    set_runtime(None)


def production_login(server: LiveServer, username: str, password: str) -> httpx.Response:
    """Sign in over plain HTTP to a server whose cookies are Secure: the login form's
    cookie is sent back by hand, as the browser would over https."""
    with httpx.Client(base_url=server.url, timeout=15) as http:
        page = http.get("/admin/login")
        token = TOKEN_FIELD.search(page.text)
        assert token is not None
        return http.post(
            "/admin/login",
            data={"username": username, "password": password, "csrf_token": token.group(1)},
            headers={"Cookie": f"{LOGIN_CSRF_COOKIE}={token.group(1)}"},
        )


def test_demo_accounts_and_the_demo_password_do_not_sign_in_in_production(
    production_server: LiveServer,
) -> None:
    runtime = production_server.runtime
    refused = production_login(production_server, "admin", "shequ-demo-2026")
    assert refused.status_code == 403
    assert "演示账号和演示密码不能在正式环境中使用" in refused.text
    assert "shequ_staff" not in refused.headers.get("set-cookie", "")
    # A demo account is refused even when someone gave it another password.
    with runtime.session_factory() as session:
        canteen = session.scalars(
            select(StaffAccount).where(StaffAccount.username == "canteen")
        ).one()
        canteen.password_hash = hash_password(GOOD_PASSWORD)
        create_staff(
            session,
            username="zhaoli",
            display_name="赵丽",
            role="community_admin",
            grid_ids=[],
            password=GOOD_PASSWORD,
            temporary=False,
            now=utcnow(),
        )
        session.commit()
    assert production_login(production_server, "canteen", GOOD_PASSWORD).status_code == 403
    rows = audit_rows(runtime, "login_demo_refused")
    assert [r.username for r in rows] == ["admin", "canteen"]
    # A real account signs in.
    real = production_login(production_server, "zhaoli", GOOD_PASSWORD)
    assert real.status_code == 303 and "shequ_staff=" in real.headers["set-cookie"]
