"""Shared state and rules of the sandbox platform: records, tokens, quotas, clock."""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from redis import Redis
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.types import Receive, Scope, Send

from bot.settings import Settings
from storage.models import Resident, SandboxRecord

P = "sandbox:"  # Redis key prefix of all sandbox state
CS_WINDOW = timedelta(hours=48)
CS_QUOTA = 5
MAX_TAGS = 100
MAX_TAGS_PER_USER = 20
MAX_BATCH_TAGGING = 50
ROBOT_PER_MINUTE = 20
ROBOT_TEXT_BYTES = 2048
# A 1×1 PNG: what media/get returns for any media id.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def _s(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def err(errcode: int, errmsg: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"errcode": errcode, "errmsg": errmsg, **extra})


def ok(**extra: Any) -> JSONResponse:
    return JSONResponse({"errcode": 0, "errmsg": "ok", **extra})


def sandbox_time(redis: Redis) -> float:
    offset = redis.get(P + "clock_offset")
    return time.time() + (float(offset) if offset else 0.0)


def _now(redis: Redis) -> datetime:
    return datetime.fromtimestamp(sandbox_time(redis), UTC)


async def _json(request: Request) -> dict[str, Any] | None:
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


async def _wait_latency(request: Request, redis: Redis) -> bool:
    """Apply the operator's artificial latency. False if the sender went away meanwhile."""
    latency = int(redis.get(P + "latency_ms") or 0)
    deadline = time.monotonic() + latency / 1000
    while time.monotonic() < deadline:
        if await request.is_disconnected():
            return False
        await asyncio.sleep(min(0.05, max(0.0, deadline - time.monotonic())))
    return not await request.is_disconnected()


def _gone(redis: Redis) -> Response:
    """The sender hung up during the latency: nothing recorded, the drop is counted."""
    redis.incr(P + "dropped")
    return Response(status_code=499)


# Take one of the operator's `drop_responses` if any is left (1), else 0.
_TAKE_DROP = """
if tonumber(redis.call('GET', KEYS[1]) or '0') > 0 then
    redis.call('DECR', KEYS[1])
    return 1
end
return 0
"""


class CutOff(Response):
    """The answer starts and the connection is cut halfway: the sender cannot know whether
    its message was accepted (it was)."""

    def __init__(self, answer: JSONResponse) -> None:
        super().__init__()
        self.answer = answer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = bytes(self.answer.body)
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body[:5], "more_body": True})


def answer(redis: Redis, response: JSONResponse) -> Response:
    """An accepted send's answer, or, when the operator asked to drop answers, none."""
    if int(redis.eval(_TAKE_DROP, 1, P + "drop_responses")):
        redis.incr(P + "responses_dropped")
        return CutOff(response)
    return response


def _record(
    factory: sessionmaker[Session],
    kind: str,
    target: str,
    text: str | None,
    payload: dict[str, Any],
) -> int:
    with factory() as session:
        row = SandboxRecord(kind=kind, target=target, text=text, payload=payload)
        session.add(row)
        session.commit()
        return row.id


# -- tokens --------------------------------------------------------------------------


def _issue_token(redis: Redis, factory: sessionmaker[Session], appid: str, how: str) -> str:
    expires_in = int(redis.get(P + "token_expires_in") or 7200)
    token = "SBX_" + secrets.token_urlsafe(24)
    redis.set(P + "token:" + token, appid, ex=expires_in)
    _record(factory, "token", appid, None, {"via": how, "issued": True, "expires_in": expires_in})
    return token


def _credentials_error(settings: Settings, appid: Any, secret: Any) -> JSONResponse | None:
    if appid != settings.wechat_appid:
        return err(40013, "invalid appid")
    if secret != settings.wechat_secret:
        return err(40125, "invalid appsecret")
    return None


def _token_error(request: Request, redis: Redis) -> JSONResponse | None:
    token = request.query_params.get("access_token", "")
    if not token:
        return err(41001, "access_token missing")
    if not redis.exists(P + "token:" + token):
        return err(40001, "invalid credential, access_token is invalid or not latest")
    return None


# -- WeChat rules ---------------------------------------------------------------------


def _custom_check(
    factory: sessionmaker[Session], openid: str, now: datetime
) -> JSONResponse | None:
    with factory() as session:
        resident = session.scalar(select(Resident).where(Resident.openid == openid))
        if resident is None:
            return err(40003, "invalid openid")
        if resident.last_message_at is None or now - resident.last_message_at > CS_WINDOW:
            return err(45015, "response out of time limit or subscription is canceled")
        sent = session.scalar(
            select(func.count())
            .select_from(SandboxRecord)
            .where(
                SandboxRecord.kind == "custom",
                SandboxRecord.target == openid,
                SandboxRecord.created_at >= resident.last_message_at,
            )
        )
        if (sent or 0) >= CS_QUOTA:
            return err(45047, "out of response count limit")
    return None


def _render_template(data: Any) -> str:
    if not isinstance(data, dict):
        return ""
    lines = []
    for value in data.values():
        text = value.get("value") if isinstance(value, dict) else value
        if text not in (None, ""):
            lines.append(str(text))
    return "\n".join(lines)


def _mass_recipients(
    redis: Redis, factory: sessionmaker[Session], body: dict[str, Any]
) -> list[str] | None:
    flt = body.get("filter") or {}
    if flt.get("is_to_all"):
        with factory() as session:
            return list(
                session.scalars(
                    select(Resident.openid)
                    .where(Resident.subscribed.is_(True))
                    .order_by(Resident.id)
                )
            )
    tag = flt.get("tag_id", flt.get("group_id"))
    if tag is None or not redis.hexists(P + "tags", str(tag)):
        return None
    return sorted(_s(m) for m in redis.smembers(f"{P}tag:{tag}:members"))


def _control_state(redis: Redis) -> dict[str, Any]:
    return {
        "latency_ms": int(float(redis.get(P + "latency_ms") or 0)),
        "clock_offset_seconds": float(redis.get(P + "clock_offset") or 0),
        "token_expires_in": int(float(redis.get(P + "token_expires_in") or 7200)),
        "dropped": int(redis.get(P + "dropped") or 0),
        "drop_responses": int(redis.get(P + "drop_responses") or 0),
        "responses_dropped": int(redis.get(P + "responses_dropped") or 0),
    }
