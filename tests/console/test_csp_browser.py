"""The console under its Content-Security-Policy (script-src 'self'), in a real browser:
no page is blocked, and the script-driven actions still work."""

from __future__ import annotations

from typing import Any

from tests.console.conftest import login

PAGES = ["/admin", "/admin/knowledge", "/admin/canteen", "/admin/employment", "/admin/notices"]


def test_console_pages_run_under_the_policy_without_violations(page: Any) -> None:
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    login(page, "admin")
    for path in PAGES:
        response = page.goto(path)
        assert response.status == 200, path
        assert response.headers["content-security-policy"].startswith("script-src 'self';")
    assert violations == []

    # A script-driven action (api_actions.js, from /admin/static): add a guide entry.
    page.goto("/admin/knowledge?tab=entries")
    form = page.locator("#new-entry")
    form.get_by_label("问题").fill("电动车充电桩怎么办卡？")
    form.get_by_label("回答").fill("带身份证到物业服务中心办理。")
    form.get_by_label("关键词（用逗号或空格分隔）").fill("充电桩，充电卡")
    with page.expect_navigation():
        form.get_by_role("button", name="新增").click()
    assert page.get_by_role("heading", name="电动车充电桩怎么办卡？").is_visible()
    assert violations == []
