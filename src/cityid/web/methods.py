"""HTTP methods app-wide: HEAD answers like GET without a body; 405 says what is allowed.

Routes declare GET only; a HEAD request is served by the same GET route and the body is
dropped on the way out (headers, Content-Length included, stay as GET would send them).
The `Allow` header of a 405 lists every method any route serves at that path, not only
the methods of the first route that matched it.
"""

from __future__ import annotations

from collections.abc import Sequence

from fastapi.routing import iter_route_contexts
from starlette.routing import BaseRoute, compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    """ASGI middleware: serve HEAD through the GET route and send no body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)


def allowed_methods(routes: Sequence[BaseRoute], path: str) -> list[str]:
    """Every method some route serves at this path (HEAD wherever GET is)."""
    methods: set[str] = set()
    # FastAPI keeps included routers as lazy branches: walk the routes they add up to.
    for route in iter_route_contexts(routes):
        if route.path is None or not route.methods:
            continue
        pattern, _format, _convertors = compile_path(route.path)
        if pattern.match(path):
            methods.update(route.methods)
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)
