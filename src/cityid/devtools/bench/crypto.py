"""Rates of the sealing recipe on a given keystore, for `cityid bench`.

Uses two throw-away cohort keys and one throw-away keyed-hash key, destroyed at the end
(their tombstones stay in the keystore, named "bench").
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from cityid.crypto.keystore import Keystore
from cityid.crypto.sealing import RecordSealer, SealedKey

_PLAINTEXT = b"x" * 64  # about one name or address field


def measure(keystore: Keystore, seconds: float = 1.0) -> list[dict[str, object]]:
    """[{"name", "value", "unit"}] for seal, open, re-wrap and keyed-hash rates."""
    period = uuid.uuid4().hex[:12]
    slice_s = seconds / 4
    made: list[tuple[str, SealedKey, bytes]] = []
    counter = iter(range(10**12))

    def seal_one() -> None:
        record_id = f"bench-{next(counter)}"
        with RecordSealer(keystore) as sealer:
            sealed = sealer.new_record_key("bench", period, record_id)
            blob = sealer.seal_field(sealed, record_id, "field", _PLAINTEXT)
        made.append((record_id, sealed, blob))

    opened = iter(range(10**12))

    def open_one() -> None:
        record_id, sealed, blob = made[next(opened) % len(made)]
        with RecordSealer(keystore) as sealer:  # a fresh sealer: each open unwraps
            sealer.open_field(sealed, record_id, "field", blob)

    target_key = keystore.ensure_cohort_key("bench", period + "r")
    rewrapped = iter(range(10**12))

    def rewrap_one() -> None:
        record_id, sealed, _ = made[next(rewrapped) % len(made)]
        with RecordSealer(keystore) as sealer:
            sealer.rewrap(sealed, record_id, target_key)

    hasher_key = keystore.rotate_keyed_hash("bench")
    hasher = keystore.keyed_hasher_by_id(hasher_key)

    def hash_100() -> None:
        for i in range(100):
            hasher.digest(b"ngram-%d" % i)

    try:
        results = [
            _result("crypto_seal_record", _rate(seal_one, slice_s), "records/s"),
            _result("crypto_open_record", _rate(open_one, slice_s), "records/s"),
            _result("crypto_rewrap_record_key", _rate(rewrap_one, slice_s), "keys/s"),
            _result("crypto_keyed_hash", 100 * _rate(hash_100, slice_s), "digests/s"),
        ]
    finally:
        for key_id in {made[0][1].cohort_key_id if made else None, target_key, hasher_key}:
            if key_id is not None:
                keystore.destroy(key_id)
    return results


def _rate(operation: Callable[[], None], seconds: float) -> float:
    count = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        operation()
        count += 1
        now = time.perf_counter()
        if now >= deadline:
            return count / (now - start)


def _result(name: str, value: float, unit: str) -> dict[str, object]:
    return {"name": name, "value": round(value, 1), "unit": unit}
