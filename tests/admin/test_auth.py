"""Signing in and out, sessions, rate limits, CSRF and roles, over real HTTP."""

from __future__ import annotations

from collections.abc import Callable

from redis import Redis

from bot.runtime import Runtime
from tests.admin.conftest import Console, add_handover, audit_rows


def test_login_with_good_password_opens_the_dashboard(browser: Console, runtime: Runtime) -> None:
    response = browser.try_login("zhangmin")
    assert response.status_code == 303
    assert response.headers["location"] == "/admin"
    cookie = response.headers["set-cookie"]
    assert "shequ_staff=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    page = browser.http.get("/admin")
    assert page.status_code == 200
    assert "今日概览" in page.text and "张敏（网格员）" in page.text
    [row] = audit_rows(runtime, "login")
    assert row.username == "zhangmin" and row.staff_id is not None and row.ip == "127.0.0.1"


def test_session_lives_in_redis_with_a_ttl(browser: Console, redis: Redis) -> None:
    browser.login("admin")
    session_id = browser.http.cookies["shequ_staff"]
    ttl = redis.ttl(f"staff-session:{session_id}")
    assert 0 < ttl <= 8 * 3600


def test_bad_password_is_refused_in_chinese(browser: Console, runtime: Runtime) -> None:
    response = browser.try_login("zhangmin", "wrong-password")
    assert response.status_code == 401
    assert "用户名或密码错误" in response.text
    assert "shequ_staff" not in browser.http.cookies
    assert browser.http.get("/admin").status_code == 303
    unknown = browser.try_login("nobody", "whatever")
    assert unknown.status_code == 401 and "用户名或密码错误" in unknown.text
    assert [r.username for r in audit_rows(runtime, "login_failed")] == ["zhangmin", "nobody"]


def test_pages_redirect_to_login_and_api_answers_401(browser: Console) -> None:
    page = browser.http.get("/admin/handovers?status=open")
    assert page.status_code == 303
    assert page.headers["location"] == "/admin/login?next=%2Fadmin%2Fhandovers%3Fstatus%3Dopen"
    api = browser.http.get("/admin/api/handovers")
    assert api.status_code == 401 and api.json()["detail"] == "请先登录"


def test_login_returns_to_the_page_asked_for_but_never_off_site(browser: Console) -> None:
    page = browser.http.get("/admin/login", params={"next": "/admin/messages"})
    assert 'name="next" value="/admin/messages"' in page.text
    evil = browser.http.get("/admin/login", params={"next": "https://evil.example/"})
    assert 'name="next" value="/admin"' in evil.text


def test_repeated_failures_lock_the_username_from_that_address_for_15_minutes(
    browser: Console, redis: Redis, runtime: Runtime
) -> None:
    for _ in range(5):
        assert browser.try_login("liqiang", "guess").status_code == 401
    # Even the right password is refused while locked.
    locked = browser.try_login("liqiang")
    assert locked.status_code == 429
    assert "尝试次数过多，请15分钟后再试" in locked.text
    [pair_key] = redis.keys("staff-login-fail:user-ip:*")
    ttl = redis.ttl(pair_key)
    assert 14 * 60 < ttl <= 15 * 60
    assert audit_rows(runtime, "login_blocked")
    # Other staff are not affected by liqiang's lock.
    assert browser.try_login("wangfang").status_code == 303


def test_repeated_failures_from_one_address_are_limited(browser: Console) -> None:
    for n in range(20):
        assert browser.try_login(f"guess{n}", "guess").status_code == 401
    response = browser.try_login("admin")
    assert response.status_code == 429 and "尝试次数过多" in response.text


def test_login_form_needs_its_csrf_token(browser: Console) -> None:
    browser.http.get("/admin/login")
    response = browser.http.post(
        "/admin/login",
        data={
            "username": "admin",
            "password": "shequ-demo-2026",
            "csrf_token": "forged",
        },
    )
    assert response.status_code == 403
    assert "安全校验失败" in response.text
    assert "shequ_staff" not in browser.http.cookies


def test_post_without_csrf_token_is_refused(browser: Console, runtime: Runtime) -> None:
    handover_id = add_handover(runtime, "demo-wangnainai")
    browser.login("zhangmin")
    form = browser.http.post(f"/admin/handovers/{handover_id}/claim", data={})
    assert form.status_code == 403
    assert "安全校验失败" in form.text
    wrong = browser.http.post(
        f"/admin/handovers/{handover_id}/claim", data={"csrf_token": "x" * 43}
    )
    assert wrong.status_code == 403
    api = browser.http.post(f"/admin/api/handovers/{handover_id}/claim")
    assert api.status_code == 403 and "安全校验失败" in api.json()["detail"]
    detail = browser.http.get(f"/admin/api/handovers/{handover_id}").json()
    assert detail["status"] == "open"
    assert audit_rows(runtime, "claim") == []


def test_logout_ends_the_session(browser: Console, redis: Redis, runtime: Runtime) -> None:
    browser.login("zhangmin")
    session_id = browser.http.cookies["shequ_staff"]
    assert browser.post_form("/admin/logout").status_code == 303
    assert redis.exists(f"staff-session:{session_id}") == 0
    # Even a copy of the old cookie no longer works.
    browser.http.cookies.set("shequ_staff", session_id, path="/admin")
    assert browser.http.get("/admin/api/me").status_code == 401
    assert [r.username for r in audit_rows(runtime, "logout")] == ["zhangmin"]


def test_canteen_and_employment_staff_see_the_dashboard_only(
    open_console: Callable[[], Console],
) -> None:
    for username in ("canteen", "jobs"):
        console = open_console().login(username)
        dashboard = console.http.get("/admin")
        assert dashboard.status_code == 200 and "今日概览" in dashboard.text
        assert 'href="/admin/handovers"' not in dashboard.text
        page = console.http.get("/admin/handovers")
        assert page.status_code == 403 and "无权使用此功能" in page.text
        api = console.http.get("/admin/api/deliveries")
        assert api.status_code == 403
        assert console.http.get("/admin/messages").status_code == 403
