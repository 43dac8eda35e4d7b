"""Real-browser fixtures: Playwright's sync API driving Debian's chromium against the
real app served by `real_server` (uvicorn). Skipped (with the reason) only when /usr/bin/chromium
is absent; CI installs it. Screenshots go to $SHEQU_SCREENSHOTS when set (e.g.
docs/screenshots), else to the test's temporary directory."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Any, real_server: Any) -> Iterator[Any]:
    """A fresh browser context (no cookies) whose relative URLs go to the live server."""
    context = chromium.new_context(
        base_url=real_server.url, viewport={"width": 1200, "height": 800}, locale="zh-CN"
    )
    context.set_default_timeout(15_000)
    tab = context.new_page()
    tab.on("dialog", lambda dialog: dialog.accept())  # the console's "确认…？" prompts
    yield tab
    context.close()


@pytest.fixture
def shot(tmp_path: Path) -> Callable[[Any, str], Path]:
    target = Path(os.environ.get("SHEQU_SCREENSHOTS") or tmp_path)
    target.mkdir(parents=True, exist_ok=True)

    def take(tab: Any, name: str) -> Path:
        path = target / f"{name}.png"
        tab.screenshot(path=str(path), full_page=True)
        return path

    return take


def login(tab: Any, username: str, password: str | None = None) -> None:
    from storage.seed import DEMO_PASSWORD

    tab.goto("/admin/login")
    tab.get_by_label("用户名").fill(username)
    tab.get_by_label("密码").fill(password or DEMO_PASSWORD)
    tab.get_by_role("button", name="登录").click()
    tab.wait_for_url("**/admin")
