"""What /openapi.json says about sign-in, errors and patterns, read as a client would."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from cityid.cards.numbers import new_card_number
from cityid.web.openapi import ANSWER_NOTES, SERVICE_ANSWERS

ERROR_REF = {"$ref": "#/components/schemas/Error"}


def _document(app: Any) -> dict[str, Any]:
    with TestClient(app) as client:
        answer = client.get("/openapi.json")
    assert answer.status_code == 200
    document: dict[str, Any] = answer.json()
    return document


def _operations(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        f"{method.upper()} {path}": operation
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    }


def test_signed_in_operations_name_the_bearer_token_and_the_session(fuzz_app: Any) -> None:
    app, _tokens = fuzz_app
    document = _document(app)
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearer"] == {**schemes["bearer"], "type": "http", "scheme": "bearer"}
    assert schemes["session"]["in"] == "cookie"
    assert schemes["session"]["name"] == "__Host-cityid_session"
    operations = _operations(document)
    me = operations["GET /api/v1/me"]
    assert me["security"] == [{"bearer": []}, {"session": []}]
    assert set(me["responses"]) == {"200", "401", "503"}
    assert operations["POST /api/v1/verify"]["security"] == []
    assert "401" not in operations["GET /.well-known/cityid/keys"]["responses"]


def test_every_error_answer_is_the_error_body(fuzz_app: Any) -> None:
    app, _tokens = fuzz_app
    document = _document(app)
    assert "HTTPValidationError" not in document["components"]["schemas"]
    error = document["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    assert error["properties"]["error"]["required"] == ["code", "message"]
    for label, operation in _operations(document).items():
        for status, answer in operation["responses"].items():
            if status.startswith(("4", "5")) and label != "GET /readyz":
                schema = answer["content"]["application/json"]["schema"]
                assert schema == ERROR_REF, f"{label} {status}"
    card = _operations(document)["POST /api/v1/cards/{card_number}/revoke"]["responses"]
    assert {"400", "401", "403", "404", "409", "422", "503"} <= set(card)


def test_the_card_number_pattern_is_the_servers(fuzz_app: Any) -> None:
    app, _tokens = fuzz_app
    operation = _operations(_document(app))["GET /api/v1/cards/{card_number}"]
    (parameter,) = operation["parameters"]
    pattern = parameter["schema"]["pattern"]
    number = new_card_number()
    assert re.search(pattern, number)
    assert re.search(pattern, f"{number[:4]} {number[4:8]}-{number[8:]}")
    assert not re.search(pattern, number[:-1])
    assert parameter["schema"]["format"] == "card-number"


def test_the_listed_service_answers_name_real_operations(fuzz_app: Any) -> None:
    app, _tokens = fuzz_app
    operations = _operations(_document(app))
    assert set(SERVICE_ANSWERS) <= set(operations)
    assert set(ANSWER_NOTES) <= set(operations)
