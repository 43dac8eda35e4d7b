"""The planner never plans what a channel cannot send (DESIGN §3)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from redis import Redis
from sqlalchemy import select

from admin.timefmt import CST
from bot.runtime import Runtime
from storage.models import Community, Notice, Resident
from storage.notices.planning import Account, account_for, plan_notice
from storage.outbound.platform_rules import mass_quota_key

SERVICE = Account("service", True, 4)


def _notice(runtime: Runtime, people: list[str], scope: str = "community") -> Notice:
    with runtime.session_factory() as session:
        community = session.scalars(select(Community)).one()
        return Notice(
            id=1,
            community_id=community.id,
            body="通知",
            targets={"scope": scope, "ids": [], "groups": False, "people": people},
            created_by="admin",
        )


def test_customer_service_only_while_window_and_quota_last(runtime: Runtime) -> None:
    now = datetime.now(UTC)
    with runtime.session_factory() as session:
        for openid, hours, used in [
            ("demo-wangnainai", 1, 0),
            ("demo-lidaye", 1, 5),
            ("demo-zhoujie", 47, 4),
            ("demo-zhengyan", 49, 0),
        ]:
            resident = session.scalars(select(Resident).where(Resident.openid == openid)).one()
            resident.last_message_at = now - timedelta(hours=hours)
            resident.cs_quota_used = used
        session.commit()
        plan = plan_notice(session, _notice(runtime, ["all"]), SERVICE, now)
    channels = {d.label: d.channel for d in plan.deliveries}
    assert channels["王奶奶"] == "customer_service"
    assert channels["李大爷"] == "template"  # 5 messages already used since his last message
    assert channels["周杰"] == "customer_service"
    assert channels["郑燕"] == "template"  # 49 h ago
    assert plan.residents == 7  # every resident with an address; the newcomer has none


def test_subscription_accounts_use_their_one_daily_mass_send(runtime: Runtime) -> None:
    now = datetime.now(UTC)
    with runtime.session_factory() as session:
        notice = _notice(runtime, ["all"])
        plan = plan_notice(session, notice, Account("subscription", True, 1), now)
        assert [(d.channel, d.recipient) for d in plan.deliveries] == [("mass_tag", "all")]
        spent = plan_notice(session, notice, Account("subscription", True, 0), now)
        assert spent.deliveries == []
        assert {why for _, why in spent.skipped} == {
            "今天的群发次数已用完（订阅号每天1次），请明天再发或依靠楼栋群"
        }
        partial = plan_notice(
            session, _notice(runtime, ["volunteer"]), Account("subscription", True, 1), now
        )
        assert partial.deliveries == [] and len(partial.skipped) == 3
        unverified = plan_notice(session, notice, Account("subscription", False, 0), now)
        assert unverified.deliveries == []
        assert {why for _, why in unverified.skipped} == {
            "未认证的公众号不能单独通知居民，请依靠楼栋群"
        }


def test_mass_quota_is_read_from_the_channel_counter(runtime: Runtime, redis: Redis) -> None:
    settings = runtime.settings.model_copy(update={"account_type": "subscription"})
    now = datetime.now(UTC)
    assert account_for(settings, redis, now).mass_left == 1
    window = now.astimezone(CST).strftime("%Y%m%d")
    redis.sadd(mass_quota_key(settings.wechat_appid, window), "notice:9:mass_tag:all")
    assert account_for(settings, redis, now).mass_left == 0
    service = account_for(runtime.settings, redis, now)
    assert service.mass_left == 4 and service.has_template
