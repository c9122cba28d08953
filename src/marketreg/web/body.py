"""Body first: a write request reaches the application only once its whole body has arrived.

A client that sends its body slowly must hold nothing but its own connection: on SQLite one
open write transaction stops every writer in the process. So this ASGI middleware receives the
body of every POST/PUT/PATCH/DELETE before the app runs (spooled to a temporary file past
1 MB), and then replays it; no dependency or route can then wait on the network. Bodies over
the size limit answer 413, bodies that do not arrive in time answer 408, both in the coded
format and before anything else runs.

Hand-written: Starlette and uvicorn have no request-body buffering or body timeout (uvicorn's
``h11_max_incomplete_event_size`` covers headers only).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable

import anyio
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
SPOOL_IN_MEMORY = 1 << 20
CHUNK = 1 << 16


class BodyTooLarge(Exception):
    def __init__(self, limit: int):
        self.limit = limit


class BodyTimeout(Exception):
    pass


class BodyFirst:
    """``limit_for(path)`` gives the largest body a path accepts (bulk imports take more);
    ``timeout`` is how long the whole body may take to arrive."""

    def __init__(self, app: ASGIApp, *, limit_for: Callable[[str], int], timeout: float,
                 refuse: Callable[[Request, Exception], object]):
        self.app = app
        self.limit_for = limit_for
        self.timeout = timeout
        self.refuse = refuse

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in UNSAFE:
            await self.app(scope, receive, send)
            return
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as spool:
            try:
                size = await self._receive_all(scope, receive, spool)
            except (BodyTooLarge, BodyTimeout) as exc:
                response = self.refuse(Request(scope), exc)
                await response(scope, receive, send)
                return
            if size is None:
                return
            spool.seek(0)
            await self.app(scope, _replay(spool, size, receive), send)

    async def _receive_all(self, scope: Scope, receive: Receive, spool) -> int | None:
        """Read the body into ``spool``; its size, or None when the client went away first."""
        limit = self.limit_for(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise BodyTooLarge(limit)
        size = 0
        with anyio.move_on_after(self.timeout) as waited:
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return None
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > limit:
                    raise BodyTooLarge(limit)
                spool.write(chunk)
                if not message.get("more_body", False):
                    return size
        if waited.cancelled_caught:
            raise BodyTimeout
        return None


def _replay(spool, size: int, receive: Receive) -> Receive:
    """A ``receive`` that hands out the buffered body, then waits for the disconnect."""
    done = False

    async def replay() -> Message:
        nonlocal done
        if done:
            return await receive()
        chunk = spool.read(CHUNK)
        done = spool.tell() >= size
        return {"type": "http.request", "body": chunk, "more_body": not done}

    return replay
