"""居民议事会: topics written in beside the problem list, the vote on each decision, the
minutes (printable page and Word file, opened and read here), and one message per
resident when the results are published."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

from bot.runtime import Runtime
from tests.admin.conftest import Console, audit_rows
from tests.conftest import WeChat
from tests.meetings.conftest import report
from tests.reports.conftest import CODE, get_request, received

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _later(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


def docx_text(content: bytes) -> tuple[list[str], list[list[str]]]:
    """The paragraphs of a .docx body and the cells of its tables, as Word reads them."""
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        names = set(package.namelist())
        assert {"[Content_Types].xml", "_rels/.rels", "word/document.xml"} <= names
        root = ElementTree.fromstring(package.read("word/document.xml"))
    body = root.find(f"{W}body")
    assert body is not None
    paragraphs = ["".join(t.text or "" for t in p.iter(f"{W}t")) for p in body.findall(f"{W}p")]
    rows = [
        ["".join(t.text or "" for t in cell.iter(f"{W}t")) for cell in row.findall(f"{W}tc")]
        for table in body.findall(f"{W}tbl")
        for row in table.findall(f"{W}tr")
    ]
    return paragraphs, rows


def _meeting(admin: Console, request_ids: list[int], topics: list[dict[str, str]]) -> dict:
    made = admin.api_post(
        "/admin/api/meetings",
        {
            "scope": "grid:1",
            "title": "第一网格居民议事会",
            "held_at": datetime.now(UTC).isoformat(),
            "place": "党群服务中心",
            "request_ids": request_ids,
            "topics": topics,
        },
    )
    assert made.status_code == 201, made.text
    return dict(made.json())


def test_topics_votes_minutes_and_one_message_per_resident(
    wechat: WeChat, runtime: Runtime, console: Callable[[str], Console], work: Callable[[], None]
) -> None:
    light = report(wechat, "demo-wangnainai", "3号楼楼道灯坏了", runtime)
    # A second problem: the bot asks whether it is about the first one; "2" is a new one.
    asked = wechat.say("demo-wangnainai", "3号楼门口垃圾好几天没人收") or ""
    assert "2. 反映新问题" in asked
    accepted = CODE.search(wechat.say("demo-wangnainai", "2") or "")
    assert accepted is not None
    rubbish = get_request(runtime, accepted.group(0)).id
    lift = report(wechat, "demo-zhaoxiaoli", "5号楼电梯又停了，老人上不去", runtime)
    work()
    before = {o: len(received(runtime, o)) for o in ("demo-wangnainai", "demo-zhaoxiaoli")}
    admin = console("admin")
    meeting = _meeting(
        admin,
        [light, rubbish, lift],
        [{"title": "电动车充电桩选址", "description": "征求居民意见，确定建在哪里"}],
    )
    mid = meeting["id"]
    kinds = [(i["kind"], i["title"]) for i in meeting["items"]]
    assert kinds[-1] == ("topic", "电动车充电桩选址") and len(kinds) == 4
    added = admin.api_post(f"/admin/api/meetings/{mid}/topics", {"title": "楼道堆物清理"})
    assert added.status_code == 201
    items = {i["title"]: i for i in added.json()["items"]}
    assert items["楼道堆物清理"]["position"] == 5
    assert items["电动车充电桩选址"]["description"] == "征求居民意见，确定建在哪里"

    admin.api_post(f"/admin/api/meetings/{mid}/attendance", {"count": 15}).raise_for_status()
    decisions = {
        "3号楼·公共照明（1件）": ("物业三天内更换声控灯", (12, 1, 2), 3),
        "3号楼·环境卫生（1件）": ("保洁公司每天清运两次", (14, 0, 1), 4),
        "5号楼·电梯（1件）": ("联系维保单位检修电梯", None, 2),
        "电动车充电桩选址": ("在3号楼与5号楼之间建充电棚", (9, 4, 2), 30),
        "楼道堆物清理": ("本周六组织志愿者清理", (15, 0, 0), 7),
    }
    too_many = admin.api_post(
        f"/admin/api/meetings/{mid}/items/{items['楼道堆物清理']['id']}/decision",
        {
            "action": "清理",
            "owner_name": "志愿者队",
            "due_at": _later(3),
            "votes_for": 10,
            "votes_against": 4,
            "votes_abstain": 2,
        },
    )
    assert too_many.status_code == 400
    assert too_many.json()["detail"] == "表决票数合计16票，超过了参会人数15人"
    negative = admin.api_post(
        f"/admin/api/meetings/{mid}/items/{items['楼道堆物清理']['id']}/decision",
        {"action": "清理", "owner_name": "志愿者队", "due_at": _later(3), "votes_for": -1},
    )
    assert negative.status_code == 422
    for title, (action, votes, days) in decisions.items():
        body: dict[str, object] = {
            "action": action,
            "owner_name": "阳光物业",
            "due_at": _later(days),
        }
        if votes:
            body.update(votes_for=votes[0], votes_against=votes[1], votes_abstain=votes[2])
        answer = admin.api_post(
            f"/admin/api/meetings/{mid}/items/{items[title]['id']}/decision", body
        )
        assert answer.status_code == 200, answer.text
    shown = {i["title"]: i for i in answer.json()["items"]}
    assert shown["电动车充电桩选址"]["votes_label"] == "同意9票，反对4票，弃权2票"
    assert shown["5号楼·电梯（1件）"]["votes_label"] == ""

    # The minutes, as a page to print.
    page = admin.http.get(f"/admin/meetings/{mid}/minutes")
    assert page.status_code == 200
    assert "居民议事会会议纪要" in page.text and "@media print" in page.text
    assert "在3号楼与5号楼之间建充电棚" in page.text
    assert "同意9票，反对4票，弃权2票" in page.text and "未表决" in page.text
    assert "记录：刘书记" in page.text
    assert "staff:admin" not in page.text

    published = admin.api_post(f"/admin/api/meetings/{mid}/publish")
    assert published.status_code == 200, published.text
    assert published.json()["published"] == {
        "requests": 3,
        "dispatched": 3,
        "groups": 5,  # the topics go to every building group of 第一网格
        "residents": 2,
    }
    work()

    # 王奶奶 had two problems decided: one message tells her both, and that they were
    # dispatched; no second 「已派单」 message follows.
    to_her = received(runtime, "demo-wangnainai")[before["demo-wangnainai"] :]
    assert len(to_her) == 1, to_her
    message = to_her[0]
    codes = [get_request(runtime, light).code, get_request(runtime, rubbish).code]
    assert "您反映的2个问题已经居民议事会（第一网格居民议事会）讨论" in message
    assert all(code in message for code in codes)
    assert "物业三天内更换声控灯" in message and "保洁公司每天清运两次" in message
    assert "表决：同意12票，反对1票，弃权2票" in message
    assert "已按决定派单办理" in message
    to_zhao = received(runtime, "demo-zhaoxiaoli")[before["demo-zhaoxiaoli"] :]
    assert len(to_zhao) == 1 and "联系维保单位检修电梯" in to_zhao[0]
    assert "表决" not in to_zhao[0]
    assert get_request(runtime, light).status == "dispatched"

    group1 = received(runtime, "bldg-1", "wecom_robot")
    assert len(group1) == 1 and "电动车充电桩选址" in group1[0] and "声控灯" not in group1[0]
    group3 = received(runtime, "bldg-3", "wecom_robot")
    assert len(group3) == 1 and "声控灯" in group3[0] and "充电棚" in group3[0]
    assert "表决：同意12票，反对1票，弃权2票" in group3[0]

    # The minutes as a Word file: the decisions and the vote counts are in it.
    file = admin.http.get(f"/admin/meetings/{mid}/minutes.docx")
    assert file.status_code == 200
    assert file.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert "attachment" in file.headers["content-disposition"]
    paragraphs, rows = docx_text(file.content)
    assert paragraphs[0] == "居民议事会会议纪要"
    assert "参会：15人" in paragraphs
    assert rows[0] == ["序号", "议题", "决定", "负责人", "办结期限", "同意", "反对", "弃权"]
    by_title = {row[1]: row for row in rows[1:]}
    assert by_title["电动车充电桩选址"][2] == "在3号楼与5号楼之间建充电棚"
    assert by_title["电动车充电桩选址"][5:] == ["9", "4", "2"]
    assert by_title["3号楼·公共照明（1件）"][5:] == ["12", "1", "2"]
    assert by_title["5号楼·电梯（1件）"][5:] == ["—", "—", "—"]
    assert by_title["楼道堆物清理"][3] == "阳光物业"
    assert str(datetime.now(UTC).year) in by_title["楼道堆物清理"][4]
    assert "表决：同意15票，反对0票，弃权0票" in paragraphs
    assert "决定：本周六组织志愿者清理" in paragraphs
    assert [a.action for a in audit_rows(runtime, "meeting_topic")] == ["meeting_topic"]

    late = admin.api_post(f"/admin/api/meetings/{mid}/topics", {"title": "又一个"})
    assert late.status_code == 409


def test_topic_only_meeting_pages_and_who_may_read_minutes(
    runtime: Runtime, console: Callable[[str], Console]
) -> None:
    zhang = console("zhangmin")
    empty = zhang.post_form(
        "/admin/meetings", scope="grid:1", title="议事会", held_at="2026-12-20T19:00"
    )
    assert empty.status_code == 400 and "请至少选择一个问题或填写一个议题" in empty.text
    made = zhang.post_form(
        "/admin/meetings",
        scope="grid:1",
        title="第一网格议事会",
        held_at="2026-12-20T19:00",
        topics="电动车充电桩选址：征求意见\n\n楼道堆物清理",
    )
    assert made.status_code == 303, made.text
    url = made.headers["location"].split("?")[0]
    detail = zhang.http.get(url).text
    assert "议题1：电动车充电桩选址" in detail and "征求意见" in detail
    assert "议题2：楼道堆物清理" in detail
    zhang.post_form(url + "/attendance", count="10")
    item = zhang.http.get(url.replace("/admin/meetings", "/admin/api/meetings")).json()["items"][0]
    bad = zhang.post_form(
        url + f"/items/{item['id']}/decision",
        action="建充电棚",
        owner_name="阳光物业",
        due_at="2099-01-01T18:00",
        votes_for="八",
    )
    assert bad.status_code == 400 and "票数须为0或正整数" in bad.text
    ok = zhang.post_form(
        url + f"/items/{item['id']}/decision",
        action="建充电棚",
        owner_name="阳光物业",
        due_at="2099-01-01T18:00",
        votes_for="7",
        votes_abstain="3",
    )
    assert ok.status_code == 303
    shown = zhang.http.get(url).text
    assert "同意7票，反对0票，弃权3票" in shown
    assert zhang.post_form(url + "/topics", title="增设休息座椅").status_code == 303
    assert "增设休息座椅" in zhang.http.get(url + "/minutes").text
    li = console("liqiang")  # grid 3
    assert li.http.get(url + "/minutes").status_code == 403
    assert li.http.get(url + "/minutes.docx").status_code == 403
