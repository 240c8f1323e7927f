"""A plain hash chain over the same entries: the benchmark anchor beside the Merkle log.

    h[-1] = 32 zero bytes,  h[i] = SHA-256(h[i-1] || entry[i])

A chain detects tampering too, but proving one entry needs every entry before it, and
proving that one head extends another needs everything between them; the Merkle log
does both in O(log n). `cityid bench` times both full verifications side by side.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

GENESIS = bytes(32)


def chain_hashes(entries: Iterable[bytes], start: bytes = GENESIS) -> list[bytes]:
    """Every link hash, in order."""
    links: list[bytes] = []
    previous = start
    for entry in entries:
        previous = hashlib.sha256(previous + entry).digest()
        links.append(previous)
    return links


def chain_head(entries: Iterable[bytes], start: bytes = GENESIS) -> bytes:
    """The last link hash (`start` for no entries)."""
    head = start
    for entry in entries:
        head = hashlib.sha256(head + entry).digest()
    return head


def first_bad_link(entries: Sequence[bytes], stored_links: Sequence[bytes]) -> int | None:
    """Full verification: the first index whose recomputed link differs from the stored
    one (or where one list runs out before the other), or None when all agree."""
    previous = GENESIS
    for index, entry in enumerate(entries):
        previous = hashlib.sha256(previous + entry).digest()
        if index >= len(stored_links) or stored_links[index] != previous:
            return index
    if len(stored_links) > len(entries):
        return len(entries)
    return None
