"""The 办事指南 / 词库 page: an admin adds an entry through the page's form (posted as
JSON with the page's CSRF token, as its script does) and residents get the answer."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from bot.runtime import Runtime
from tests.admin.conftest import Console, audit_rows
from tests.conftest import WeChat

META_TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def ask_until(wechat: WeChat, openid: str, text: str, expected: str, seconds: float = 10) -> str:
    deadline = time.monotonic() + seconds
    reply = ""
    while time.monotonic() < deadline:
        reply = wechat.say(openid, text) or ""
        if expected in reply:
            break
        time.sleep(0.5)
    return reply


def page_post(browser: Console, page: str, api: str, body: object) -> int:
    """What the page's script does for a form or button naming `api`."""
    assert f'data-api="{api}"' in page
    token = META_TOKEN.search(page)
    assert token is not None
    response = browser.http.post(api, json=body, headers={"X-CSRF-Token": token.group(1)})
    return response.status_code


def test_admin_adds_an_entry_from_the_page_and_residents_get_it(
    wechat: WeChat, runtime: Runtime, console: Callable[[str], Console]
) -> None:
    admin = console("admin")
    page = admin.http.get("/admin/knowledge")
    assert page.status_code == 200 and 'id="new-entry"' in page.text
    for field in ('name="question"', 'name="answer"', 'name="keywords"'):
        assert field in page.text
    body = {
        "question": "电动车充电桩怎么办卡？",
        "answer": "充电卡在物业服务中心办理，押金30元。",
        "keywords": ["充电桩", "充电卡"],  # the script splits "充电桩，充电卡"
    }
    assert page_post(admin, page.text, "/admin/api/knowledge", body) == 201
    listed = admin.http.get("/admin/knowledge").text
    assert "电动车充电桩怎么办卡？" in listed and "充电桩，充电卡" in listed
    reply = ask_until(wechat, "u-kb-page", "请问充电桩怎么办卡", "押金30元")
    assert "押金30元" in reply
    entry = re.search(r'data-entry="(\d+)">\s*<h2>电动车充电桩', listed)
    assert entry is not None
    edit = f"/admin/api/knowledge/{entry.group(1)}"
    assert page_post(admin, listed, edit, {"active": False}) == 200
    assert "已停用" in admin.http.get("/admin/knowledge").text
    assert [r.action for r in audit_rows(runtime) if r.action.startswith("knowledge")] == [
        "knowledge_create",
        "knowledge_update",
    ]


def test_words_tab_adds_and_retires_and_others_are_refused(
    runtime: Runtime, console: Callable[[str], Console]
) -> None:
    admin = console("admin")
    page = admin.http.get("/admin/knowledge", params={"tab": "words"}).text
    assert 'id="new-word"' in page and 'value="consult"' in page
    assert (
        page_post(admin, page, "/admin/api/lexicon", {"word": "拆迁款", "target": "consult"}) == 201
    )
    page = admin.http.get("/admin/knowledge", params={"tab": "words"}).text
    assert "拆迁款" in page and "办事咨询" in page
    word = re.search(r'data-api="(/admin/api/lexicon/\d+/retire)"', page)
    assert word is not None
    assert page_post(admin, page, word.group(1), {}) == 200
    assert "已停用" in admin.http.get("/admin/knowledge", params={"tab": "words"}).text
    refused = console("zhangmin").http.get("/admin/knowledge")
    assert refused.status_code == 403 and "无权" in refused.text
