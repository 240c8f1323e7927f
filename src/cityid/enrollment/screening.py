"""Screening a new application for fraud signals: the port intake calls.

Enrollment defines what it asks (`IntakeScreener`) and the flags it gets back
(INTERFACE.md: `{"kind", "of", "score"}`), for a person to review; nothing is rejected
automatically. The screen runs inside the intake's unit of work, after the application
and its attestations are written, so it can see them. The signals themselves (1:N
duplicate search over keyed encodings, document reuse, address and clerk velocity) live
in `cityid.matching`, whose `MatchingScreener` the composition root (`cityid.bootstrap`)
binds to `INTAKE_SCREENER`; enrollment never imports matching.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import StrEnum
from typing import Protocol, TypedDict

import sqlalchemy as sa

from cityid.enrollment.applicant import Applicant
from cityid.enrollment.tables import applications
from cityid.runtime import ProcessService, Runtime
from cityid.store.uow import UnitOfWork


class FlagKind(StrEnum):
    """The fraud signals a flag (and the review item it opens) can name."""

    POSSIBLE_DUPLICATE = "possible_duplicate"
    DOCUMENT_REUSE = "document_reuse"
    ADDRESS_VELOCITY = "address_velocity"
    CLERK_VELOCITY = "clerk_velocity"
    MRZ_FAILURE = "mrz_failure"
    DOCUMENT_EXPIRED = "document_expired"


class IntakeChannel(StrEnum):
    """How an application came in: the clerk-velocity signal is about a person's pace."""

    DESK = "desk"  # one clerk with one applicant in front of them (the console desk)
    API = "api"  # a partner system, one application per call
    BATCH = "batch"  # a file of many (`cityid enroll`, the demo backlog): no person's pace


# Why a flagged application waits for a person, in words a supervisor reads (staff only).
FLAG_REASONS: dict[str, str] = {
    FlagKind.POSSIBLE_DUPLICATE: (
        "May be a person already enrolled (similar name, birth date and address)"
    ),
    FlagKind.DOCUMENT_REUSE: "A document already presented by another applicant",
    FlagKind.ADDRESS_VELOCITY: "Many applications at one address in a short time",
    FlagKind.CLERK_VELOCITY: "Many applications taken by one clerk in a short time",
    FlagKind.MRZ_FAILURE: "A machine-readable zone whose check digits fail",
    FlagKind.DOCUMENT_EXPIRED: "A document presented past its expiry date",
}


def flag_reason(kind: str) -> str:
    """A flag kind as a sentence; an unknown kind as itself (never hidden)."""
    return FLAG_REASONS.get(kind, kind.replace("_", " ").capitalize())


class Flag(TypedDict):
    kind: str
    of: str | None
    score: float | None


def flag(kind: FlagKind | str, of: str | None = None, score: float | None = None) -> Flag:
    """A flag as stored and printed: the kind as its plain string (JSON, the database)."""
    return {
        "kind": FlagKind(kind).value,
        "of": of,
        "score": None if score is None else round(score, 4),
    }


def mrz_failure(check_digits_valid: bool | None) -> list[Flag]:
    """Flag a machine-readable zone whose check digits fail (None: the document has none)."""
    return [flag(FlagKind.MRZ_FAILURE)] if check_digits_valid is False else []


class IntakeScreener(Protocol):
    """What intake asks of a screener: flags for the application just written (its row
    and attestations exist in `uow`); the screener may store what it needs (encodings,
    review items) in the same unit of work."""

    def screen(
        self,
        uow: UnitOfWork,
        runtime: Runtime,
        application_id: str,
        applicant: Applicant,
        *,
        clerk_id: str,
        now: dt.datetime,
        count_clerk: bool = True,
    ) -> Sequence[Flag]: ...


# A port: no default, so a runtime the composition root did not build refuses to screen
# (silently taking applications in unscreened would be worse).
INTAKE_SCREENER: ProcessService[IntakeScreener] = ProcessService("intake screener")


def screen(
    uow: UnitOfWork,
    runtime: Runtime,
    application_id: str,
    applicant: Applicant,
    channel: IntakeChannel = IntakeChannel.DESK,
) -> list[Flag]:
    """Flags for the application just written (its row and attestations exist).

    Clerk velocity counts only for the channels the policy names
    (`matching.clerk_velocity_channels`): a batch file taken in by one account in a
    minute is not one clerk rushing a queue of people.
    """
    row = uow.conn.execute(
        sa.select(applications.c.clerk_id, applications.c.created_at).where(
            applications.c.application_id == application_id
        )
    ).one()
    flags = runtime.services.get(INTAKE_SCREENER).screen(
        uow, runtime, application_id, applicant, clerk_id=row.clerk_id, now=row.created_at,
        count_clerk=channel.value in runtime.policy.matching.clerk_velocity_channels,
    )  # fmt: skip
    return list(flags)
