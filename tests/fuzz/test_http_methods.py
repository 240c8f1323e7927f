"""HEAD is answered wherever GET is, and every 405 says which methods the path takes."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from cityid.audit.service import create_checkpoint
from cityid.store.uow import UnitOfWork


def test_head_on_the_public_documents_answers_like_get_without_a_body(fuzz_app: Any) -> None:
    app, _tokens = fuzz_app
    runtime = app.state.runtime
    with UnitOfWork(runtime.engine) as uow:
        create_checkpoint(runtime, uow)
        uow.commit()
    with TestClient(app) as client:
        for path in ("/.well-known/cityid/keys", "/audit/checkpoint", "/transparency.json"):
            got = client.get(path)
            head = client.head(path)
            assert got.status_code == 200, path
            assert head.status_code == 200, path
            assert head.content == b"", path
            assert head.headers["content-type"] == got.headers["content-type"], path
            assert head.headers["content-length"] == str(len(got.content)), path
        missing = client.head("/status-lists/999")
        assert missing.status_code == 404
        assert missing.content == b""


def test_head_on_a_signed_in_route_is_refused_as_get_would_be(fuzz_app: Any) -> None:
    app, _tokens = fuzz_app
    with TestClient(app) as client:
        assert client.head("/api/v1/me").status_code == 401


def test_a_wrong_method_answers_405_with_every_method_of_the_path(fuzz_app: Any) -> None:
    app, _tokens = fuzz_app
    with TestClient(app) as client:
        # GET and POST /api/v1/holds are two routes: Allow names both.
        answer = client.delete("/api/v1/holds")
        assert answer.status_code == 405
        assert answer.headers["allow"] == "GET, HEAD, POST"
        assert answer.json()["error"]["code"] == "http"
        tokens = client.put("/api/v1/tokens/abc")
        assert tokens.status_code == 405
        assert tokens.headers["allow"] == "DELETE"
        status_list = client.post("/status-lists/0")
        assert status_list.headers["allow"] == "GET, HEAD"
