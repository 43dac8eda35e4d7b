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

    def __init__(
        self, app: Any, portal: BlockingPortal, client: tuple[str, int] = ("127.0.0.1", 50000)
    ) -> None:
        self.app = app
        self.portal = portal
        self._asgi = httpx.ASGITransport(app=app, client=client)

    def from_address(self, host: str) -> InProcessTransport:
        """The same app, as seen from another client address."""
        return InProcessTransport(self.app, self.portal, (host, 50000))

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()

        async def call() -> tuple[int, httpx.Headers, bytes]:
            inner = httpx.Request(
                request.method, request.url, headers=request.headers, content=body
            )
            try:
                answer = await self._asgi.handle_async_request(inner)
            except AssertionError as exc:  # httpx's way of saying no response was sent
                raise httpx.RemoteProtocolError(
                    "the app closed the connection without answering", request=request
                ) from exc
            return answer.status_code, answer.headers, await answer.aread()

        status, headers, content = self.portal.call(call)
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
        raw = request.body
        body = raw.encode("utf-8") if isinstance(raw, str) else raw
        if body is not None and not isinstance(body, bytes):
            raise TypeError("streamed request bodies are not supported in-process")
        try:
            answer = self.client.request(
                request.method or "GET",
                request.url or "",
                headers={key: str(value) for key, value in request.headers.items()},
                content=body,
            )
        except httpx.TransportError as exc:  # as a dropped connection looks to requests
            raise requests.ConnectionError(str(exc), request=request) from exc
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
