""" "Who looked at my record" for the resident at /me/: reference or card number, date of
birth, then a one-time code sent to the contact on file.

A wrong reference, card or date of birth all answer the same `NotFound`; each check is
audited (codes and ids only). Only a right code opens the report, which is the same
document the desk gives (`report.report_for_application`).
"""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass

import sqlalchemy as sa

from cityid.accountability.report import AccessReport, report_for_application
from cityid.audit import log as audit_log
from cityid.cards.numbers import is_valid_card_number, normalize_card_number
from cityid.cards.tables import cards
from cityid.crypto import KeyDestroyed
from cityid.enrollment.contact import issue_code_to_contact
from cityid.enrollment.lookup import APPLICANT_SELF
from cityid.enrollment.repository import EnrollmentKeys, normalise_reference, open_text
from cityid.enrollment.tables import applications
from cityid.errors import NotFound
from cityid.notices.codes import CodeChecked, CodeIssued, CodePurpose, check_code
from cityid.runtime import Runtime
from cityid.store.uow import UnitOfWork

NOT_FOUND = "no application with that reference or card number and date of birth"


@dataclass(frozen=True)
class ReportConfirmed:
    check: CodeChecked
    report: AccessReport | None = None


def _application_of(uow: UnitOfWork, runtime: Runtime, given: str, born: dt.date) -> str:
    """The application named by reference or card number, if `born` is on file."""
    text = given.strip()
    if is_valid_card_number(text):
        row = uow.conn.execute(
            sa.select(applications)
            .join(cards, cards.c.application_id == applications.c.application_id)
            .where(cards.c.card_number == normalize_card_number(text))
        ).first()
    else:
        row = uow.conn.execute(
            sa.select(applications).where(applications.c.reference == normalise_reference(text))
        ).first()
    if row is None:
        raise NotFound(NOT_FOUND)
    try:
        with EnrollmentKeys.open(runtime.keystore) as keys:
            on_file = open_text(keys.sealer, row, "date_of_birth") or ""
    except KeyDestroyed:
        raise NotFound(NOT_FOUND) from None
    audit_log.append(
        uow, APPLICANT_SELF, "access.self_service", [row.application_id],
        reason="date_of_birth_check",
    )  # fmt: skip
    if not hmac.compare_digest(on_file.encode(), born.isoformat().encode()):
        raise NotFound(NOT_FOUND)
    return str(row.application_id)


def send_code(uow: UnitOfWork, runtime: Runtime, given: str, born: dt.date) -> CodeIssued:
    """Step one: a code to the contact on file (raises NotFound, NoContactOnFile,
    TooManyCodes)."""
    application_id = _application_of(uow, runtime, given, born)
    return issue_code_to_contact(
        uow, runtime, APPLICANT_SELF, application_id, CodePurpose.RECORD_ACCESS
    )


def confirm(
    uow: UnitOfWork, runtime: Runtime, given: str, born: dt.date, code_id: str, code: str
) -> ReportConfirmed:
    """Step two: a right code gives the report (a wrong one is answered, not raised)."""
    application_id = _application_of(uow, runtime, given, born)
    checked = check_code(
        uow, runtime, APPLICANT_SELF, code_id, code, purpose=CodePurpose.RECORD_ACCESS,
        subject_id=application_id,
    )  # fmt: skip
    if not checked.ok:
        return ReportConfirmed(checked)
    report = report_for_application(uow, runtime, APPLICANT_SELF, application_id, desk=False)
    return ReportConfirmed(checked, report)
