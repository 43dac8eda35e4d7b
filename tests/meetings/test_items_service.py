"""The storage services of agenda items, in process: topics, votes and their checks, the
one message a resident gets, and the Word writer's package."""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime, timedelta
from io import BytesIO

import pytest

from bot.runtime import Runtime
from storage.meetings.docx import Document
from storage.meetings.items import Votes, add_topic, check_votes, decide_item
from storage.meetings.minutes import minutes_docx, minutes_of
from storage.meetings.publish import publish
from storage.meetings.service import (
    MeetingError,
    Topic,
    create_meeting,
    items_of,
    record_attendance,
)
from storage.models import CouncilMeeting, Delivery
from tests.meetings.test_topics_votes_minutes import docx_text

NOW = datetime(2026, 12, 4, 11, 0, tzinfo=UTC)


def _meeting(runtime: Runtime) -> int:
    with runtime.session_factory() as session:
        meeting = create_meeting(
            session,
            community_id=1,
            scope="grid",
            scope_id=1,
            title="第一网格议事会",
            held_at=NOW,
            place=None,
            request_ids=[],
            actor="staff:admin",
            now=NOW,
            topics=[Topic("充电桩选址", "征求意见"), Topic("  ")],
        )
        session.commit()
        return meeting.id


def test_topics_votes_and_their_checks(runtime: Runtime) -> None:
    mid = _meeting(runtime)
    with runtime.session_factory() as session:
        meeting = session.get(CouncilMeeting, mid)
        assert meeting is not None
        item = add_topic(session, meeting, Topic("楼道堆物", ""), actor="staff:admin", now=NOW)
        assert (item.position, item.kind, item.description) == (2, "topic", None)
        with pytest.raises(MeetingError, match="请填写议题名称"):
            add_topic(session, meeting, Topic(" "), actor="staff:admin", now=NOW)
        record_attendance(session, meeting, names=[], count=10, actor="staff:admin", now=NOW)
        with pytest.raises(MeetingError, match="超过了参会人数10人"):
            check_votes(meeting, Votes(8, 2, 1))
        with pytest.raises(MeetingError, match="不能都为0"):
            check_votes(meeting, Votes(0, 0, 0))
        with pytest.raises(MeetingError, match="0或正整数"):
            check_votes(meeting, Votes(-1, 2, 1))
        decided = decide_item(
            session,
            meeting,
            item,
            action="周六清理",
            owner_staff_id=None,
            owner_name="志愿者队",
            due_at=NOW + timedelta(days=3),
            actor="staff:admin",
            now=NOW,
            votes=Votes(7, 2, 1),
        )
        assert Votes.of(decided) == Votes(7, 2, 1)
        assert Votes(7, 2, 1).label == "同意7票，反对2票，弃权1票"
        session.commit()


def test_publish_tells_each_resident_once_and_topics_reach_every_building(
    runtime: Runtime,
) -> None:
    mid = _meeting(runtime)
    with runtime.session_factory() as session:
        meeting = session.get(CouncilMeeting, mid)
        assert meeting is not None
        record_attendance(session, meeting, names=["张敏"], count=None, actor="t", now=NOW)
        minutes = minutes_of(session, meeting)
        assert [i.title for i in minutes.items] == ["充电桩选址"]  # the blank topic dropped
        (item,) = items_of(session, mid)
        decide_item(
            session,
            meeting,
            item,
            action="建充电棚",
            owner_staff_id=None,
            owner_name="阳光物业",
            due_at=datetime.now(UTC) + timedelta(days=9),
            actor="t",
            now=datetime.now(UTC),
        )
        counts = publish(session, meeting, actor="t", now=datetime.now(UTC))
        assert counts == {"requests": 0, "dispatched": 0, "groups": 5, "residents": 0}
        session.commit()
        posts = session.query(Delivery).filter(Delivery.purpose == "council_result").all()
        assert sorted(d.recipient for d in posts) == [f"bldg-{n}" for n in range(1, 6)]
        assert all("充电桩选址（征求意见）" in d.payload["text"] for d in posts)
        with pytest.raises(MeetingError, match="已公布"):
            add_topic(session, meeting, Topic("晚了"), actor="t", now=NOW)
        paragraphs, rows = docx_text(minutes_docx(minutes_of(session, meeting)))
    assert rows[1][1:3] == ["充电桩选址", "建充电棚"] and rows[1][5:] == ["—", "—", "—"]
    assert "参会：1人（张敏）" in paragraphs


def test_the_word_package_is_well_formed() -> None:
    doc = Document("标题 <&>")
    doc.heading("会议纪要", level=0)
    doc.paragraph("第一行\n第二行 <b>&", label="说明：")
    doc.table(["甲", "乙"], [["1", "二 & 三"]], [3000, 3000])
    content = doc.bytes()
    with zipfile.ZipFile(BytesIO(content)) as package:
        assert package.testzip() is None
        core = package.read("docProps/core.xml").decode()
    assert "标题 &lt;&amp;&gt;" in core
    paragraphs, rows = docx_text(content)
    assert paragraphs[0] == "会议纪要" and "说明：第一行第二行 <b>&" in paragraphs
    assert rows == [["甲", "乙"], ["1", "二 & 三"]]
