"""Card verification against raw Ed25519 verification, on a loaded machine.

    PYTHONPATH=src .venv/bin/python scripts/card_verify_ratio.py

The same card and status list as `cityid bench --only cards` (devtools/bench/cards.py);
the card's verification and one raw Ed25519 verify (OpenSSL through `cryptography`, and
libsodium through PyNaCl, which the verifier uses) measured in turn, in this process's
CPU time (time spent waiting for the other processes' turn is not counted), best of 9
rounds of 1000. Prints the ratios: how close a card's whole check comes to the one
signature check it cannot avoid.
"""

from __future__ import annotations

import time
import timeit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from nacl.signing import VerifyKey

from cityid.cards.credential import encode_qr_text, issue_credential
from cityid.cards.status_list import StatusList, sign_status_list
from cityid.cards.verify import Result, Verifier
from cityid.crypto._primitives import Ed25519Signer, new_ed25519
from cityid.devtools.bench.cards import _NOW, _STATUS_URI, typical_card


def main() -> None:
    private, public = new_ed25519()
    signer = Ed25519Signer("card-issuer-bench", private)
    token = issue_credential(typical_card(), signer, _NOW)
    text = encode_qr_text(token)
    statuses = sign_status_list(
        StatusList(1_500_000, bits=2), uri=_STATUS_URI, signer=signer, now=_NOW,
        ttl_seconds=86_400,
    )  # fmt: skip
    verifier = Verifier([(signer.key_id, public)], [statuses], now=_NOW)
    if verifier.verify(text, now=_NOW).result is not Result.VALID:
        raise SystemExit("the benchmark card does not verify")
    openssl, sodium = Ed25519PublicKey.from_public_bytes(public), VerifyKey(public)
    message = b"x" * len(token)
    signature = signer.sign(message)
    checks = {
        "card": lambda: verifier.verify(text, now=_NOW),
        "openssl": lambda: openssl.verify(signature, message),
        "libsodium": lambda: sodium.verify(message, signature),
    }
    best = dict.fromkeys(checks, float("inf"))
    for _ in range(9):
        for name, check in checks.items():
            seconds = timeit.timeit(check, number=1000, timer=time.process_time) / 1000
            best[name] = min(best[name], seconds)
    print(
        f"card {best['card'] * 1e6:.1f} us, raw verify: openssl {best['openssl'] * 1e6:.1f} us, "
        f"libsodium {best['libsodium'] * 1e6:.1f} us; card/openssl "
        f"{best['openssl'] / best['card']:.3f}, card/libsodium "
        f"{best['libsodium'] / best['card']:.3f}"
    )


if __name__ == "__main__":
    main()
