"""The OpenAPI document as the API really answers (hooked in as `app.openapi`).

FastAPI's own document knows the routes and their models but not how cityid answers
around them. This adds, from each route's dependencies and the service refusals listed
below:

- `securitySchemes` (the bearer token from POST /api/v1/tokens and the console's session
  cookie) and, per operation, `security`: both for signed-in routes, none for public ones;
- the `Error` body, `{"error": {"code", "message"}}`, which web/app.py sends for every
  CityIdError and for RequestValidationError (422, code `bad_input`), in place of
  FastAPI's `{detail: [...]}` that the API never sends;
- the error answers each operation can give: 401 (signed-in routes), 403 (a permission,
  or the console's CSRF check), 404 (a path names a record), 422 (any input: validation
  or BadInput), 503 (the database or keystore does not answer), and the refusals (409,
  410, 429, 404 without a path id) the services raise, from SERVICE_ANSWERS;
- parameter patterns the server enforces, from its own constants (card numbers, the
  Idempotency-Key), and the applicant rules this city's policy sets (state, postal
  codes, document types); the applicant's own patterns come with its model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import product
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts

from cityid.cards.numbers import CARD_NUMBER_FORMAT, CARD_NUMBER_INPUT_PATTERN
from cityid.enrollment.idempotency import IDEMPOTENCY_KEY_PATTERN
from cityid.policy.model import Policy
from cityid.runtime import Runtime
from cityid.web.deps import PERMISSION_ATTRIBUTE, current_staff, get_runtime, session_cookie_name

ERROR_SCHEMA = "Error"
BEARER = "bearer"
SESSION = "session"

# A purpose's shape (accountability/purposes.py); which codes exist is the policy's.
PURPOSE_PATTERN = r"^[a-z][a-z0-9_]{0,39}(:[A-Za-z0-9][A-Za-z0-9._-]{0,63})?$"

ANSWERS: dict[int, str] = {
    400: "The body cannot be parsed at all (code `http`)",
    401: "Not signed in, or the bearer token is not valid (code `unauthenticated`)",
    403: "The caller's role does not permit this, or the console form expired (`forbidden`);"
    " a read of a person's record names no purpose (`purpose_required`, `bad_purpose`)"
    " or is outside the caller's scope (`out_of_scope`)",
    404: "No such record (code `not_found` or a more precise one)",
    409: "The rules, a hold or the record's state refuse it (code `refused` or more precise)",
    410: "The record's keys were destroyed: what they protected is gone for good",
    406: "None of the representations this resource has fits the Accept header",
    422: "The input does not fit: each problem names its field, never its value",
    429: "Too many requests from this client address, or searches by this staffer"
    " (`rate_limited`); try again shortly",
    503: "The database or the keystore does not answer; try again shortly",
}

# Refusals raised inside the services, which no dependency of the route shows.
SERVICE_ANSWERS: dict[str, tuple[int, ...]] = {
    "POST /api/v1/tokens": (401,),
    "POST /api/v1/applications": (409,),
    "POST /api/v1/applications/status-check": (404,),
    "GET /api/v1/applications/{application_id}": (410,),
    "POST /api/v1/applications/search": (429,),
    "GET /api/v1/accountability/report/{application_id}": (404,),
    "POST /api/v1/accountability/exceptions": (404,),
    "POST /api/v1/accountability/alerts/{alert_id}/close": (409,),
    "POST /api/v1/applications/{application_id}/approve": (409, 410),
    "POST /api/v1/applications/{application_id}/reject": (409, 410),
    "POST /api/v1/applications/{application_id}/withdraw": (409, 410),
    "GET /audit/checkpoint": (404,),
    "GET /audit/proof/inclusion": (404,),
    "GET /audit/proof/consistency": (404,),
    "POST /api/v1/disclosure/requests": (404, 409),
    "POST /api/v1/disclosure/requests/{request_id}/decision": (409,),
    "GET /api/v1/disclosure/requests/{request_id}/package": (409, 410),
    "POST /api/v1/verify": (429,),
    "POST /api/v1/cards": (404, 409),
    "GET /api/v1/cards/{card_number}/qr": (409,),
    "GET /api/v1/cards/{card_number}/render": (409,),
    "POST /api/v1/cards/{card_number}/revoke": (409,),
    "POST /api/v1/cards/{card_number}/suspend": (409,),
    "POST /api/v1/cards/{card_number}/reinstate": (409,),
    "POST /api/v1/cards/{card_number}/replace": (409,),
    "POST /api/v1/cards/{card_number}/renew": (404, 409),
    "POST /api/v1/review/items/{item_id}/decision": (409,),
    "POST /api/v1/holds": (404, 409),
    "POST /api/v1/holds/{hold_id}/release": (409,),
    "POST /api/v1/retention/batches": (404, 409),
    "POST /api/v1/retention/batches/{batch_id}/approve": (409,),
    "POST /api/v1/retention/batches/{batch_id}/execute": (409,),
    "GET /api/v1/retention/batches/{batch_id}/certificate": (409,),
}

# Refusals a JSON Schema cannot carry (they depend on today's date or on other records).
ANSWER_NOTES: dict[str, dict[int, str]] = {
    "POST /api/v1/applications": {
        422: "The input does not fit (code `bad_input`), or the city's rules refuse the "
        "applicant (code `invalid_applicant`: an age from the date of birth, an expiry "
        "a document type needs)",
    },
}

# Parameters whose rule the server checks itself (so FastAPI cannot show it), by place.
PARAMETERS: dict[tuple[str, str], dict[str, str]] = {
    ("path", "card_number"): {
        "pattern": CARD_NUMBER_INPUT_PATTERN,
        "format": CARD_NUMBER_FORMAT,
        "description": "12 digits, spaces or hyphens allowed; the last is a Luhn check digit",
    },
    ("header", "idempotency-key"): {"pattern": IDEMPOTENCY_KEY_PATTERN},
    ("query", "purpose"): {"pattern": PURPOSE_PATTERN},
    ("header", "x-cityid-purpose"): {"pattern": PURPOSE_PATTERN},
}

_ERROR_BODY: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "description": "Stable, for programs"},
                "message": {"type": "string", "description": "For people; no personal data"},
            },
        }
    },
}


def _policy_rules(schemas: dict[str, Any], policy: Policy) -> None:
    """What the applicant's validators check against this city's policy, as enums."""
    address = schemas.get("Address", {}).get("properties", {})
    if "state" in address:  # either case: the validator upper-cases it
        state = policy.residency.state
        cases = product(*({letter.upper(), letter.lower()} for letter in state))
        address["state"]["enum"] = sorted("".join(letters) for letters in cases)
    if "postal_code" in address:
        address["postal_code"]["enum"] = sorted(policy.residency.postal_codes)
    document = schemas.get("Document", {}).get("properties", {})
    if "type" in document:
        document["type"]["enum"] = [kind.code for kind in policy.document_types]


# FastAPI's validation error bodies, which the API never sends.
_FASTAPI_ERROR_SCHEMAS = ("HTTPValidationError", "ValidationError")


@dataclass(frozen=True)
class RouteNeeds:
    """What a route's dependencies say about the answers it can give."""

    signed_in: bool
    permission: str | None
    takes_input: bool
    takes_body: bool
    names_a_record: bool
    uses_runtime: bool


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    if dependant.call is not None:
        yield dependant.call
    for inner in dependant.dependencies:
        yield from _calls(inner)


def _takes_input(dependant: Dependant) -> bool:
    if (
        dependant.path_params
        or dependant.query_params
        or dependant.header_params
        or dependant.cookie_params
        or dependant.body_params
    ):
        return True
    return any(_takes_input(inner) for inner in dependant.dependencies)


def route_needs(route: APIRoute | RouteContext) -> RouteNeeds:
    calls = list(_calls(route.dependant))
    permissions = [getattr(call, PERMISSION_ATTRIBUTE, None) for call in calls]
    permission = next((p for p in permissions if p is not None), None)
    return RouteNeeds(
        signed_in=current_staff in calls,
        permission=permission,
        takes_input=_takes_input(route.dependant),
        takes_body=route.body_field is not None,
        names_a_record=bool(route.dependant.path_params),
        uses_runtime=get_runtime in calls,
    )


def error_statuses(needs: RouteNeeds, refusals: tuple[int, ...] = ()) -> list[int]:
    """The error statuses an operation can answer with; a pure rule."""
    statuses = set(refusals)
    if needs.takes_body:
        statuses.add(400)  # a body the server cannot parse at all
    if needs.signed_in:
        statuses.add(401)
    if needs.permission is not None:
        statuses.add(403)  # the role, or (console posts) the session's CSRF token
    if needs.names_a_record:
        statuses.add(404)
    if needs.takes_input:
        statuses.add(422)
    if needs.uses_runtime:
        statuses.add(503)
    return sorted(statuses)


def _error_answer(status: int) -> dict[str, Any]:
    schema = {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"}
    description = ANSWERS.get(status, "An error")
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _without_null(parameter: dict[str, Any]) -> None:
    """An optional header or query value is absent or a string, never JSON `null`."""
    schema = parameter.get("schema", {})
    branches = [b for b in schema.get("anyOf", []) if b.get("type") != "null"]
    if len(branches) == 1 and len(branches) < len(schema["anyOf"]):
        del schema["anyOf"]
        schema.update(branches[0])


def _constrain(schema: dict[str, Any], extra: dict[str, str]) -> None:
    """Add a string rule to a parameter's schema (any `anyOf` branch that is a string)."""
    for branch in schema.get("anyOf", [schema]):
        if branch.get("type", "string") == "string":
            branch.update(extra)


def _security_schemes(runtime: Runtime) -> dict[str, Any]:
    return {
        BEARER: {
            "type": "http",
            "scheme": "bearer",
            "description": "A token from POST /api/v1/tokens (shown once; sent as "
            "`Authorization: Bearer <token>`)",
        },
        SESSION: {
            "type": "apiKey",
            "in": "cookie",
            "name": session_cookie_name(runtime),
            "description": "The staff console's session; posts also need the X-CSRF-Token "
            "header with the session's token",
        },
    }


def _operations(app: FastAPI) -> Iterator[tuple[str, str, RouteContext]]:
    # FastAPI keeps included routers as lazy branches: walk the routes they add up to.
    for route in iter_route_contexts(app.routes):
        if isinstance(route.original_route, APIRoute) and route.include_in_schema:
            for method in sorted(route.methods or ()):
                yield method, str(route.path_format), route


def describe(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document for the app, made true (see the module's docstring)."""
    document = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
    )
    runtime: Runtime = app.state.runtime
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for name in _FASTAPI_ERROR_SCHEMAS:
        schemas.pop(name, None)
    schemas[ERROR_SCHEMA] = _ERROR_BODY
    _policy_rules(schemas, runtime.policy)
    components["securitySchemes"] = _security_schemes(runtime)
    for method, path, route in _operations(app):
        operation = document["paths"][path][method.lower()]
        needs = route_needs(route)
        operation["security"] = [{BEARER: []}, {SESSION: []}] if needs.signed_in else []
        responses = operation.setdefault("responses", {})
        responses.pop("422", None)  # FastAPI's {detail: [...]}: replaced below when it applies
        key = f"{method} {path}"
        for status in error_statuses(needs, SERVICE_ANSWERS.get(key, ())):
            answer = responses.setdefault(str(status), _error_answer(status))
            note = ANSWER_NOTES.get(key, {}).get(status)
            if note is not None:
                answer["description"] = note
        for status_text, answer in responses.items():  # declared by the route itself
            if status_text[:1] in "45" and "content" not in answer:
                answer["content"] = _error_answer(int(status_text))["content"]
        for parameter in operation.get("parameters", []):
            _without_null(parameter)
            extra = PARAMETERS.get((parameter.get("in", ""), parameter["name"].lower()))
            if extra is not None:
                _constrain(parameter["schema"], extra)
    return document


def install(app: FastAPI) -> None:
    """Serve `describe(app)` at /openapi.json (built once, on first use)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = describe(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
