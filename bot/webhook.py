"""`/wechat`: WeChat's server-mode webhook (plaintext, compatible and safe mode)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import PlainTextResponse

from bot.processor import (
    HOLDING_REPLY,
    LockBusy,
    MessageProcessor,
    Outcome,
    StillInProgress,
    StorageUnavailable,
)
from bot.reply_slot import ReplySlot
from bot.runtime import Runtime
from bot.security import RequestRejected, verify_signature, verify_timestamp
from bot.settings import EncryptMode, Settings
from bot.wire import SafeMode, parse_xml, render_text_reply, to_incoming
from handlers.message import Incoming

log = logging.getLogger(__name__)

SUCCESS = "success"
PLAINTEXT_REFUSED = (
    "安全模式只接受加密消息 / safe mode: plaintext refused "
    "(encrypt_type=aes and msg_signature are required)"
)
ENCRYPTED_REFUSED = (
    "明文模式不解密消息 / WECHAT_ENCRYPT_MODE=plain: encrypted message refused "
    "(set WECHAT_ENCRYPT_MODE as in the 公众号 console)"
)


@dataclass
class WebhookDeps:
    settings: Settings
    processor: MessageProcessor
    safe_mode: SafeMode | None  # None in plain mode (no EncodingAESKey needed)
    drain: Callable[[list[int]], None]  # hands jobs to RQ off the request path


async def read_capped_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise RequestRejected(413, "body too large")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise RequestRejected(413, "body too large")
        chunks.append(chunk)
    return b"".join(chunks)


def check_encryption(mode: EncryptMode, encrypted: bool, msg_signature: str) -> None:
    """Safe mode accepts only encrypted, msg_signature-signed bodies: the plain `signature`
    covers token, timestamp and nonce but not the body, so a plaintext POST with a logged
    URL could carry any sender. Plain mode has no key to decrypt with."""
    if mode == "safe" and not (encrypted and msg_signature):
        raise RequestRejected(403, PLAINTEXT_REFUSED)
    if mode == "plain" and encrypted:
        raise RequestRejected(400, ENCRYPTED_REFUSED)


def build_webhook_router(deps: WebhookDeps) -> APIRouter:
    router = APIRouter()
    settings = deps.settings
    # Messages are handled by a few threads per web process (SHEQU_MESSAGE_THREADS; 1 on
    # SQLite, 4 on PostgreSQL): the path is CPU-bound under the GIL, and more threads only
    # take the GIL from each other and from the event loop (SQLite, 2 CPUs: 1 thread
    # 384 msg/s, 4 threads 253, anyio's 40 threads 244; docs/benchmarks.md).
    threads = settings.message_threads or (1 if settings.uses_sqlite else 4)
    handlers = ThreadPoolExecutor(threads, thread_name_prefix="message")

    @router.get("/wechat", response_class=PlainTextResponse)
    def echo(
        signature: str = "",
        timestamp: str = "",
        nonce: str = "",
        echostr: str = "",
    ) -> Response:
        try:
            verify_timestamp(timestamp, settings.replay_window_seconds)
            verify_signature((settings.wechat_token, timestamp, nonce), signature)
        except RequestRejected as exc:
            log.warning("echo check refused: %s", exc.reason)
            return PlainTextResponse(exc.reason, status_code=exc.status)
        return PlainTextResponse(echostr)

    @router.post("/wechat")
    async def receive(
        request: Request,
        signature: str = "",
        timestamp: str = "",
        nonce: str = "",
        encrypt_type: Annotated[str, Query()] = "",
        msg_signature: str = "",
    ) -> Response:
        started = time.monotonic()
        deadline = started + settings.reply_budget_seconds
        safe = encrypt_type.lower() == "aes"
        try:
            check_encryption(settings.encrypt_mode, safe, msg_signature)
            body = await read_capped_body(request, settings.max_body_bytes)
            verify_timestamp(timestamp, settings.replay_window_seconds)
            verify_signature((settings.wechat_token, timestamp, nonce), signature)
            fields = parse_xml(body)
            if safe and deps.safe_mode is not None:
                encrypted = fields.get("Encrypt")
                if not encrypted:
                    raise RequestRejected(400, "safe mode body without Encrypt")
                verify_signature(
                    (settings.wechat_token, timestamp, nonce, encrypted), msg_signature
                )
                fields = parse_xml(deps.safe_mode.decrypt(encrypted))
            msg = to_incoming(fields)
        except RequestRejected as exc:
            log.warning("webhook refused (%s): %s", exc.status, exc.reason)
            return PlainTextResponse(exc.reason, status_code=exc.status)

        slot = ReplySlot()
        task = asyncio.ensure_future(_process(handlers, deps.processor, msg, slot, deadline))
        task.add_done_callback(_retrieve)  # also when the answer below no longer waits for it
        done, _ = await asyncio.wait({task}, timeout=max(deadline - time.monotonic(), 0))
        outcome: Outcome
        if not done:
            if slot.defer():
                log.warning("reply budget spent on %s; holding reply sent", msg.dedup_key)
                return _reply(deps, msg.openid, msg.account, HOLDING_REPLY, int(time.time()), safe)
            if slot.state == "unstored":
                log.error(
                    "message %s not stored within the budget; WeChat will retry", msg.dedup_key
                )
                return PlainTextResponse("storage slow", status_code=503)
            done, _ = await asyncio.wait({task})  # the real reply is being committed now
        try:
            outcome = task.result()
        except StorageUnavailable as exc:
            log.error("cannot store %s (%s); WeChat will retry", msg.dedup_key, exc)
            return PlainTextResponse("storage unavailable", status_code=503)
        except StillInProgress:
            return PlainTextResponse("in progress", status_code=503)
        if outcome.outbox_ids:
            deps.drain(outcome.outbox_ids)  # handed to this process's drainer: no wait
        elapsed = (time.monotonic() - started) * 1000
        log.info(
            "%s %s from %s answered in %.0f ms%s",
            msg.msg_type,
            msg.event or "",
            msg.openid,
            elapsed,
            " (retry)" if outcome.duplicate else "",
        )
        if not outcome.reply_text:
            return PlainTextResponse(SUCCESS)
        return _reply(deps, msg.openid, msg.account, outcome.reply_text, outcome.reply_time, safe)

    return router


LOCK_TRY_SECONDS = 0.05
LOCK_RETRY_SECONDS = 0.02


async def _process(
    pool: ThreadPoolExecutor,
    processor: MessageProcessor,
    msg: Incoming,
    slot: ReplySlot,
    deadline: float,
) -> Outcome:
    """Run the message on a handler thread; while the user's lock is taken (their previous
    message, possibly in another process), wait here, not on the thread."""
    loop = asyncio.get_running_loop()
    while True:
        try:
            return await loop.run_in_executor(
                pool, processor.process, msg, slot, deadline, LOCK_TRY_SECONDS
            )
        except LockBusy:
            if time.monotonic() + LOCK_RETRY_SECONDS >= deadline:
                raise StillInProgress(msg.dedup_key) from None
            await asyncio.sleep(LOCK_RETRY_SECONDS)


def _retrieve(task: asyncio.Future[Outcome]) -> None:
    if not task.cancelled():
        task.exception()


def _reply(
    deps: WebhookDeps, openid: str, account: str, text: str, created: int, safe: bool
) -> Response:
    xml = render_text_reply(openid, account, text, created)
    if safe and deps.safe_mode is not None:
        xml = deps.safe_mode.encrypt_reply(xml)
    return Response(content=xml, media_type="application/xml")


def make_drain(runtime: Runtime) -> Callable[[list[int]], None]:
    """The process's drainer (bot.outbox_drainer): batched, in its own thread; what it
    cannot push waits in the outbox for the scheduler."""
    return runtime.drainer.submit
