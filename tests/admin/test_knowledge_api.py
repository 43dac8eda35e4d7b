"""Staff teach the assistant through the console; residents see it without a restart."""

from __future__ import annotations

import time

from bot.runtime import Runtime
from tests.admin.conftest import Console, audit_rows
from tests.conftest import WeChat


def ask_until(wechat: WeChat, openid: str, text: str, expected: str, seconds: float = 12) -> str:
    deadline = time.monotonic() + seconds
    reply = ""
    while time.monotonic() < deadline:
        reply = wechat.say(openid, text) or ""
        if expected in reply:
            break
        time.sleep(0.7)
    return reply


def test_admin_adds_knowledge_entry_and_residents_get_it(
    browser: Console, wechat: WeChat, runtime: Runtime
) -> None:
    browser.login("admin")
    created = browser.api_post(
        "/admin/api/knowledge",
        {
            "question": "电动车充电桩怎么办卡？",
            "answer": "充电卡在物业服务中心办理，押金20元。",
            "keywords": ["充电桩", "充电卡"],
        },
    )
    assert created.status_code == 201, created.text
    reply = ask_until(wechat, "u-kb-api", "请问充电桩怎么办卡", "押金20元")
    assert "押金20元" in reply
    entry_id = created.json()["id"]
    retired = browser.api_post(f"/admin/api/knowledge/{entry_id}", {"active": False})
    assert retired.status_code == 200 and retired.json()["active"] is False
    assert [r.action for r in audit_rows(runtime) if r.action.startswith("knowledge")] == [
        "knowledge_create",
        "knowledge_update",
    ]


def test_admin_adds_a_word_and_understanding_changes(
    browser: Console, wechat: WeChat, runtime: Runtime
) -> None:
    browser.login("admin")
    bad = browser.api_post("/admin/api/lexicon", {"word": "冒顶", "target": "不存在的类别"})
    assert bad.status_code == 422
    for target in ("consult",):
        added = browser.api_post(
            "/admin/api/lexicon", {"word": "拆迁款", "target": target, "weight": 3}
        )
        assert added.status_code == 201, added.text
    listed = browser.http.get("/admin/api/lexicon").json()
    assert [(w["word"], w["target"], w["added_by"]) for w in listed] == [
        ("拆迁款", "consult", "admin")
    ]


def test_grid_worker_may_not_edit_knowledge(browser: Console) -> None:
    browser.login("zhangmin")
    refused = browser.api_post(
        "/admin/api/knowledge", {"question": "问题？", "answer": "回答。", "keywords": ["问题"]}
    )
    assert refused.status_code == 403 and "无权" in refused.json()["detail"]
