"""The sandbox's stand-in for the WeChat and WeCom HTTP APIs.

Mounted at /sandbox/api: WeChat under /sandbox/api/wechat/cgi-bin/… (so WECHAT_API_BASE is
`{public_url}/sandbox/api/wechat`), WeCom robots under /sandbox/api/wecom/cgi-bin/webhook/send.
It enforces the platform's rules (tokens, 48 h window, quotas, sizes, rates) and answers
errors in WeChat's {"errcode", "errmsg"} form. Every accepted outbound message becomes a
SandboxRecord showing what the recipient sees.

Operator knobs (POST /sandbox/api/control): `latency_ms` delays every send before it is
recorded (a sender that disconnects meanwhile is not recorded: its request never
completed); `clock_offset_seconds` moves the sandbox's clock (rate windows, 48 h rule);
`token_expires_in` shortens issued tokens; `revoke_tokens` invalidates every token;
`drop_responses` = N: the next N accepted sends are recorded, then the connection is cut
before the answer is complete (the sender cannot tell whether its message went out).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from bot.channels.ratelimit import SlidingWindowLimiter
from bot.deps import RedisDep, RuntimeDep
from bot.sandbox.platform_state import (
    MAX_BATCH_TAGGING,
    MAX_TAGS,
    MAX_TAGS_PER_USER,
    PNG,
    ROBOT_PER_MINUTE,
    ROBOT_TEXT_BYTES,
    P,
    _control_state,
    _credentials_error,
    _custom_check,
    _gone,
    _issue_token,
    _json,
    _mass_recipients,
    _now,
    _record,
    _render_template,
    _s,
    _token_error,
    _wait_latency,
    answer,
    err,
    ok,
    sandbox_time,
)
from storage.models import Resident, SandboxRecord


def build_platform_router() -> APIRouter:
    router = APIRouter()

    # -- access tokens ----------------------------------------------------------------

    @router.get("/wechat/cgi-bin/token")
    def token(request: Request, runtime: RuntimeDep, redis: RedisDep) -> JSONResponse:
        q = request.query_params
        if q.get("grant_type") != "client_credential":
            return err(40002, "invalid grant_type")
        problem = _credentials_error(runtime.settings, q.get("appid"), q.get("secret"))
        if problem:
            return problem
        # /token issues a new token every call; the previous one stops working.
        for key in redis.scan_iter(P + "token:*"):
            redis.delete(key)
        redis.delete(P + "stable")
        new = _issue_token(redis, runtime.session_factory, runtime.settings.wechat_appid, "token")
        return JSONResponse({"access_token": new, "expires_in": int(redis.ttl(P + "token:" + new))})

    @router.post("/wechat/cgi-bin/stable_token")
    async def stable_token(request: Request, runtime: RuntimeDep, redis: RedisDep) -> JSONResponse:
        body = await _json(request)
        if body is None:
            return err(47001, "data format error")
        if body.get("grant_type") != "client_credential":
            return err(40002, "invalid grant_type")
        problem = _credentials_error(runtime.settings, body.get("appid"), body.get("secret"))
        if problem:
            return problem

        def issue() -> tuple[str, int]:
            with redis.lock(P + "lock:stable", timeout=10):
                current = redis.get(P + "stable")
                if current and not body.get("force_refresh"):
                    ttl = int(redis.ttl(P + "token:" + _s(current)))
                    if ttl > 0:
                        # Every call is recorded, so tests can count calls, not just issues.
                        _record(
                            runtime.session_factory,
                            "token",
                            runtime.settings.wechat_appid,
                            None,
                            {"via": "stable_token", "issued": False, "expires_in": ttl},
                        )
                        return _s(current), ttl
                if current:
                    redis.delete(P + "token:" + _s(current))
                new = _issue_token(
                    redis, runtime.session_factory, runtime.settings.wechat_appid, "stable_token"
                )
                ttl = int(redis.ttl(P + "token:" + new))
                redis.set(P + "stable", new, ex=ttl)
                return new, ttl

        value, ttl = await run_in_threadpool(issue)
        return JSONResponse({"access_token": value, "expires_in": ttl})

    # -- messages -----------------------------------------------------------------------

    @router.post("/wechat/cgi-bin/message/custom/send")
    async def custom_send(request: Request, runtime: RuntimeDep, redis: RedisDep) -> Response:
        problem = _token_error(request, redis)
        if problem:
            return problem
        body = await _json(request)
        if body is None or not body.get("touser") or not body.get("msgtype"):
            return err(47001, "data format error")
        settings = runtime.settings
        if settings.account_type == "subscription" and not settings.account_verified:
            return err(48001, "api unauthorized")
        if not await _wait_latency(request, redis):
            return _gone(redis)
        openid = str(body["touser"])
        factory = runtime.session_factory
        problem = await run_in_threadpool(_custom_check, factory, openid, _now(redis))
        if problem:
            return problem
        msgtype = body["msgtype"]
        text = (body.get("text") or {}).get("content") if msgtype == "text" else None
        await run_in_threadpool(_record, factory, "custom", openid, text, body)
        return answer(redis, ok())

    @router.post("/wechat/cgi-bin/message/template/send")
    async def template_send(request: Request, runtime: RuntimeDep, redis: RedisDep) -> Response:
        problem = _token_error(request, redis)
        if problem:
            return problem
        settings = runtime.settings
        if settings.account_type != "service" or not settings.account_verified:
            return err(48001, "api unauthorized")
        body = await _json(request)
        if body is None or not body.get("touser"):
            return err(47001, "data format error")
        if not body.get("template_id"):
            return err(40037, "invalid template_id")
        if not await _wait_latency(request, redis):
            return _gone(redis)
        msgid = int(redis.incr(P + "msgid")) + 1_000_000
        await run_in_threadpool(
            _record,
            runtime.session_factory,
            "template",
            str(body["touser"]),
            _render_template(body.get("data")),
            {**body, "msgid": msgid},
        )
        return answer(redis, ok(msgid=msgid))

    @router.post("/wechat/cgi-bin/message/mass/sendall")
    async def mass_sendall(request: Request, runtime: RuntimeDep, redis: RedisDep) -> Response:
        problem = _token_error(request, redis)
        if problem:
            return problem
        settings = runtime.settings
        if not settings.account_verified:
            return err(48001, "api unauthorized")
        body = await _json(request)
        if body is None or not isinstance(body.get("filter"), dict) or not body.get("msgtype"):
            return err(47001, "data format error")
        cmid = str(body.get("clientmsgid") or "")
        if len(cmid) > 64:
            return err(45067, "clientmsgid size out of limit")
        if not await _wait_latency(request, redis):
            return _gone(redis)
        factory = runtime.session_factory
        recipients = await run_in_threadpool(_mass_recipients, redis, factory, body)
        if recipients is None:
            return err(40050, "invalid tag id")
        msg_id = int(redis.incr(P + "msgid")) + 2_000_000
        if cmid and not redis.set(P + "mass:cmid:" + cmid, msg_id, nx=True, ex=86400):
            existing = int(redis.get(P + "mass:cmid:" + cmid) or 0)
            return err(45065, "clientmsgid exist", msg_id=existing)
        now = _now(redis)
        if settings.account_type == "subscription":
            day_key = P + "mass:day:" + now.strftime("%Y%m%d")
            if int(redis.incr(day_key)) > 1:
                redis.delete(P + "mass:cmid:" + cmid)
                return err(45028, "has no masssend quota")
            redis.expire(day_key, 2 * 86400)
        else:
            # Each user receives at most 4 mass messages a month; others are skipped.
            month_key = P + "mass:month:" + now.strftime("%Y%m")
            reached = [u for u in recipients if int(redis.hincrby(month_key, u, 1)) <= 4]
            redis.expire(month_key, 40 * 86400)
            recipients = reached
        msgtype = body["msgtype"]
        text = (body.get("text") or {}).get("content") if msgtype == "text" else None
        target = (
            "all"
            if body["filter"].get("is_to_all")
            else str(body["filter"].get("tag_id", body["filter"].get("group_id")))
        )
        await run_in_threadpool(
            _record,
            factory,
            "mass",
            target,
            text,
            {**body, "msg_id": msg_id, "recipients": recipients},
        )
        return answer(redis, ok(msg_id=msg_id, msg_data_id=msg_id))

    # -- tags, users, media ------------------------------------------------------------

    @router.post("/wechat/cgi-bin/tags/create")
    async def tags_create(request: Request, redis: RedisDep) -> JSONResponse:
        problem = _token_error(request, redis)
        if problem:
            return problem
        body = await _json(request)
        name = str(((body or {}).get("tag") or {}).get("name") or "")
        if not name or len(name) > 30:
            return err(45158, "tag name too long")
        names = {_s(v) for v in redis.hvals(P + "tags")}
        if name in names:
            return err(45157, "invalid tag name")
        if len(names) >= MAX_TAGS:
            return err(45056, "too many tags")
        tag_id = int(redis.incr(P + "tag_seq")) + 99  # ids 0–2 are WeChat's own
        redis.hset(P + "tags", str(tag_id), name)
        return JSONResponse({"tag": {"id": tag_id, "name": name}})

    @router.get("/wechat/cgi-bin/tags/get")
    def tags_get(request: Request, redis: RedisDep) -> JSONResponse:
        problem = _token_error(request, redis)
        if problem:
            return problem
        tags = [
            {"id": int(k), "name": _s(v), "count": int(redis.scard(f"{P}tag:{_s(k)}:members"))}
            for k, v in sorted(redis.hgetall(P + "tags").items(), key=lambda kv: int(kv[0]))
        ]
        return JSONResponse({"tags": tags})

    @router.post("/wechat/cgi-bin/tags/members/batchtagging")
    async def batch_tagging(request: Request, redis: RedisDep) -> JSONResponse:
        problem = _token_error(request, redis)
        if problem:
            return problem
        body = await _json(request) or {}
        openids = body.get("openid_list")
        tag = str(body.get("tagid", ""))
        if not isinstance(openids, list) or not openids:
            return err(40032, "invalid openid list")
        if len(openids) > MAX_BATCH_TAGGING:
            return err(40032, "invalid openid list size, at most 50")
        if not redis.hexists(P + "tags", tag):
            return err(45159, "invalid tag id")
        for openid in openids:
            user_tags = f"{P}user:{openid}:tags"
            if not redis.sismember(user_tags, tag) and redis.scard(user_tags) >= MAX_TAGS_PER_USER:
                return err(45059, "user tag count out of limit")
        for openid in openids:
            redis.sadd(f"{P}user:{openid}:tags", tag)
            redis.sadd(f"{P}tag:{tag}:members", str(openid))
        return ok()

    @router.get("/wechat/cgi-bin/user/info")
    def user_info(request: Request, runtime: RuntimeDep, redis: RedisDep) -> JSONResponse:
        problem = _token_error(request, redis)
        if problem:
            return problem
        openid = request.query_params.get("openid", "")
        with runtime.session_factory() as session:
            resident = session.scalar(select(Resident).where(Resident.openid == openid))
        if resident is None:
            return err(40003, "invalid openid")
        tags = sorted(int(t) for t in redis.smembers(f"{P}user:{openid}:tags"))
        return JSONResponse(
            {
                "subscribe": 1 if resident.subscribed else 0,
                "openid": openid,
                "nickname": resident.name or "",
                "language": "zh_CN",
                "subscribe_time": int(resident.created_at.timestamp()),
                "tagid_list": tags,
            }
        )

    @router.get("/wechat/cgi-bin/media/get")
    def media_get(request: Request, redis: RedisDep) -> Response:
        problem = _token_error(request, redis)
        if problem:
            return problem
        if not request.query_params.get("media_id"):
            return err(40007, "invalid media_id")
        return Response(
            PNG,
            media_type="image/png",
            headers={"Content-Disposition": 'attachment; filename="media.png"'},
        )

    # -- WeCom group robot ---------------------------------------------------------------

    @router.post("/wecom/cgi-bin/webhook/send")
    async def robot_send(request: Request, runtime: RuntimeDep, redis: RedisDep) -> Response:
        key = request.query_params.get("key", "")
        if not key:
            return err(93000, "invalid webhook url")
        body = await _json(request)
        if body is None or body.get("msgtype") not in ("text", "markdown"):
            return err(40008, "invalid message type")
        content = str((body.get(body["msgtype"]) or {}).get("content") or "")
        if not content:
            return err(44004, "empty content")
        limit = ROBOT_TEXT_BYTES if body["msgtype"] == "text" else 4096
        if len(content.encode("utf-8")) > limit:
            return err(40058, f"content exceed max length {limit}")
        if not await _wait_latency(request, redis):
            return _gone(redis)
        limiter = SlidingWindowLimiter(
            redis, P + "robot-rate", ROBOT_PER_MINUTE, 60.0, lambda: sandbox_time(redis)
        )
        if limiter.acquire(key) > 0:
            return err(45009, "api freq out of limit")
        await run_in_threadpool(_record, runtime.session_factory, "wecom_robot", key, content, body)
        return answer(redis, ok())

    # -- operator control and read-outs --------------------------------------------------

    @router.get("/control")
    def control_get(redis: RedisDep) -> JSONResponse:
        return JSONResponse(_control_state(redis))

    @router.post("/control")
    async def control_set(request: Request, redis: RedisDep) -> JSONResponse:
        body = await _json(request)
        if body is None:
            return JSONResponse({"detail": "请求体必须是 JSON 对象"}, status_code=400)
        for field, key in (
            ("latency_ms", "latency_ms"),
            ("clock_offset_seconds", "clock_offset"),
            ("token_expires_in", "token_expires_in"),
            ("drop_responses", "drop_responses"),
        ):
            if field in body:
                try:
                    value = float(body[field] or 0)
                except (TypeError, ValueError):
                    return JSONResponse({"detail": f"{field} 必须是数字"}, status_code=400)
                redis.set(P + key, value if field == "clock_offset_seconds" else int(value))
        if body.get("revoke_tokens"):
            for k in redis.scan_iter(P + "token:*"):
                redis.delete(k)
            redis.delete(P + "stable")
        return JSONResponse(_control_state(redis))

    @router.get("/records")
    def records(
        runtime: RuntimeDep,
        kind: str | None = None,
        target: str | None = None,
        after_id: int = 0,
        limit: int = 200,
    ) -> JSONResponse:
        query = select(SandboxRecord).where(SandboxRecord.id > after_id)
        if kind:
            query = query.where(SandboxRecord.kind == kind)
        if target:
            query = query.where(SandboxRecord.target == target)
        query = query.order_by(SandboxRecord.id.desc()).limit(max(1, min(limit, 1000)))
        with runtime.session_factory() as session:
            rows = list(session.scalars(query))
        return JSONResponse(
            {
                "records": [
                    {
                        "id": r.id,
                        "kind": r.kind,
                        "target": r.target,
                        "text": r.text,
                        "payload": r.payload,
                        "created_at": r.created_at.isoformat(),
                    }
                    for r in reversed(rows)
                ]
            }
        )

    return router
