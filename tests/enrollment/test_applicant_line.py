"""Applicant lines: what is taken in, and what a clerk is told when it cannot be."""

from __future__ import annotations

import json
import unicodedata

import pytest

from cityid.enrollment.applicant import InvalidApplicant, parse_applicant_line
from cityid.errors import BadInput

from .enrollment_helpers import POLICY, TODAY, document, line


def _errors(data: object) -> dict[str, str]:
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    with pytest.raises(InvalidApplicant) as caught:
        parse_applicant_line(text, POLICY, TODAY)
    return dict(caught.value.field_errors)


def test_a_full_line_is_taken_in() -> None:
    data = line(
        emergency_contact={"name": "Luis García", "phone": "+1 718 555 0100"},
        centre="queens-1",
        truth={"person_id": "P1"},
    )
    person = parse_applicant_line(json.dumps(data), POLICY, TODAY)
    assert person.given_name == "María"
    assert person.address.postal_code == "11372"
    assert person.documents[0].issuing_country == "MEX"
    assert person.emergency_contact is not None and person.centre == "queens-1"
    assert not hasattr(person, "truth")


@pytest.mark.parametrize(
    ("given", "family"),
    [("Анна", "Иванова"), ("王", "伟"), ("ফাতেমা", "রহমান"), ("محمد", "حداد"), ("Nguyễn", "Thị")],
)
def test_names_in_any_script_are_kept_as_written(given: str, family: str) -> None:
    person = parse_applicant_line(
        json.dumps(line(given_name=given, family_name=family)), POLICY, TODAY
    )
    assert (person.given_name, person.family_name) == (given, family)


def test_names_are_only_nfc_normalised() -> None:
    decomposed = unicodedata.normalize("NFD", "José")
    person = parse_applicant_line(json.dumps(line(given_name=decomposed)), POLICY, TODAY)
    assert person.given_name == "José" and len(person.given_name) == 4


def test_joiners_stay_but_control_and_override_characters_are_refused() -> None:
    persian = "\u0645\u06cc\u200c\u0646\u0627"  # a name with a zero-width non-joiner
    person = parse_applicant_line(json.dumps(line(given_name=persian)), POLICY, TODAY)
    assert person.given_name == persian
    for bad in ("Ana\u202eanA", "Ana\x07"):
        assert _errors(line(given_name=bad)) == {"given_name": "contains control characters"}


def test_one_name_is_enough_but_none_is_not() -> None:
    assert parse_applicant_line(json.dumps(line(family_name="")), POLICY, TODAY).given_name
    assert _errors(line(given_name=" ", family_name="")) == {
        "given_name": "a given name or a family name is needed"
    }


def test_each_bad_field_is_named_with_its_problem() -> None:
    data = line(
        date_of_birth="04/03/1985",
        gender="female",
        language="es",
        veteran="perhaps",
        photo="not base64!",
    )
    data["address"]["postal_code"] = "07030"
    data["address"]["state"] = "NJ"
    errors = _errors(data)
    assert errors == {
        "date_of_birth": "not a date (use YYYY-MM-DD)",
        "address.state": "must be NY",
        "address.postal_code": "not in the city's postal codes",
        "gender": "must be one of 'F', 'M' or 'X'",
        "language": "not one of the program's languages (ISO 639-3)",
        "veteran": "must be true or false",
        "photo": "not base64",
    }


def test_messages_never_echo_the_values() -> None:
    data = line(date_of_birth="1985-02-30", given_name="Zyxwvutsrq" * 20)
    data["address"]["postal_code"] = "90210"
    with pytest.raises(InvalidApplicant) as caught:
        parse_applicant_line(json.dumps(data), POLICY, TODAY)
    message = caught.value.message
    for secret in ("1985-02-30", "Zyxwvutsrq", "90210"):
        assert secret not in message
    assert isinstance(caught.value, BadInput)
    assert caught.value.to_json()["error"]["code"] == "invalid_applicant"


@pytest.mark.parametrize(
    ("dob", "message"),
    [
        ("2016-11-02", "is in the future"),
        ("1880-01-01", "gives an age over 130"),
        ("1985-02-30", "not a date (use YYYY-MM-DD)"),
        ("19850203", "not a date (use YYYY-MM-DD)"),
    ],
)
def test_impossible_dates_of_birth(dob: str, message: str) -> None:
    assert _errors(line(date_of_birth=dob)) == {"date_of_birth": message}


def test_document_problems_name_the_document() -> None:
    docs = [
        {**document("utility_bill"), "type": "social_security_card"},
        document("foreign_passport", issuing_country="XYZ"),
        {**document("residential_lease"), "expires": None},
        {**document("utility_bill"), "number": ""},
    ]
    assert _errors(line(documents=docs)) == {
        "documents.0.type": "not a document type the program accepts",
        "documents.1.issuing_country": "not an ISO 3166-1 alpha-3 country code",
        "documents.2.expires": "needed for this document type",
        "documents.3.number": "must not be empty",
    }


def test_stateless_and_refugee_travel_documents_are_accepted() -> None:
    for code in ("XXA", "XXB", "usa"):
        data = line(documents=[document("foreign_passport", issuing_country=code)])
        assert parse_applicant_line(json.dumps(data), POLICY, TODAY).documents[0].issuing_country


def test_missing_fields_are_listed() -> None:
    assert _errors({}) == {
        "given_name": "required",
        "family_name": "required",
        "date_of_birth": "required",
        "address": "required",
    }


@pytest.mark.parametrize(
    ("text", "message"), [("{not json", "not valid JSON"), ("[1, 2]", "not a JSON object")]
)
def test_lines_that_are_not_objects(text: str, message: str) -> None:
    assert _errors(text) == {"(line)": message}


def test_zip_plus_four_is_accepted_as_its_five_digits() -> None:
    data = line()
    data["address"]["postal_code"] = "11372-1234"
    assert parse_applicant_line(json.dumps(data), POLICY, TODAY).address.postal_code == "11372"
