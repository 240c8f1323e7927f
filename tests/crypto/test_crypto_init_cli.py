"""`cityid init --keystore pkcs11|local` from the command line, then signing through it."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.crypto.crypto_harness import Harness


def _cityid(harness: Harness, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "cityid",
            "--json",
            "--data-dir",
            str(harness.data_dir / "dd"),
            *args,
        ],
        capture_output=True,
        text=True,
        env=harness.env(),
        timeout=120,
    )


def test_init_with_either_keystore_then_sign_a_checkpoint(harness: Harness) -> None:
    made = _cityid(harness, "init", "--keystore", harness.backend)
    assert made.returncode == 0, made.stdout + made.stderr
    assert json.loads(made.stdout)["keystore"] == {"backend": harness.backend}

    keys = json.loads(_cityid(harness, "keys", "list").stdout)["keys"]
    purposes = {(k["kind"], k["purpose"]) for k in keys}
    assert ("signing", "card-issuer") in purposes and ("signing", "audit-checkpoint") in purposes
    assert all(set(k) >= {"key_id", "kind", "state"} for k in keys)
    assert "material" not in made.stdout and "wrapped" not in json.dumps(keys)

    checkpoint = _cityid(harness, "audit", "checkpoint")
    assert checkpoint.returncode == 0, checkpoint.stderr
    assert json.loads(checkpoint.stdout)["checkpoint"].startswith("id.nyc.example/cityid/log\n")
    verified = json.loads(_cityid(harness, "audit", "verify").stdout)
    assert verified["ok"] is True and verified["checkpoints_checked"] == 1


def test_a_wrong_secret_is_one_clear_line(harness: Harness) -> None:
    assert _cityid(harness, "init", "--keystore", harness.backend).returncode == 0
    wrong = harness.env()
    if harness.backend == "local":
        wrong["CITYID_KEYSTORE_PASSPHRASE"] = "not the passphrase"
    else:
        wrong["CITYID_PKCS11_PIN"] = "000000"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "cityid",
            "--data-dir",
            str(harness.data_dir / "dd"),
            "keys",
            "list",
        ],
        capture_output=True,
        text=True,
        env=wrong,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
