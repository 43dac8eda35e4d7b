"""Running the web process under uvicorn, as in production."""

from __future__ import annotations

import contextlib
import signal
import socket
from types import FrameType

import uvicorn
from uvicorn.supervisors import Multiprocess


class TcpConfig(uvicorn.Config):
    """uvicorn binds the shared listener with protocol 0 when it runs several workers;
    asyncio then leaves Nagle's algorithm on for accepted connections, and every
    keep-alive request after the first waits ~40 ms for a delayed ACK
    (uvicorn issue #3149). Re-wrapping the listener as IPPROTO_TCP restores TCP_NODELAY."""

    def bind_socket(self) -> socket.socket:
        sock = super().bind_socket()
        if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.proto == 0:
            tcp = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
            tcp.set_inheritable(True)
            return tcp
        return sock


def run_web(host: str, port: int, workers: int = 1, log_level: str = "warning") -> None:
    config = TcpConfig(
        "bot.asgi:create",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
    )
    server = uvicorn.Server(config)
    if config.workers > 1:
        Multiprocess(config, sockets=[config.bind_socket()]).run()  # stops its workers itself
        return
    # uvicorn shuts down gracefully on SIGTERM, then raises the signal again to die by it;
    # this handler turns that into a normal exit (status 0) instead.
    signal.signal(signal.SIGTERM, _interrupt)
    with contextlib.suppress(KeyboardInterrupt):
        server.run()


def _interrupt(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt
