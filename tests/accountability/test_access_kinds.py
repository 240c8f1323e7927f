"""The resident's report names every audit action in plain words, never its code."""

from __future__ import annotations

from cityid.accountability.access_kinds import KIND_WORDS, AccessKind, kind_of


def test_reads_searches_and_refusals_keep_their_own_kind() -> None:
    assert kind_of("application.read") is AccessKind.OPENED
    assert kind_of("card.read") is AccessKind.OPENED
    assert kind_of("application.search") is AccessKind.FOUND_IN_SEARCH
    assert kind_of("access.refused") is AccessKind.REFUSED
    assert kind_of("application.create") is AccessKind.TAKEN


def test_the_rest_of_a_room_falls_into_its_family() -> None:
    assert kind_of("application.approve") is AccessKind.DECISION
    assert kind_of("notice.sent") is AccessKind.MESSAGE
    assert kind_of("code.issue") is AccessKind.MESSAGE
    assert kind_of("production.returned") is AccessKind.CARD
    assert kind_of("matching.screen") is AccessKind.COMPARED


def test_a_code_nobody_named_is_other_and_every_kind_has_words() -> None:
    assert kind_of("telepathy.read") is AccessKind.OTHER
    assert kind_of("") is AccessKind.OTHER
    assert set(KIND_WORDS) == set(AccessKind)
