"""CORS for the public, read-only formats: any web page may read them (a bank's own web
verifier, a monitor of the audit log), and nothing else.

Only GET and HEAD on the paths below get `Access-Control-Allow-Origin: *`, and only those
answer a preflight. No credentials are ever allowed cross-origin: staff routes and
applicant pages send no CORS header at all, so a browser keeps them same-origin.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PUBLIC_READ_PREFIXES = (
    "/.well-known/cityid/",
    "/status-lists/",
    "/log/",
    "/audit/checkpoint",
    "/audit/public-key",
    "/audit/proof/",
    "/transparency",
)
_READ = ("GET", "HEAD")


def is_public_read(path: str) -> bool:
    return path.startswith(PUBLIC_READ_PREFIXES)


class PublicReadCors:
    """ASGI middleware: open the public formats to every origin, for reading only."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_public_read(scope["path"]):
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if method == "OPTIONS" and _header(scope, b"access-control-request-method") in _READ:
            await _preflight(send)
            return
        if method not in _READ:
            await self.app(scope, receive, send)
            return

        async def with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Access-Control-Allow-Origin"] = "*"
                headers["Access-Control-Expose-Headers"] = "Content-Type, Cache-Control"
            await send(message)

        await self.app(scope, receive, with_cors)


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1")).upper()
    return ""


async def _preflight(send: Send) -> None:
    headers = [
        (b"access-control-allow-origin", b"*"),
        (b"access-control-allow-methods", b"GET, HEAD"),
        (b"access-control-allow-headers", b"Accept"),
        (b"access-control-max-age", b"86400"),
        (b"content-length", b"0"),
    ]
    await send({"type": "http.response.start", "status": 204, "headers": headers})
    await send({"type": "http.response.body", "body": b""})
