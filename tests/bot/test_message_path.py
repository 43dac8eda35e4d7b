"""The fast message path keeps its promises: the dialogue state travels with the lock's
release, a flow still continues on the next message, `shequ serve` sizes its web workers."""

from __future__ import annotations

from redis import Redis

from bot.dialogue_store import RedisDialogueStore
from bot.embedded import WEB_WORKERS_MAX, web_workers
from bot.locks import UserLocks
from bot.runtime import Runtime
from bot.settings import Settings
from handlers.dialogue import DialogueState
from storage.models import JobSeeker, Resident
from tests.conftest import WeChat


def test_state_written_on_release_is_there_before_the_next_holder(redis: Redis) -> None:
    locks = UserLocks(redis)
    store = RedisDialogueStore(redis)
    state = DialogueState(flow="job_seek", step="skills", data={"n": 1})
    with locks.hold("u-release", 1.0, read_key=store.key("u-release")) as held:
        assert held.ok and held.prefetched is None
        assert held.write_on_release(*store.write("u-release", state, 60))
        assert redis.get("dialogue:u-release") is None  # not sent yet
    assert not redis.exists("lock:user:u-release")
    ttl = redis.ttl("dialogue:u-release")
    assert 60 < ttl <= 60 + int(store.GRACE.total_seconds())
    with locks.hold("u-release", 1.0, read_key=store.key("u-release")) as held:
        again = store.decode(held.prefetched)
        assert again is not None and again.flow == "job_seek" and again.data == {"n": 1}
        assert held.write_on_release(*store.write("u-release", None))
    assert redis.get("dialogue:u-release") is None


def test_without_redis_the_caller_writes_itself() -> None:
    locks = UserLocks(None)
    with locks.hold("u-local", 1.0) as held:
        assert held.ok
        assert not held.write_on_release("dialogue:u-local", "x", 60)


def test_a_flow_started_by_one_message_takes_the_next(wechat: WeChat, runtime: Runtime) -> None:
    first = wechat.say("demo-lidaye", "想找工作")
    assert first is not None and "能干全天还是半天" in first
    second = wechat.say("demo-lidaye", "会开车 全天")
    assert second is not None and "已登记：可就业，会开车，全天" in second
    with runtime.session_factory() as session:
        seeker = (
            session.query(JobSeeker)
            .join(Resident, Resident.id == JobSeeker.resident_id)
            .filter(Resident.openid == "demo-lidaye")
            .one()
        )
        assert seeker.hours == "full"


def test_a_message_window_is_recorded_with_the_reply(wechat: WeChat, runtime: Runtime) -> None:
    reply = wechat.say("u-window", "你好")
    assert reply is not None
    with runtime.session_factory() as session:
        resident = session.query(Resident).filter(Resident.openid == "u-window").one()
        assert resident.last_message_at is not None and resident.cs_quota_used == 0


def test_serve_runs_one_web_worker_per_cpu_unless_told(settings: Settings) -> None:
    import os

    cpus = os.cpu_count() or 1
    assert web_workers(settings, None) == max(1, min(cpus, WEB_WORKERS_MAX))
    assert web_workers(settings, 3) == 3
    told = settings.model_copy(update={"web_workers": 2})
    assert web_workers(told, None) == 2


def test_a_resident_waiting_for_their_lock_does_not_hold_up_others(
    wechat: WeChat, redis: Redis
) -> None:
    """One handler thread per process: a message whose sender's previous message is still
    being handled (here by "another process" holding the lock) waits off the thread."""
    import threading
    import time

    locks = UserLocks(redis)
    taken, release = threading.Event(), threading.Event()

    def other_process() -> None:
        with locks.hold("u-busy", 1.0) as held:
            assert held.ok
            taken.set()
            release.wait(5)

    holder = threading.Thread(target=other_process)
    holder.start()
    assert taken.wait(5)
    replies: dict[str, str | None] = {}
    waiting = threading.Thread(target=lambda: replies.update(busy=wechat.say("u-busy", "帮助")))
    waiting.start()
    time.sleep(0.2)
    started = time.monotonic()
    free = wechat.say("u-free", "帮助")
    assert time.monotonic() - started < 1.0
    assert free is not None and "反映问题" in free
    assert "busy" not in replies  # still waiting for its lock
    release.set()
    holder.join()
    waiting.join(10)
    assert replies["busy"] is not None and "反映问题" in replies["busy"]
