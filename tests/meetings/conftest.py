"""Council meeting fixtures: residents report through the real webhook, staff use the
console over HTTP, real RQ workers send what was planned."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from redis import Redis

from bot.runtime import Runtime
from tests.admin.conftest import Console
from tests.conftest import LiveServer, WeChat
from tests.notices.conftest import run_all_work
from tests.reports.conftest import get_request

CODE = re.compile(r"M\d{8}-\d{4}")


def report(wechat: WeChat, openid: str, text: str, runtime: Runtime) -> int:
    found = CODE.search(wechat.say(openid, text) or "")
    assert found is not None, "no ticket number in the reply"
    return get_request(runtime, found.group(0)).id


@pytest.fixture
def work(runtime: Runtime, redis: Redis) -> Callable[[], None]:
    return lambda: run_all_work(runtime, redis)


@pytest.fixture
def console(live_server: LiveServer) -> Iterator[Callable[[str], Console]]:
    made: list[Console] = []

    def login(username: str) -> Console:
        browser = Console(live_server.url).login(username)
        made.append(browser)
        return browser

    yield login
    for browser in made:
        browser.close()
