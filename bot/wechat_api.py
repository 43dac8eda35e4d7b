"""The WeChat API client: wechatpy, pointed at a configurable base URL, with one central
access_token refresher.

WeChat invalidates the previous access_token whenever a new one is fetched, so the token is
cached in Redis and refreshed by one process at a time under a Redis lock (the cache is
re-read inside the lock, so waiting processes reuse what the winner fetched). We use
`stable_token` with force_refresh=false, refresh ahead of expiry, and force a refresh only
when WeChat says the very token we hold is invalid.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

import requests
from redis import Redis

# wechatpy 1.8.18 imports cleanly under `-W error` (checked: no DeprecationWarning or
# SyntaxWarning on import or compile), so no warnings filter is needed around it.
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException

from bot.settings import Settings

log = logging.getLogger(__name__)

WECHAT_HOST = "https://api.weixin.qq.com/"
TOKEN_LOCK = "lock:wechat-token"
# Codes meaning "the access_token you sent is not (or no longer) valid".
TOKEN_ERRORS = frozenset({40001, 40014, 42001})


class TokenUnavailable(RuntimeError):
    """No valid access_token could be obtained (WeChat refused or did not answer)."""


class TokenCache:
    """access_token in Redis, refreshed ahead of expiry by one process at a time."""

    def __init__(
        self,
        settings: Settings,
        redis: Redis,
        *,
        http: requests.Session | None = None,
        clock: Callable[[], float] = time.time,
        refresh_margin: float = 300.0,
        lock_timeout: float = 30.0,
        wait_timeout: float = 15.0,
        http_timeout: float = 10.0,
    ) -> None:
        self.settings = settings
        self.redis = redis
        self.http = http or requests.Session()
        self.clock = clock
        self.refresh_margin = refresh_margin
        self.lock_timeout = lock_timeout
        self.wait_timeout = wait_timeout
        self.http_timeout = http_timeout
        self.key = f"wechat:access_token:{settings.wechat_appid}"
        self.url = settings.wechat_api_base.rstrip("/") + "/cgi-bin/stable_token"

    # -- cache ------------------------------------------------------------------------

    def _read(self) -> dict[str, Any] | None:
        raw = self.redis.get(self.key)
        if not raw:
            return None
        try:
            entry = json.loads(raw)
        except ValueError:
            return None
        return entry if isinstance(entry, dict) and entry.get("token") else None

    def _fresh(self, entry: dict[str, Any] | None) -> bool:
        return entry is not None and self.clock() < float(entry["refresh_at"])

    def _usable(self, entry: dict[str, Any] | None) -> bool:
        return entry is not None and self.clock() < float(entry["expires_at"]) - 5

    # -- public -----------------------------------------------------------------------

    def get(self) -> str:
        """A valid token: the cached one, or one refreshed by whoever holds the lock."""
        entry = self._read()
        if self._fresh(entry):
            assert entry is not None
            return str(entry["token"])
        return self._refresh(stale_token=None, fallback=entry)

    def invalidate(self, bad_token: str) -> str:
        """WeChat rejected `bad_token`: get a new one unless someone already did."""
        return self._refresh(stale_token=bad_token, fallback=None)

    # -- refresh ----------------------------------------------------------------------

    def _refresh(self, stale_token: str | None, fallback: dict[str, Any] | None) -> str:
        lock = self.redis.lock(
            TOKEN_LOCK, timeout=self.lock_timeout, blocking_timeout=self.wait_timeout
        )
        if not lock.acquire(blocking=True):
            # Someone else is refreshing and slow; a not-yet-expired token still works.
            entry = self._read()
            if self._usable(entry) and (stale_token is None or entry["token"] != stale_token):  # type: ignore[index]
                return str(entry["token"])  # type: ignore[index]
            if self._usable(fallback) and stale_token is None:
                return str(fallback["token"])  # type: ignore[index]
            raise TokenUnavailable("timed out waiting for the access_token refresh lock")
        try:
            entry = self._read()
            if stale_token is None and self._fresh(entry):
                return str(entry["token"])  # type: ignore[index]
            if stale_token is not None and entry is not None and entry["token"] != stale_token:
                return str(entry["token"])  # another process already replaced it
            return self._fetch(force=stale_token is not None)
        finally:
            try:
                lock.release()
            except Exception:  # lock expired while we fetched: nothing left to release
                log.warning("wechat token lock expired before release")

    def _fetch(self, *, force: bool) -> str:
        body: dict[str, Any] = {
            "grant_type": "client_credential",
            "appid": self.settings.wechat_appid,
            "secret": self.settings.wechat_secret,
            "force_refresh": force,
        }
        try:
            res = self.http.post(self.url, json=body, timeout=self.http_timeout)
            res.raise_for_status()
            result = res.json()
        except (requests.RequestException, ValueError) as exc:
            raise TokenUnavailable(f"stable_token request failed: {exc}") from exc
        if result.get("errcode") or not result.get("access_token"):
            raise TokenUnavailable(
                f"stable_token refused: {result.get('errcode')} {result.get('errmsg')}"
            )
        token = str(result["access_token"])
        expires_in = max(1, int(result.get("expires_in", 7200)))
        now = self.clock()
        # stable_token returns the same token (with less time left) until it expires, so a
        # short remaining life halves the wait instead of re-fetching on every call.
        refresh_in = max(expires_in - self.refresh_margin, expires_in / 2)
        entry = {"token": token, "expires_at": now + expires_in, "refresh_at": now + refresh_in}
        self.redis.set(self.key, json.dumps(entry), ex=expires_in)
        log.info("wechat access_token refreshed (expires in %ss)", expires_in)
        return token


class WeChatApiClient(WeChatClient):
    """wechatpy's client with every URL under `settings.wechat_api_base` and our token cache."""

    def __init__(
        self,
        settings: Settings,
        redis: Redis,
        *,
        token_cache: TokenCache | None = None,
        timeout: float = 10.0,
    ) -> None:
        super().__init__(
            settings.wechat_appid, settings.wechat_secret, timeout=timeout, auto_retry=False
        )
        self.base = settings.wechat_api_base.rstrip("/") + "/"
        # Instance attribute: every relative endpoint resolves under the configured base.
        self.API_BASE_URL = self.base + "cgi-bin/"
        self.tokens = token_cache or TokenCache(settings, redis, http=self._http)

    def _rebase(self, url: str) -> str:
        if url.startswith(WECHAT_HOST):
            return self.base + url[len(WECHAT_HOST) :]
        return url

    def _request(self, method: str, url_or_endpoint: str, **kwargs: Any) -> Any:
        api_base = kwargs.pop("api_base_url", None)
        if not url_or_endpoint.startswith(("http://", "https://")):
            base = self._rebase(api_base) if api_base else self.API_BASE_URL
            url_or_endpoint = base + url_or_endpoint
        url = self._rebase(url_or_endpoint)
        params = dict(kwargs.pop("params", None) or {})
        token = params.get("access_token") or self.tokens.get()
        params["access_token"] = token
        try:
            return super()._request(method, url, params=params, **kwargs)
        except WeChatClientException as exc:
            if exc.errcode not in TOKEN_ERRORS:
                raise
            log.info("wechat rejected the access_token (%s); refreshing once", exc.errcode)
            params["access_token"] = self.tokens.invalidate(token)
            return super()._request(method, url, params=params, **kwargs)

    @property
    def access_token(self) -> str:
        return self.tokens.get()

    def fetch_access_token(self) -> dict[str, Any]:
        token = self.tokens.invalidate(self.tokens.get())
        return {"access_token": token}


def build_wechat_client(settings: Settings, redis: Redis, **kwargs: Any) -> WeChatApiClient:
    return WeChatApiClient(settings, redis, **kwargs)
