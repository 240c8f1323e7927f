"""Audit entries: canonical bytes, and no personal data gets in."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest

from cityid.audit.entry import (
    AuditEntry,
    AuditEntryError,
    PersonalDataRefused,
    decode_entry,
    encode_entry,
)
from cityid.errors import CityIdError

AT = dt.datetime(2016, 12, 5, 14, 30, tzinfo=dt.UTC)


def entry(**overrides: object) -> bytes:
    fields: dict[str, object] = {
        "actor": "staff-17",
        "action": "application.show",
        "targets": ["app-000123"],
        "reason": "applicant_request",
        "at": AT,
    }
    fields.update(overrides)
    return encode_entry(**fields)  # type: ignore[arg-type]


def test_the_bytes_are_compact_sorted_json_without_an_index() -> None:
    data = entry(reason_ref="80258/16", extra={"count": 3, "batch": "batch-7"})
    assert data == (
        b'{"action":"application.show","actor":"staff-17","at":"2016-12-05T14:30:00Z",'
        b'"extra":{"batch":"batch-7","count":3},"reason":"applicant_request",'
        b'"reason_ref":"80258/16","targets":["app-000123"],"v":1}'
    )
    assert "index" not in json.loads(data)


def test_same_entry_same_bytes_whatever_the_input_order_or_timezone() -> None:
    new_york = dt.timezone(dt.timedelta(hours=-5))
    one = entry(extra={"a": 1, "b": "x-1"}, at=AT)
    two = entry(extra={"b": "x-1", "a": 1}, at=AT.astimezone(new_york))
    assert one == two


def test_round_trip() -> None:
    data = entry(
        targets=["app-1", "doc-2"],
        at=AT.replace(microsecond=250),
        reason_ref="ticket-9",
        extra={"ids": ["rec-1", "rec-2"], "count": 0},
    )
    decoded = decode_entry(data)
    assert decoded.targets == ("app-1", "doc-2")
    assert decoded.at == AT.replace(microsecond=250)
    assert decoded.extra["ids"] == ("rec-1", "rec-2")
    assert decoded.encode() == data
    assert AuditEntry("staff-17", "card.issue", ("card-1",), "none", AT).encode() == entry(
        action="card.issue", targets=["card-1"], reason="none"
    )


@pytest.mark.parametrize(
    "key",
    ["name", "first_name", "last_name", "full_name", "dob", "date_of_birth", "birth_date",
     "home_address", "address", "email", "phone_number", "passport_no", "gender", "photo"],
)  # fmt: skip
def test_extra_keys_named_like_personal_data_are_refused(key: str) -> None:
    with pytest.raises(PersonalDataRefused):
        entry(extra={key: "x-1"})


@pytest.mark.parametrize(
    "value",
    ["John Smith", "maria@example.org", "1990-01-31", "01/31/1990", "31.01.1990",
     "+1-212-555-0100", "Calle 5, Bronx", "", "é-1", "x" * 200],
)  # fmt: skip
def test_values_that_are_not_ids_are_refused_in_every_free_field(value: str) -> None:
    for overrides in (
        {"actor": value},
        {"targets": [value]},
        {"reason_ref": value},
        {"extra": {"ref": value}},
        {"extra": {"refs": ["ok-1", value]}},
    ):
        with pytest.raises(PersonalDataRefused) as caught:
            entry(**overrides)
        assert value not in caught.value.message or value == ""  # errors never echo values


@pytest.mark.parametrize(
    "overrides",
    [
        {"action": "Application Show"},
        {"reason": "because the applicant asked"},
        {"at": dt.datetime(2016, 12, 5, 14, 30)},  # naive
        {"targets": "app-1"},  # a string is not a list
        {"extra": {"ratio": 0.5}},
        {"extra": {"flag": True}},
        {"extra": {"count": -1}},
        {"extra": {"nested": {"a": 1}}},
    ],
)
def test_malformed_entries_are_refused_with_a_typed_error(overrides: dict[str, object]) -> None:
    with pytest.raises(AuditEntryError) as caught:
        entry(**overrides)
    assert isinstance(caught.value, CityIdError)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda d: d.replace(b",", b", ", 1),  # not compact
        lambda d: json.dumps(json.loads(d)).encode(),  # reordered / spaced
        lambda d: d.replace(b"14:30:00Z", b"14:30:00.000000Z"),  # non-canonical time
        lambda d: d.replace(b"14:30:00Z", b"14:30:00+00:00"),
        lambda d: d.replace(b'"v":1', b'"v":2'),
        lambda d: d.replace(b'"v":1', b'"v":1,"zz":1'),
        lambda d: d.replace(b"staff-17", b"staff 17"),
        lambda d: b"\xff" + d,
        lambda d: b"[]",
    ],
)
def test_decoding_refuses_anything_but_canonical_bytes(mangle: Callable[..., Any]) -> None:
    with pytest.raises(AuditEntryError):
        decode_entry(mangle(entry()))
