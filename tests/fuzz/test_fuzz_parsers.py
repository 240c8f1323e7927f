"""Hypothesis on every parser that reads what someone else wrote: only typed rejections.

A policy file, an intake line, a signed checkpoint, an audit entry, and what an offline
verifier is handed (issuer key files, status list tokens). Each either parses or raises
the one typed error its caller turns into a clear message; anything else is a bug.
QR text and credential tokens are fuzzed in tests/cards/test_cards_verify.py already.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
from typing import Any

import cbor2
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cityid.audit.checkpoint import CheckpointError, parse_and_verify, sign_checkpoint, verifier_key
from cityid.audit.entry import AuditEntryError, decode_entry, encode_entry
from cityid.cards.keys import IssuerKeys
from cityid.cards.status_list import (
    StatusList,
    StatusListRejected,
    sign_status_list,
    verify_status_list_token,
)
from cityid.cards.verify_inputs import issuer_keys_from_file, status_list_tokens
from cityid.devtools.synth.applicants import generate_applicants
from cityid.enrollment.applicant import parse_applicant_line
from cityid.errors import BadInput, ConfigError
from cityid.policy import parse_policy
from cityid.policy.loader import default_policy_text

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TODAY = dt.date(2026, 11, 21)
NOW = dt.datetime(2026, 11, 21, 12, 0, tzinfo=dt.UTC)
POLICY_TEXT = default_policy_text()
POLICY = parse_policy(POLICY_TEXT)
SEED_LINES = [
    json.dumps(x) for x in generate_applicants(8, 0.0, seed=7, policy=POLICY, today=TODAY)
]


class KeySigner:
    """An Ed25519 signer that holds its key in memory: test only."""

    def __init__(self, key_id: str) -> None:
        self._private = Ed25519PrivateKey.generate()
        self._key_id = key_id

    @property
    def key_id(self) -> str:
        return self._key_id

    @property
    def algorithm(self) -> str:
        return "Ed25519"

    def sign(self, message: bytes) -> bytes:
        return self._private.sign(message)

    def public_key_raw(self) -> bytes:
        return self._private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


SIGNER = KeySigner("sig-card-issuer-fuzz")
ORIGIN = "cityid.example/audit"
NOTE = sign_checkpoint(ORIGIN, 12, bytes(range(32)), SIGNER)
VKEY = verifier_key(ORIGIN, SIGNER.public_key_raw())
ENTRY = encode_entry(actor="u_1", action="application.read", targets=["app_9"], reason="intake",
                     at=NOW, reason_ref="80258-16", extra={"count": 2})  # fmt: skip
STATUS_URI = "https://cityid.example/status-lists/1"
STATUS_TOKEN = sign_status_list(StatusList(256), uri=STATUS_URI, signer=SIGNER, now=NOW,
                                ttl_seconds=3600)  # fmt: skip
TRUSTED = IssuerKeys([(SIGNER.key_id, SIGNER.public_key_raw())])

TOML_VALUES = st.sampled_from(
    ['-1', '0', '1e400', 'nan', '"x"', '""', 'true', '[]', '{}', '[1, "a"]', '9999999999999999999',
     '1979-05-27', '"\\u0000"', '{ a = 1 }', '"retain"', '"verify-and-discard"', '-0.5'],
)  # fmt: skip


def _mutate_text(data: st.DataObject, text: str, alphabet: st.SearchStrategy[str]) -> str:
    """One of: a character replaced, a slice deleted, junk inserted, or truncation."""
    if not text:
        return data.draw(st.text(alphabet, max_size=20))
    kind = data.draw(st.sampled_from(["replace", "delete", "insert", "truncate"]))
    at = data.draw(st.integers(0, len(text) - 1))
    if kind == "replace":
        return text[:at] + data.draw(st.text(alphabet, min_size=1, max_size=3)) + text[at + 1 :]
    if kind == "delete":
        return text[:at] + text[at + data.draw(st.integers(1, 40)) :]
    if kind == "insert":
        return text[:at] + data.draw(st.text(alphabet, min_size=1, max_size=10)) + text[at:]
    return text[:at]


# -- the policy loader ----------------------------------------------------------------------


@FUZZ
@given(data=st.data())
def test_a_mutated_policy_value_is_a_config_error_or_a_valid_policy(data: st.DataObject) -> None:
    lines = POLICY_TEXT.splitlines()
    assignments = [i for i, line in enumerate(lines) if re.match(r"^\s*[A-Za-z0-9_\"-]+\s*=", line)]
    for _ in range(data.draw(st.integers(1, 3))):
        i = data.draw(st.sampled_from(assignments))
        key = lines[i].split("=", 1)[0]
        lines[i] = f"{key}= {data.draw(TOML_VALUES)}"
    with contextlib.suppress(ConfigError):
        parse_policy("\n".join(lines))


@FUZZ
@given(data=st.data())
def test_mutated_policy_text_is_a_config_error_or_a_valid_policy(data: st.DataObject) -> None:
    text = POLICY_TEXT
    for _ in range(data.draw(st.integers(1, 4))):
        text = _mutate_text(data, text, st.characters(codec="utf-8"))
    with contextlib.suppress(ConfigError):
        parse_policy(text)


@FUZZ
@given(data=st.data())
def test_policy_with_lines_dropped_or_repeated(data: st.DataObject) -> None:
    lines = POLICY_TEXT.splitlines()
    i = data.draw(st.integers(0, len(lines) - 1))
    j = data.draw(st.integers(i, min(len(lines), i + 30)))
    edited = lines[:i] + lines[j:] if data.draw(st.booleans()) else lines[:j] + lines[i:]
    with contextlib.suppress(ConfigError):
        parse_policy("\n".join(edited))


# -- intake lines ----------------------------------------------------------------------------

JSON_LEAVES = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=False),
    st.text(max_size=40), st.just("2026-02-30"), st.just("9999-12-31"), st.just(""),
    st.lists(st.text(max_size=5), max_size=3), st.dictionaries(st.text(max_size=5), st.none(),
                                                               max_size=2),
)  # fmt: skip


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, inner in value.items():
            found += _paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += _paths(inner, (*prefix, index))
    return found


def _set(document: Any, path: tuple[Any, ...], value: Any, delete: bool) -> None:
    for step in path[:-1]:
        document = document[step]
    if delete:
        del document[path[-1]]
    else:
        document[path[-1]] = value


def _parse_line(text: str) -> None:
    with contextlib.suppress(BadInput):  # InvalidApplicant, or another typed refusal
        parse_applicant_line(text, POLICY, TODAY)


@FUZZ
@given(data=st.data())
def test_an_applicant_line_with_fields_changed_is_taken_or_refused_by_field(
    data: st.DataObject,
) -> None:
    document = json.loads(data.draw(st.sampled_from(SEED_LINES)))
    for _ in range(data.draw(st.integers(1, 4))):
        paths = _paths(document)
        if not paths:
            break
        path = data.draw(st.sampled_from(paths))
        _set(document, path, data.draw(JSON_LEAVES), delete=data.draw(st.booleans()))
    _parse_line(json.dumps(document))


@FUZZ
@given(data=st.data())
def test_applicant_line_text_damage_is_a_typed_refusal(data: st.DataObject) -> None:
    text = _mutate_text(data, data.draw(st.sampled_from(SEED_LINES)), st.characters())
    _parse_line(text)


@FUZZ
@given(st.text(max_size=200) | st.just("[" * 5000) | st.just('{"a":' * 3000))
def test_arbitrary_text_as_an_applicant_line(text: str) -> None:
    _parse_line(text)


# -- audit checkpoints and entries -----------------------------------------------------------


@FUZZ
@given(data=st.data())
def test_a_damaged_checkpoint_note_is_a_checkpoint_error(data: st.DataObject) -> None:
    note = NOTE
    for _ in range(data.draw(st.integers(1, 3))):
        note = _mutate_text(data, note, st.characters(codec="utf-8"))
    as_bytes = data.draw(st.booleans())
    try:
        parsed = parse_and_verify(note.encode() if as_bytes else note, [VKEY], origin=ORIGIN)
    except CheckpointError:
        return
    # It verified: then it says exactly what was signed (a signature line may be re-ordered).
    assert (parsed.origin, parsed.size, parsed.root) == (ORIGIN, 12, bytes(range(32)))


@FUZZ
@given(st.binary(max_size=400))
def test_random_bytes_are_not_a_checkpoint(data: bytes) -> None:
    try:
        parse_and_verify(data, [VKEY])
    except CheckpointError:
        return
    raise AssertionError("random bytes verified as a checkpoint")


@FUZZ
@given(data=st.data())
def test_a_damaged_audit_entry_is_an_audit_entry_error(data: st.DataObject) -> None:
    text = _mutate_text(data, ENTRY.decode("ascii"), st.characters(max_codepoint=0x7F))
    try:
        entry = decode_entry(text.encode("utf-8"))
    except AuditEntryError:
        return
    assert entry.encode() == text.encode()  # only canonical bytes are ever accepted


@FUZZ
@given(st.binary(max_size=300) | st.builds(lambda d: json.dumps(d).encode(), st.dictionaries(
    st.sampled_from(["v", "actor", "action", "targets", "reason", "at", "reason_ref", "extra"]),
    JSON_LEAVES)))  # fmt: skip
def test_arbitrary_bytes_as_an_audit_entry(data: bytes) -> None:
    with contextlib.suppress(AuditEntryError):
        decode_entry(data)


# -- what an offline verifier is handed -------------------------------------------------------


@FUZZ
@given(data=st.data())
def test_a_damaged_status_list_token_is_rejected_never_trusted(data: st.DataObject) -> None:
    token = bytearray(STATUS_TOKEN)
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(token) - 1))
        token[at] = data.draw(st.integers(0, 255))
    damaged = bytes(token)
    try:
        verified = verify_status_list_token(damaged, TRUSTED, now=NOW, expected_uri=STATUS_URI)
    except StatusListRejected:
        return
    assert damaged == STATUS_TOKEN, "a changed token passed the signature check"
    assert verified.uri == STATUS_URI


@FUZZ
@given(st.binary(max_size=400) | st.builds(cbor2.dumps, st.recursive(
    JSON_LEAVES, lambda inner: st.lists(inner, max_size=4), max_leaves=8)))  # fmt: skip
def test_arbitrary_bytes_as_status_list_files(data: bytes) -> None:
    try:
        tokens = status_list_tokens(data)
    except BadInput:
        return
    for token in tokens:
        try:
            verify_status_list_token(token, TRUSTED, now=NOW)
        except StatusListRejected:
            continue
        raise AssertionError("junk verified as a status list")


@FUZZ
@given(
    st.binary(max_size=300)
    | st.builds(lambda d: json.dumps(d).encode(), st.dictionaries(st.sampled_from(["keys", "kty"]),
                st.lists(st.dictionaries(st.sampled_from(["kty", "crv", "x", "kid", "alg"]),
                                         JSON_LEAVES, max_size=5), max_size=3)))
    | st.builds(cbor2.dumps, st.lists(st.dictionaries(st.integers(-4, 4), JSON_LEAVES, max_size=5),
                                      max_size=3)),
    st.sampled_from(["keys.cbor", "keys.json"]),
)  # fmt: skip
def test_arbitrary_issuer_key_files_are_bad_input(data: bytes, name: str) -> None:
    with contextlib.suppress(BadInput):
        issuer_keys_from_file(data, name)


# -- scopes: of a hold (counsel types it) and of a disclosure request --------------------------

SCOPE_LEAVES = JSON_LEAVES | st.lists(st.sampled_from(["application", "document_copy", "A1",
                                                       "given_name", "", "2016-12-05"]),
                                      max_size=3)  # fmt: skip


def _scopes(keys: list[str]) -> st.SearchStrategy[Any]:
    """Mostly known keys with odd values, sometimes an unknown key, sometimes not JSON."""
    known = st.dictionaries(st.sampled_from(keys), SCOPE_LEAVES, max_size=4)
    return (
        known
        | st.dictionaries(st.text(max_size=8), SCOPE_LEAVES, max_size=2)
        | st.text(max_size=80)
    )


HOLD_SCOPES = _scopes(["all", "record_classes", "enrolled_from", "enrolled_to", "centres",
                       "application_ids"])  # fmt: skip
DISCLOSURE_SCOPES = _scopes(["application_ids", "fields", "from", "to", "aggregate"])


@FUZZ
@given(HOLD_SCOPES)
def test_hold_scopes_are_parsed_or_refused_by_name(raw: Any) -> None:
    from cityid.retention.scope import BadScope, parse_scope

    with contextlib.suppress(BadScope):
        parse_scope(raw if isinstance(raw, str) else json.dumps(raw))


@FUZZ
@given(DISCLOSURE_SCOPES)
def test_disclosure_scopes_are_parsed_or_refused_by_name(raw: Any) -> None:
    from cityid.disclosure.scope import parse_scope

    with contextlib.suppress(BadInput):
        parse_scope(raw if isinstance(raw, str) else json.dumps(raw))
