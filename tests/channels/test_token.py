"""The access_token: one refresher at a time, cached in Redis, refreshed when expired."""

from __future__ import annotations

import threading
import time

from bot.wechat_api import TokenCache, WeChatApiClient


def token_calls(platform):
    return platform.records(kind="token")


def test_concurrent_refreshers_call_the_token_endpoint_once(platform, runtime):
    caches = [TokenCache(runtime.settings, runtime.redis) for _ in range(8)]
    barrier = threading.Barrier(len(caches))
    tokens: list[str] = []

    def refresh(cache: TokenCache) -> None:
        barrier.wait()
        tokens.append(cache.get())

    threads = [threading.Thread(target=refresh, args=(c,)) for c in caches]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert len(tokens) == 8 and len(set(tokens)) == 1
    calls = token_calls(platform)
    assert len(calls) == 1
    assert calls[0]["payload"]["via"] == "stable_token"


def test_cached_token_is_reused_across_clients(platform, runtime):
    first = WeChatApiClient(runtime.settings, runtime.redis)
    first.tag.create("楼长群")
    second = WeChatApiClient(runtime.settings, runtime.redis)
    for _ in range(3):
        assert [t["name"] for t in second.tag.get()] == ["楼长群"]
    assert len(token_calls(platform)) == 1


def test_expired_token_is_refreshed(platform, runtime):
    platform.control(token_expires_in=1)
    cache = TokenCache(runtime.settings, runtime.redis)
    old = cache.get()
    assert cache.get() == old
    time.sleep(1.3)
    new = cache.get()
    assert new != old
    assert [c["payload"]["issued"] for c in token_calls(platform)] == [True, True]


def test_token_refreshed_ahead_of_expiry(platform, runtime):
    now = [time.time()]
    cache = TokenCache(runtime.settings, runtime.redis, clock=lambda: now[0])
    cache.get()
    now[0] += 7200 - 300 - 10
    cache.get()
    assert len(token_calls(platform)) == 1
    now[0] += 20  # inside the refresh margin: ask again (stable_token gives the same one)
    cache.get()
    assert len(token_calls(platform)) == 2


def test_rejected_token_is_replaced_once_and_the_call_retried(platform, runtime):
    client = WeChatApiClient(runtime.settings, runtime.redis)
    client.tag.create("网格一")
    platform.control(revoke_tokens=True)  # as if someone fetched a new token elsewhere
    assert [t["name"] for t in client.tag.get()] == ["网格一"]
    calls = token_calls(platform)
    assert len(calls) == 2 and calls[1]["payload"]["issued"] is True
    # The refreshed token is shared: another client needs no new call.
    WeChatApiClient(runtime.settings, runtime.redis).tag.get()
    assert len(token_calls(platform)) == 2


def test_all_urls_use_the_configured_base(runtime):
    client = WeChatApiClient(runtime.settings, runtime.redis)
    base = runtime.settings.wechat_api_base
    assert base + "/cgi-bin/" == client.API_BASE_URL
    assert client.tokens.url == base + "/cgi-bin/stable_token"
    assert client._rebase("https://api.weixin.qq.com/cgi-bin/media/get") == (
        base + "/cgi-bin/media/get"
    )
