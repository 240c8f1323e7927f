"""A cap on request bodies, enforced while they are read, before anything parses them.

A request that declares a larger Content-Length is answered 413 at once, unread. One that
does not (chunked) is counted as it streams in: when a chunk crosses the cap the 413 goes
out and the app is told the client disconnected, so its parser stops there, whatever it
says afterwards is dropped, and the rest of the body is never read. The
per-field limits of each route (Form/Field max_length, upload sizes) still apply below.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

TOO_LARGE = 413


def _message(limit: int) -> str:
    return f"the request body is larger than the {limit // 1024} KiB this server accepts"


class BodyCap:
    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.limit:
            await _refuse(send, self.limit)
            return
        received = 0
        started = refused = False

        async def capped() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    # Answer now and tell the app the client left: it stops reading.
                    refused = True
                    if not started:
                        await _refuse(send, self.limit)
                    return {"type": "http.disconnect"}
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if refused:
                return  # the 413 is out; nothing the app says after it is sent
            started = True
            await send(message)

        try:
            await self.app(scope, capped, guarded)
        except Exception:
            if not refused:
                raise


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(send: Send, limit: int) -> None:
    body = json.dumps({"error": {"code": "too_large", "message": _message(limit)}}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": TOO_LARGE,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
