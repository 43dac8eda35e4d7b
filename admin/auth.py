"""Staff authentication: argon2 passwords, login rate limits, server-side sessions.

Sessions live in Redis rather than in a signed cookie. The cookie carries only a random
id (no data, nothing to forge or replay after logout); logging out or deactivating an
account ends the session at once, which a signed cookie cannot do before it expires; and
the idle timeout is a Redis TTL. Redis is already a hard dependency of the service.
A session also carries a stamp of the password it was opened with: a new password (a
reset, `shequ staff passwd`) ends every other session of that account.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from dataclasses import asdict, dataclass

from redis import Redis

from storage.models import StaffAccount
from storage.staff.accounts import DEMO_PASSWORD, authenticate

__all__ = ["authenticate"]  # the login page checks passwords through here

SESSION_COOKIE = "shequ_staff"
LOGIN_CSRF_COOKIE = "shequ_login_csrf"
COOKIE_PATH = "/admin"
SESSION_PREFIX = "staff-session:"
# Idle timeout (a working day) and an absolute cap, so a stolen id does not live forever.
SESSION_IDLE_SECONDS = 8 * 3600
SESSION_MAX_SECONDS = 24 * 3600

# 5 failures for one username from one address in 15 minutes stop that pair; 20 from
# one address stop the address (a community office or a mobile carrier puts many staff
# behind one). Never per username alone: whoever guesses from elsewhere cannot lock the
# real staff member out.
FAIL_WINDOW_SECONDS = 15 * 60
USER_FAIL_LIMIT = 5
IP_FAIL_LIMIT = 20
TOO_MANY_ATTEMPTS = "尝试次数过多，请15分钟后再试"
BAD_CREDENTIALS = "用户名或密码错误"
DEMO_REFUSED = "演示账号和演示密码不能在正式环境中使用，请联系社区管理员开设账号"


def demo_refused(staff: StaffAccount, password: str, production: bool) -> bool:
    """In production neither a demo account nor the public demo password signs in."""
    return production and (staff.is_demo or password == DEMO_PASSWORD)


def password_stamp(password_hash: str) -> str:
    """Changes whenever the password does (the hash has a fresh salt each time)."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


class LoginLimiter:
    """Counts failed logins per username+client IP and per client IP in Redis (fixed
    window)."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    @staticmethod
    def _keys(username: str, ip: str) -> tuple[str, str]:
        pair = hashlib.sha256(f"{username.lower()}|{ip}".encode()).hexdigest()[:32]
        return f"staff-login-fail:user-ip:{pair}", f"staff-login-fail:ip:{ip}"

    def blocked(self, username: str, ip: str) -> bool:
        user_key, ip_key = self._keys(username, ip)
        user_fails, ip_fails = self.redis.mget(user_key, ip_key)
        return int(user_fails or 0) >= USER_FAIL_LIMIT or int(ip_fails or 0) >= IP_FAIL_LIMIT

    def record_failure(self, username: str, ip: str) -> None:
        with self.redis.pipeline() as pipe:
            for key in self._keys(username, ip):
                pipe.incr(key)
                pipe.expire(key, FAIL_WINDOW_SECONDS, nx=True)
            pipe.execute()

    def reset_user(self, username: str, ip: str) -> None:
        """After a good sign-in: that username's failures from that address are forgiven."""
        self.redis.delete(self._keys(username, ip)[0])


@dataclass
class SessionData:
    staff_id: int
    csrf_token: str
    created: float
    password_stamp: str = ""


class SessionStore:
    """Staff sessions under `staff-session:<id>` with a sliding TTL."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    def create(self, staff_id: int, stamp: str) -> tuple[str, SessionData]:
        session_id = secrets.token_urlsafe(32)
        data = SessionData(staff_id, secrets.token_urlsafe(32), time.time(), stamp)
        self.redis.set(
            SESSION_PREFIX + session_id, json.dumps(asdict(data)), ex=SESSION_IDLE_SECONDS
        )
        return session_id, data

    def load(self, session_id: str) -> SessionData | None:
        if not session_id or len(session_id) > 100:
            return None
        key = SESSION_PREFIX + session_id
        raw = self.redis.get(key)
        if raw is None:
            return None
        data = SessionData(**json.loads(raw))
        if time.time() - data.created > SESSION_MAX_SECONDS:
            self.redis.delete(key)
            return None
        self.redis.expire(key, SESSION_IDLE_SECONDS)
        return data

    def destroy(self, session_id: str) -> None:
        self.redis.delete(SESSION_PREFIX + session_id)


def cookie_options(public_url: str) -> dict[str, object]:
    return {
        "httponly": True,
        "samesite": "lax",
        "secure": public_url.startswith("https://"),
        "path": COOKIE_PATH,
    }
