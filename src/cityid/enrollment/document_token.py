"""Keyed tokens of identity documents, so reuse is caught without keeping the number.

token = HMAC-SHA-256(document-token key, type | issuing country | number), with the
number normalised the way clerks and MRZ readers differ (case, spaces, dashes, MRZ
filler). The same document presented for two applicants gives the same token; the token
alone says nothing about the number, and destroying the key makes every token inert.
"""

from __future__ import annotations

import re
import unicodedata

from cityid.crypto.interfaces import KeyedHasher
from cityid.errors import BadInput
from cityid.vocabulary import DOCUMENT_TOKEN_PURPOSE

PURPOSE = DOCUMENT_TOKEN_PURPOSE  # the keystore purpose of the keyed-hash key to use
_DOMAIN = b"cityid/document-token/v1\x00"
_SEPARATORS = re.compile(r"[\s\-./<]+")


class EmptyDocumentNumber(BadInput):
    code = "empty_document_number"


def normalise_document_number(number: str) -> str:
    """'ab 123-456<<' -> 'AB123456' (no other change: O and 0 stay different)."""
    text = unicodedata.normalize("NFKC", number).upper()
    return _SEPARATORS.sub("", text)


def document_token(hasher: KeyedHasher, doc_type: str, issuing_country: str, number: str) -> bytes:
    """32-byte keyed token of one document; raise EmptyDocumentNumber if there is no number."""
    normalised = normalise_document_number(number)
    if not normalised:
        raise EmptyDocumentNumber("the document number is empty")
    message = "\x1f".join((doc_type.strip().lower(), issuing_country.strip().upper(), normalised))
    return hasher.digest(_DOMAIN + message.encode("utf-8"))
