"""Schemathesis over the whole OpenAPI document as every role, stateless and stateful.

Stateless: each operation called by every role (and nobody) with data the document calls
valid; every answer must be one the document lists. Stateful: schemathesis chains calls
along the links it infers (an id one answer gives, the next call uses), as every role.
Both: 0 server errors, 0 schema violations (status, content type, body). Whether valid
data is accepted is test_openapi_contract.py's check; as counsel and records officers it
finds two scopes (holds, disclosure requests) whose rules the document does not carry.
The short runs are in `make test`; the long ones (`slow`) in `make reliability`.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.fuzz.test_openapi_contract import _operations, _probe

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _stateless(fuzz_app: Any, examples: int) -> None:
    app, tokens = fuzz_app
    operations = _operations(app)
    failures: Counter[tuple[str, str]] = Counter()
    samples: dict[tuple[str, str], str] = {}
    for operation in operations:
        for token in tokens.values():
            _probe(operation, GenerationMode.POSITIVE, token, examples, failures, samples, CHECKS)
    print(
        f"schemathesis stateless, {len(tokens)} callers: {len(operations)} operations,"
        f" {sum(failures.values())} failing checks"
    )
    report = [f"{c} {label} x{n}: {samples[(c, label)]}" for (c, label), n in failures.items()]
    assert not failures, "\n".join(sorted(report))


def _stateful(fuzz_app: Any, steps: int, runs: int) -> None:
    app, tokens = fuzz_app
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    base = schema.as_state_machine()
    calls: Counter[str] = Counter()
    for role, token in tokens.items():
        headers = {"Authorization": f"Bearer {token}"} if token else {}

        class AsRole(base):  # type: ignore[misc, valid-type]
            def get_call_kwargs(self, case: Any) -> dict[str, Any]:
                calls[case.operation.label] += 1
                return {"headers": headers}

            def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
                case.validate_response(response, checks=CHECKS)

        try:
            AsRole.run(
                settings=hypothesis_settings(
                    max_examples=runs,
                    stateful_step_count=steps,
                    deadline=None,
                    database=None,
                    derandomize=True,
                    phases=[Phase.generate],
                    suppress_health_check=list(HealthCheck),
                )
            )
        except (Exception, BaseExceptionGroup) as exc:
            raise AssertionError(f"stateful run as {role}: {exc!s:.2000}") from None
    reached = ", ".join(sorted(calls))
    print(f"schemathesis stateful: {sum(calls.values())} calls, {len(calls)} operations: {reached}")
    assert len(calls) >= 8, "the chains reach many operations"


def test_every_role_gets_answers_the_document_lists(fuzz_app_every_role: Any) -> None:
    _stateless(fuzz_app_every_role, examples=1)


def test_chained_calls_as_every_role_stay_within_the_document(fuzz_app_every_role: Any) -> None:
    _stateful(fuzz_app_every_role, steps=5, runs=6)


@pytest.mark.slow
def test_every_role_long(fuzz_app_every_role: Any) -> None:
    _stateless(fuzz_app_every_role, examples=25)
    _stateful(fuzz_app_every_role, steps=10, runs=30)
