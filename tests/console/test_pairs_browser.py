"""结对帮扶 in a real browser on a phone-sized screen (375 px, as grid workers use it):
create a pair for 王奶奶 with volunteer 孙强, the volunteer records two visits by chat,
and the pair's page lists them — nothing wider than the screen. Screenshots of the pairs
list and the pair's visits at 1280 and 375 px."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.runtime import Runtime
from storage.clock import now
from storage.models import Resident
from storage.pairs.service import create_pair
from storage.volunteers.profiles import profile_of
from tests.conftest import WeChat
from tests.console.conftest import login

Shot = Callable[[Any, str], Path]
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}


def fits(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def earlier_pairs(runtime: Runtime) -> None:
    """李大爷's pair, started twelve days ago and never visited (overdue), and 郑燕's,
    waiting for a volunteer: made by the storage service as the console would."""
    with runtime.session_factory() as session:
        people = {
            r.openid: r
            for r in session.scalars(
                select(Resident).where(
                    Resident.openid.in_(["demo-lidaye", "demo-zhengyan", "demo-wuhua"])
                )
            )
        }
        wuhua = profile_of(session, people["demo-wuhua"].id)
        started = now() - timedelta(days=12)
        for openid, volunteer in (("demo-lidaye", wuhua), ("demo-zhengyan", None)):
            create_pair(
                session,
                community_id=1,
                kind="空巢老人",
                residents=[people[openid]],
                volunteer=volunteer,
                cadence_days=7,
                actor="staff:zhangmin",
                now=started,
            )
        session.commit()


def test_create_a_pair_and_see_its_visits_on_a_phone(
    page: Any, shot: Shot, wechat: WeChat, runtime: Runtime
) -> None:
    earlier_pairs(runtime)
    page.set_viewport_size(PHONE)
    login(page, "zhangmin")
    page.get_by_role("button", name="菜单").click()  # on a phone the menu is behind a button
    page.get_by_role("link", name="结对帮扶", exact=True).click()
    page.wait_for_url("**/admin/pairs")
    rows = page.locator("#pairs tr.pair")
    assert rows.count() == 2
    assert "李大爷" in rows.first.inner_text() and "逾期未探访" in rows.first.inner_text()
    page.get_by_role("link", name="新建结对").click()
    page.get_by_label("结对类型").select_option(label="空巢老人（默认每7天探访）")
    page.get_by_label("住址1").fill("3-2-501")
    page.get_by_label("志愿者").select_option(label="孙强（第三网格）")
    assert fits(page)
    page.get_by_role("button", name="创建结对").click()
    page.get_by_text("结对已创建").wait_for()
    code = page.get_by_role("heading", level=1).inner_text().split("·")[0].split(" ")[-1]
    assert code.startswith("P")
    assert "王奶奶（3号楼2单元501）" in page.locator("#members").inner_text()
    assert page.locator("#volunteer-name").inner_text() == "孙强"
    assert "还没有探访记录" in page.locator("#visits").inner_text()

    first = wechat.say("demo-sunqiang", f"探访{code.lower()}，一切都好，陪她聊了会儿天")
    assert first is not None and "已记录王奶奶的探访" in first
    second = wechat.say("demo-sunqiang", f"电话 {code} 需要帮忙：楼道灯坏了，老人晚上不敢下楼")
    assert second is not None and "已转给网格员办理" in second

    page.reload()
    visits = page.locator("#visits tr.visit")
    assert visits.count() == 2
    text = page.locator("#visits").inner_text()
    assert "一切都好，陪她聊了会儿天" in text and "楼道灯坏了" in text and "M20" in text
    assert fits(page)
    shot(page, "pairs-visits-375")

    page.get_by_role("link", name="← 返回结对帮扶").click()
    page.wait_for_url("**/admin/pairs")
    row = page.locator("#pairs tr.pair", has_text=code)
    assert "王奶奶" in row.inner_text() and "孙强" in row.inner_text()
    order = [r.split("\n")[0] for r in page.locator("#pairs tr.pair").all_inner_texts()]
    assert len(order) == 3 and order[2].endswith(code)  # overdue, waiting, then on time
    assert fits(page)
    shot(page, "pairs-list-375")

    page.set_viewport_size(DESKTOP)
    shot(page, "pairs-list-1280")
    row.get_by_role("link", name=code).click()
    page.locator("#visits tr.visit").first.wait_for()
    shot(page, "pairs-visits-1280")
