"""One backlog line turned into rows: an application, its attestations and its copies.

The rows are sealed with record keys opened in a `RecordKeyBatch`; their
`cohort_key_id` and `wrapped_key` stay None until the batch's keys are wrapped
(legacy_import fills them in). A line that cannot be read raises `BadLine` or
`InvalidApplicant` and adds nothing to `Rows`.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cityid.crypto.sealing import RecordKeyBatch, seal_field
from cityid.enrollment import cohorts
from cityid.enrollment.applicant import Applicant, parse_applicant
from cityid.enrollment.document_token import document_token
from cityid.enrollment.eligibility import EligibilityDecision, decide
from cityid.enrollment.photo import ProcessedPhoto
from cityid.enrollment.repository import (
    EnrollmentKeys,
    address_key,
    blind_index,
    document_token_purpose,
    new_id,
    new_reference,
    personal_fields,
)
from cityid.enrollment.service import check_photo
from cityid.errors import BadInput
from cityid.retention.schedule import enrollment_month
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.vocabulary import ADDRESS_KEY_PURPOSE, BLIND_INDEX_PURPOSE

DATE_CACHE_SIZE = 50_000
STATUSES = ("submitted", "approved", "issued", "rejected", "withdrawn")


def _json_object(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        raise BadLine("(line): not valid JSON") from None
    if not isinstance(data, dict):
        raise BadLine("(line): not a JSON object")
    return data


class BadLine(BadInput):
    code = "bad_line"


@dataclass
class Rows:
    applications: list[dict[str, Any]] = field(default_factory=list)
    attestations: list[dict[str, Any]] = field(default_factory=list)
    copies: list[dict[str, Any]] = field(default_factory=list)


# (application due, application period, copy due, copy period, attestation due)
_Dates = tuple[dt.date | None, str, dt.date, str, dt.date | None]


class LineImporter:
    """Turns one line into rows; shares the sealer and hashers across the whole file."""

    def __init__(self, runtime: Runtime, actor: Actor, keys: EnrollmentKeys, base: Path) -> None:
        self.runtime = runtime
        self.policy = runtime.policy
        self.actor = actor
        self.keys = keys
        self.base = base
        self.blind = keys.hasher(BLIND_INDEX_PURPOSE)
        self.address = keys.hasher(ADDRESS_KEY_PURPOSE)
        self.token = keys.hasher(document_token_purpose())
        self.record_keys = RecordKeyBatch(keys.keystore)
        self._date_cache: dict[tuple[dt.date, dt.date | None], _Dates] = {}

    def _enrolled_on(self, data: dict[str, Any]) -> dt.date:
        try:
            return dt.date.fromisoformat(str(data["enrolled_on"]))
        except KeyError:
            raise BadLine("enrolled_on: required") from None
        except ValueError:
            raise BadLine("enrolled_on: must be a date YYYY-MM-DD") from None

    def _copy(self, raw_doc: Any) -> bytes | None:
        if not isinstance(raw_doc, dict):
            return None
        if raw_doc.get("copy_b64") is not None:
            try:
                return base64.b64decode(str(raw_doc["copy_b64"]), validate=True)
            except (binascii.Error, ValueError):
                raise BadLine("documents: copy_b64 is not base64") from None
        name = raw_doc.get("copy_file")
        if name is None:
            return None
        path = (self.base / str(name)).resolve()
        if self.base not in path.parents:
            raise BadLine("documents: copy_file must be a file beside the JSON lines file")
        try:
            return path.read_bytes()
        except OSError:
            raise BadLine("documents: copy_file cannot be read") from None

    def _dates(self, enrolled_on: dt.date, card_expires_on: dt.date | None) -> _Dates:
        """Due dates and cohort periods: the same few hundred dates recur across a file."""
        key = (enrolled_on, card_expires_on)
        found = self._date_cache.get(key)
        if found is not None:
            return found
        policy = self.policy
        app_due = (
            cohorts.due_after_card(policy, "application", card_expires_on)
            if card_expires_on
            else None
        )
        period = (
            cohorts.period_of(app_due, policy.schedule_for("application"))
            if app_due
            else cohorts.application_period(enrolled_on)
        )
        attestation_due = (
            cohorts.due_after_card(policy, "document_attestation", card_expires_on)
            if card_expires_on
            else None
        )
        found = (
            app_due,
            period,
            cohorts.document_copy_due(policy, enrolled_on),
            enrollment_month(enrolled_on),
            attestation_due,
        )
        if len(self._date_cache) >= DATE_CACHE_SIZE:
            self._date_cache.clear()  # a bound on memory; the common dates come back at once
        self._date_cache[key] = found
        return found

    def rows(self, text: str, out: Rows) -> tuple[str, int]:
        """Append one line's rows to `out`: its application id and how many copies it had."""
        data = _json_object(text)
        enrolled_on = self._enrolled_on(data)
        applicant = parse_applicant(data, self.policy, enrolled_on)
        raw_docs = data.get("documents") or []
        scans = [self._copy(doc) for doc in raw_docs]
        photo = check_photo(applicant)
        decision = decide(applicant, self.policy, enrolled_on)
        status = data.get("status") if data.get("status") in STATUSES else "approved"
        expires = data.get("card_expires_on")
        card_expires_on = dt.date.fromisoformat(expires) if isinstance(expires, str) else None

        application_id = new_id("app")
        app_due, period, copy_due, copy_period, attestation_due = self._dates(
            enrolled_on, card_expires_on
        )
        stamp = dt.datetime.now(dt.UTC)
        out.applications.append(
            self._application_row(
                application_id, applicant, decision, photo, status, enrolled_on,
                card_expires_on, app_due, period, stamp,
            )
        )  # fmt: skip
        copies = self._document_rows(
            out, application_id, applicant, decision, scans, enrolled_on,
            copy_due, copy_period, attestation_due, stamp,
        )  # fmt: skip
        return application_id, copies

    def _application_row(
        self,
        application_id: str,
        applicant: Applicant,
        decision: EligibilityDecision,
        photo: ProcessedPhoto | None,
        status: Any,
        enrolled_on: dt.date,
        card_expires_on: dt.date | None,
        app_due: dt.date | None,
        period: str,
        stamp: dt.datetime,
    ) -> dict[str, Any]:
        """The sealed application row; its cohort key is filled in when the batch is wrapped."""
        opened = self.record_keys.new_key("application", period, application_id)
        plain = personal_fields(applicant)
        if photo is not None:
            plain["photo"] = photo.portrait_jpeg
            plain["face"] = photo.face_webp
        row: dict[str, Any] = {
            "application_id": application_id,
            "reference": new_reference(),
            "status": status,
            "app_type": "new",
            "previous_application_id": None,
            "centre": applicant.centre,
            "clerk_id": self.actor.user_id,
            "created_at": stamp,
            "updated_at": stamp,
            "enrolled_on": enrolled_on,
            "cohort_key_id": None,  # both filled in when the batch's keys are wrapped
            "wrapped_key": None,
            "due_on": app_due,
            "card_expires_on": card_expires_on,
            "blind_index": blind_index(
                self.blind, applicant.family_name, applicant.given_name, applicant.date_of_birth
            ),
            "blind_key_id": self.blind.key_id,
            "address_key": address_key(self.address, applicant),
            "identity_points": decision.identity_points,
            "residency_points": decision.residency_points,
            "total_points": decision.total_points,
            "notes": json.dumps(decision.notes),
            "flags": "[]",
        }
        for name in ("given_name", "family_name", "date_of_birth", "address", "contact",
                     "options", "language", "photo", "face"):  # fmt: skip
            value = plain.get(name)
            row[f"s_{name}"] = (
                None if value is None else seal_field(opened, application_id, name, value)
            )
        return row

    def _document_rows(
        self,
        out: Rows,
        application_id: str,
        applicant: Applicant,
        decision: EligibilityDecision,
        scans: list[bytes | None],
        enrolled_on: dt.date,
        copy_due: dt.date,
        copy_period: str,
        attestation_due: dt.date | None,
        stamp: dt.datetime,
    ) -> int:
        """One attestation per document, and a sealed copy where a scan came: copies added."""
        copies = 0
        for points, doc, scan in zip(
            decision.document_points, applicant.documents, scans, strict=True
        ):
            attestation_id = new_id("att")
            out.attestations.append(
                {
                    "attestation_id": attestation_id,
                    "application_id": application_id,
                    "position": points.index,
                    "doc_type": doc.type,
                    "issuing_country": doc.issuing_country,
                    "identity_points": points.identity_points,
                    "residency_points": points.residency_points,
                    "points": points.points,
                    "outcome": "counted" if points.counted else "not_counted",
                    "mrz_checked": False,
                    "verifier_id": self.actor.user_id,
                    "verified_at": stamp,
                    "token": document_token(
                        self.token, doc.type, doc.issuing_country, doc.number
                    ).hex(),
                    "token_key_id": self.token.key_id,
                    "copy_status": "retained" if scan is not None else "not_retained",
                    "due_on": attestation_due,
                }
            )
            if scan is None:
                continue
            copy_id = new_id("doc")
            copy_key = self.record_keys.new_key("document_copy", copy_period, copy_id)
            out.copies.append(
                {
                    "copy_id": copy_id,
                    "attestation_id": attestation_id,
                    "application_id": application_id,
                    "enrolled_on": enrolled_on,
                    "cohort_key_id": None,
                    "wrapped_key": None,
                    "due_on": copy_due,
                    "s_image": seal_field(copy_key, copy_id, "image", scan),
                    "created_at": stamp,
                }
            )
            copies += 1
        return copies
