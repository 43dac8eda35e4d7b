"""The sandbox platform without a socket: outbound HTTP of this process is answered by
the app itself, so dialogue stories (and fast tests) need no listening server.

httpx clients get `InProcessTransport` (httpx's ASGI transport, driven from sync code
through an anyio portal: one event loop thread for the app); wechatpy, which speaks
`requests`, gets a transport adapter that forwards to such a client.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import requests
from anyio.from_thread import BlockingPortal, start_blocking_portal
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict


class InProcessTransport(httpx.BaseTransport):
    """A sync httpx transport answering from an ASGI app in this process. The response
    returns once the app has finished, background tasks included."""

    def __init__(self, app: Any, portal: BlockingPortal) -> None:
        self._asgi = httpx.ASGITransport(app=app)
        self._portal = portal

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()

        async def call() -> tuple[int, httpx.Headers, bytes]:
            inner = httpx.Request(request.method, request.url, headers=request.headers, content=body)
            answer = await self._asgi.handle_async_request(inner)
            return answer.status_code, answer.headers, await answer.aread()

        status, headers, content = self._portal.call(call)
        return httpx.Response(status, headers=headers, content=content, request=request)


@contextmanager
def in_process_transport(app: Any) -> Iterator[InProcessTransport]:
    """A transport for the length of the block (its event loop thread stops after)."""
    with start_blocking_portal() as portal:
        yield InProcessTransport(app, portal)


class ASGIRequestsAdapter(BaseAdapter):
    """A `requests` transport that hands every request to an httpx client (here one
    bound to the ASGI app) and turns the answer back into a `requests.Response`."""

    def __init__(self, client: httpx.Client) -> None:
        super().__init__()
        self.client = client

    def send(  # type: ignore[override]
        self, request: requests.PreparedRequest, **kwargs: Any
    ) -> requests.Response:
        body = request.body
        if isinstance(body, str):
            body = body.encode("utf-8")
        answer = self.client.request(
            request.method or "GET",
            request.url or "",
            headers=dict(request.headers),
            content=body,
        )
        response = requests.Response()
        response.status_code = answer.status_code
        response.headers = CaseInsensitiveDict(answer.headers)
        response._content = answer.content
        response.encoding = answer.encoding
        response.url = request.url or ""
        response.request = request
        response.reason = answer.reason_phrase
        return response

    def close(self) -> None:
        """The httpx client belongs to whoever built the adapter."""
