"""WeChat request authentication: SHA-1 signatures, constant-time checks, replay window."""

from __future__ import annotations

import hashlib
import hmac
import time


class RequestRejected(Exception):
    """The request is not from WeChat or cannot be trusted; answered with `status`."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def sign(*parts: str) -> str:
    """WeChat's signature: SHA-1 of the lexicographically sorted, concatenated parts."""
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def verify_signature(expected_parts: tuple[str, ...], given: str | None) -> None:
    if not given:
        raise RequestRejected(403, "missing signature")
    if not hmac.compare_digest(sign(*expected_parts).encode(), given.lower().encode()):
        raise RequestRejected(403, "bad signature")


def verify_timestamp(timestamp: str | None, window_seconds: int, now: float | None = None) -> None:
    if not timestamp or not timestamp.isdigit():
        raise RequestRejected(403, "missing or malformed timestamp")
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > window_seconds:
        raise RequestRejected(403, "timestamp outside the replay window")
