"""What a notice is about and how it travels (pure names; the policy says which are
legally required)."""

from __future__ import annotations

from enum import StrEnum


class NoticeKind(StrEnum):
    BOOKING_CONFIRMED = "booking_confirmed"
    BOOKING_REMINDER = "booking_reminder"
    DECISION = "decision"
    CARD_MAILED = "card_mailed"
    CARD_READY_FOR_PICKUP = "card_ready_for_pickup"
    RENEWAL_DUE = "renewal_due"
    DISCLOSURE = "disclosure"
    ONE_TIME_CODE = "one_time_code"
    CARD_REPORTED_LOST = "card_reported_lost"


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"


class NoticeStatus(StrEnum):
    PENDING = "pending"  # waiting for its first or next attempt
    SENT = "sent"  # handed to the mail server or the SMS gateway
    FAILED = "failed"  # gave up after the policy's attempts
    # An occasion (`dedupe`) that sent nothing (opted out, no contact): kept so it is not
    # looked at again; no address, no payload.
    SUPPRESSED = "suppressed"
    # Its application was destroyed before it went: emptied like a sent one, never sent.
    WITHDRAWN = "withdrawn"


class Suppressed(StrEnum):
    """Why `enqueue` queued nothing for a channel."""

    OPTED_OUT = "opted_out"
    NO_CONTACT = "no_contact"
    DUPLICATE = "duplicate"
