"""Schemathesis holds the API to its own OpenAPI document, in-process, on a real data dir.

Every operation is called by nobody, a clerk and an administrator with data the
document calls valid, and by an administrator with data it calls invalid. Each answer
must be one the document lists (status, content type, body schema, the `Error` body
included), valid data must not be refused as malformed and invalid data must not be
accepted. Generation is derandomized so `make test` sends the same requests every
run; the `slow` variant sends many more.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from cityid.cards.numbers import new_card_number

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
    positive_data_acceptance,
]


def _card_numbers() -> st.SearchStrategy[str]:
    """Numbers the document's `card-number` format names: 12 digits, Luhn check digit."""
    return st.randoms(use_true_random=False).map(lambda rng: new_card_number(rng))


schemathesis.openapi.format("card-number", _card_numbers())


def _operations(app: Any) -> list[Any]:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), f"the schema has an operation it cannot describe: {result}"
        operations.append(result.ok())
    return operations


def _the_citys_rules_refused(failure: BaseException, response: Any) -> bool:
    """Valid data refused by the rules a schema cannot carry (age, document expiry).

    Only the intake answers so, with its own code, and the document says so there.
    """
    if not isinstance(failure, RejectedPositiveData) or response.status_code != 422:
        return False
    try:
        return bool(response.json()["error"]["code"] == "invalid_applicant")
    except (ValueError, KeyError, TypeError):
        return False


def _failures_of(exc: BaseException) -> list[BaseException]:
    if isinstance(exc, BaseExceptionGroup):
        return [f for inner in exc.exceptions for f in _failures_of(inner)]
    return [exc]


def _probe(
    operation: Any,
    mode: GenerationMode,
    token: str | None,
    examples: int,
    failures: Counter[tuple[str, str]],
    samples: dict[tuple[str, str], str],
    checks: list[Any] = CHECKS,
) -> None:
    headers = {"Authorization": f"Bearer {token}"} if token else {}

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def probe(case: Any) -> None:
        response = case.call(headers=headers)
        try:
            case.validate_response(response, checks=checks)
        except (Exception, BaseExceptionGroup) as exc:
            answer = f"{response.status_code} {response.text[:160]!r}"
            for failure in _failures_of(exc):
                if _the_citys_rules_refused(failure, response):
                    continue
                key = (str(getattr(failure, "code", type(failure).__name__)), operation.label)
                failures[key] += 1
                samples.setdefault(key, f"{failure!s:.300} -> {answer}".replace("\n", " "))

    try:
        probe()
    except Unsatisfiable:  # nothing to make invalid: the operation takes no input
        assert mode is GenerationMode.NEGATIVE, operation.label


def _run(fuzz_app: Any, examples: int) -> None:
    app, tokens = fuzz_app
    operations = _operations(app)
    assert len(operations) >= 40, "the schema lists the JSON API"
    failures: Counter[tuple[str, str]] = Counter()
    samples: dict[tuple[str, str], str] = {}
    callers = [(GenerationMode.POSITIVE, token) for token in tokens.values()]
    callers.append((GenerationMode.NEGATIVE, tokens["admin"]))
    for operation in operations:
        for mode, token in callers:
            _probe(operation, mode, token, examples, failures, samples)
    by_code = Counter[str]()
    for (code, _label), count in failures.items():
        by_code[code] += count
    operations_failing = {label for _code, label in failures}
    print(
        f"schemathesis contract: {len(operations)} operations, {sum(failures.values())} failing"
        f" checks on {len(operations_failing)} operations, by code: {dict(sorted(by_code.items()))}"
    )
    report = [
        f"{code} {label} x{n}: {samples[(code, label)]}" for (code, label), n in failures.items()
    ]
    assert not failures, "\n".join(sorted(report))


def test_every_answer_is_one_the_document_lists(fuzz_app: Any) -> None:
    _run(fuzz_app, examples=3)


@pytest.mark.slow
def test_every_answer_is_one_the_document_lists_long(fuzz_app: Any) -> None:
    _run(fuzz_app, examples=40)
