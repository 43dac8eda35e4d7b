"""The whole life of a request, driven by chat through the webhook and by staff through the
console, with notifications sent by real workers to the sandbox platform."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from redis import Redis

from bot.runtime import Runtime
from tests.admin.conftest import Console
from tests.conftest import WeChat
from tests.reports.conftest import get_request, received, states

CODE = re.compile(r"M\d{8}-\d{4}")


def image(wechat: WeChat, openid: str, media_id: str) -> str | None:
    fields = wechat.sim.text_fields(openid, "x")
    fields.update(MsgType="image", PicUrl="http://sandbox.local/p.png", MediaId=media_id)
    fields.pop("Content", None)
    response = wechat.post_fields(fields)
    assert response.status_code == 200
    return wechat.sim.read_reply(response.status_code, response.content).text


def test_report_to_rating_through_chat_and_console(
    wechat: WeChat,
    runtime: Runtime,
    redis: Redis,
    work: Callable[[], None],
    console: Callable[[str], Console],
) -> None:
    # 说: one message, a ticket code, who handles it and when.
    reply = wechat.say("demo-wangnainai", "3号楼2单元楼道灯坏了，晚上看不见")
    assert reply is not None and "已受理" in reply and "张敏" in reply, reply
    code = CODE.search(reply).group(0)  # type: ignore[union-attr]
    request = get_request(runtime, code)
    assert (request.category, request.location, request.status) == (
        "公共照明",
        "3号楼2单元",
        "accepted",
    )
    assert request.grid_id == 1 and not request.urgent
    # A photo sent right after attaches to it; a worker downloads the media.
    assert "已附到问题 " + code in (image(wechat, "demo-wangnainai", "media-abc") or "")
    work()
    zhang = console("zhangmin")
    detail = zhang.http.get(f"/admin/api/requests/{request.id}").json()
    assert detail["photos"][0]["status"] == "stored"
    photo = zhang.http.get(f"/admin/api/requests/{request.id}/photos/{detail['photos'][0]['id']}")
    assert photo.status_code == 200 and photo.content.startswith(b"\x89PNG")
    # The grid's staff group heard about it.
    assert any(code in text for text in received(runtime, "grid-g1", "wecom_robot"))

    # 办: the grid worker claims, starts, resolves; the resident hears each step.
    queue = zhang.http.get("/admin/api/requests", params={"grid_id": 1}).json()
    assert [item["code"] for item in queue["items"]] == [code]
    assert zhang.api_post(f"/admin/api/requests/{request.id}/claim").status_code == 200
    assert zhang.api_post(f"/admin/api/requests/{request.id}/start").status_code == 200
    done = zhang.api_post(f"/admin/api/requests/{request.id}/resolve", {"note": "已更换灯泡"})
    assert done.status_code == 200 and done.json()["status_label"] == "已办结"
    work()
    texts = received(runtime, "demo-wangnainai", "custom")
    assert any("已派给张敏" in t for t in texts) and any("正在处理中" in t for t in texts)
    assert "请为处理结果打分" in texts[-1] and "已更换灯泡" in texts[-1]
    state = json.loads(redis.get("dialogue:demo-wangnainai") or "{}")
    assert state["data"] == {"expects": "rate", "carry": {"ticket_code": code}}

    # 评: unsatisfied reopens it, and the reason is noted.
    reply = wechat.say("demo-wangnainai", "不满意")
    assert reply is not None and "已重新受理" in reply and "哪里还没解决" in reply
    reply = wechat.say("demo-wangnainai", "灯还是一闪一闪的")
    assert reply is not None and "已记下" in reply
    reopened = get_request(runtime, code)
    assert reopened.status == "accepted" and reopened.reopen_count == 1 and reopened.rating == 1
    assert "一闪一闪" in (reopened.status_note or "")

    # Back in the queue; this time it is fixed and rated well.
    assert zhang.api_post(f"/admin/api/requests/{request.id}/claim").status_code == 200
    zhang.api_post(f"/admin/api/requests/{request.id}/resolve", {"note": "更换了整条线路"})
    work()
    reply = wechat.say("demo-wangnainai", "5")
    assert reply is not None and "感谢您的评价（5分）" in reply
    final = get_request(runtime, code)
    assert (final.status, final.rating, final.rating_state) == ("resolved", 5, "rated")

    # 8. Every step is in the history, nothing overwritten.
    history = [to for _frm, to in states(runtime, request.id)]
    assert [h for h in history if h in ("accepted", "dispatched", "in_progress", "resolved")] == [
        "accepted",
        "dispatched",
        "in_progress",
        "resolved",
        "accepted",
        "dispatched",
        "resolved",
    ]
    assert "photo" in history and history.count("rated") == 2
    detail = zhang.http.get(f"/admin/api/requests/{request.id}").json()
    assert [h["label"] for h in detail["history"]][:2] == ["受理", "补充照片"]

    # 7. Status: nothing open now; the code still shows the request.
    assert "没有处理中的问题" in (wechat.say("demo-wangnainai", "我反映的问题怎么样了") or "")
    shown = wechat.say("demo-wangnainai", f"查询 {code}") or ""
    assert "已办结" in shown and code in shown
    assert Path(runtime.settings.data_dir, "media", code).is_dir()
