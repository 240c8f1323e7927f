"""Faults a city will meet: the database gone in the middle of a write, and a verifier
whose cached status list is damaged.

The third fault of issue 11, the keystore's disk full during a write, is shown by
tests/crypto/test_crypto_keystore.py::test_full_disk_gives_a_clear_error_and_keeps_the_old_file
(a child process under RLIMIT_FSIZE): not repeated here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from cityid.store import make_engine
from tests.reliability.harness import (
    CuttableProxy,
    cityid,
    eligible_applicants,
    init_data_dir,
    pg_address,
    postgres_schema,
    schema_url,
    serve,
    staff_token,
)

CLERK_PASSWORD = "a clerk's long passphrase 1"


def _counts(url: str) -> tuple[int, int]:
    engine = make_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            applications = conn.execute(sa.text("SELECT count(*) FROM applications")).scalar_one()
            entries = conn.execute(sa.text("SELECT count(*) FROM audit_entries")).scalar_one()
        return int(applications), int(entries)
    finally:
        engine.dispose()


def test_database_gone_mid_write_is_a_clear_503_and_nothing_half_written(tmp_path: Path) -> None:
    proxy = CuttableProxy(pg_address()).start()
    try:
        with postgres_schema() as schema:
            direct = schema_url(schema)
            data_dir, env = init_data_dir(tmp_path, direct)
            secret = tmp_path / "clerk.pw"
            secret.write_text(CLERK_PASSWORD)
            added = cityid(env, "--data-dir", str(data_dir), "user", "add", "clerk1",
                           "--role", "clerk", "--password-file", str(secret))  # fmt: skip
            assert added.returncode == 0, added.stderr
            env["CITYID_DATABASE_URL"] = schema_url(schema, via_port=proxy.port)
            env["CITYID_CHECKPOINT_INTERVAL_SECONDS"] = "0"
            first, second, third = eligible_applicants(3, seed=11)
            with serve(data_dir, env, tmp_path / "serve.log") as served:
                token = staff_token(served.url, "clerk1", CLERK_PASSWORD)
                api = httpx.Client(base_url=served.url, timeout=60,
                                   headers={"Authorization": f"Bearer {token}"})  # fmt: skip
                ok = api.post("/api/v1/applications", json=first)
                assert ok.status_code == 200 and ok.json()["application_id"], ok.text
                before = _counts(direct)

                # The app has sent its INSERTs; the COMMIT never reaches PostgreSQL.
                proxy.arm_cut_at(b"COMMIT")
                gone = api.post("/api/v1/applications", json=second)
                assert proxy.cut_count == 1, "the cut happened during the write"
                assert gone.status_code == 503, gone.text
                assert gone.json()["error"]["code"] == "unavailable"
                assert "Traceback" not in gone.text and second["family_name"] not in gone.text
                assert _counts(direct) == before, "nothing of the lost write is in the database"

                # While it stays down, every request is a clear 503, not a hang or a 500.
                down = api.post("/api/v1/applications", json=second)
                assert down.status_code == 503 and down.json()["error"]["code"] == "unavailable"

                proxy.restore()  # the database is back: the service recovers by itself
                again = api.post("/api/v1/applications", json=third)
                assert again.status_code == 200 and again.json()["application_id"], again.text
                assert _counts(direct)[0] == before[0] + 1
                api.close()
            verified = cityid(env | {"CITYID_DATABASE_URL": direct}, "--data-dir", str(data_dir),
                              "audit", "verify")  # fmt: skip
            assert verified.returncode == 0, verified.stdout + verified.stderr
            assert verified.stdout and '"ok": true' in verified.stdout.replace("\n", " ")
    finally:
        proxy.stop()


def _approved_application(data_dir: Path) -> str:
    """One eligible synthetic applicant taken in and approved by a supervisor."""
    from cityid.bootstrap import open_runtime
    from cityid.enrollment import service as enrollment
    from cityid.enrollment import transitions
    from cityid.operations.accounts import add_user
    from cityid.staff.actor import Actor
    from cityid.store.uow import UnitOfWork

    runtime = open_runtime(data_dir)
    try:
        today = runtime.today()
        with UnitOfWork(runtime.engine) as uow:
            actor = add_user(uow, runtime.policy, username="sup", role="supervisor",
                             password=CLERK_PASSWORD, by=Actor("t", "t", "admin"))  # fmt: skip
            request = enrollment.parse_request(eligible_applicants(1, seed=5)[0], runtime, today)
            outcome = enrollment.intake(uow, runtime, actor, request)
            assert outcome.application_id, outcome.reasons
            transitions.approve(uow, runtime, actor, outcome.application_id)
            uow.commit()
        return str(outcome.application_id)
    finally:
        runtime.close()


def test_a_corrupted_status_list_cache_never_lets_a_revoked_card_pass(
    sqlite_data_dir: Path, cli: Any, tmp_path: Path
) -> None:
    """An offline verifier's cached status list file, damaged byte by byte."""
    data_dir = sqlite_data_dir
    secret = tmp_path / "sup.pw"
    secret.write_text(CLERK_PASSWORD)
    base = ("--json", "--data-dir", str(data_dir), "--actor", "sup", "--password-file", str(secret))
    application_id = _approved_application(data_dir)
    issued = cli(*base, "card", "issue", application_id)
    assert issued.code == 0, issued.out + issued.err
    number = issued.json["card_number"]
    qr = cli(*base, "card", "qr", number).json["qr"]
    keys, cache = tmp_path / "keys.cbor", tmp_path / "status.cbor"
    assert cli(*base, "keys", "export-public", "--out", str(keys)).code == 0
    assert cli(*base, "card", "revoke", number, "--reason", "reported stolen").code == 0
    assert cli(*base, "status-list", "export", "--out", str(cache)).code == 0

    def offline_verify() -> Any:
        return cli("--json", "verify", qr, "--keys", str(keys), "--status-list", str(cache))

    assert offline_verify().json["result"] == "revoked"
    good = cache.read_bytes()
    refused = revoked = 0
    total = 0
    damaged_copies = [good[:at] + bytes([good[at] ^ 0x41]) + good[at + 1 :]
                      for at in range(0, len(good), max(1, len(good) // 60))]  # fmt: skip
    for damaged in [*damaged_copies, good[: len(good) // 2], b"", b"\x00" * len(good)]:
        cache.write_bytes(damaged)
        total += 1
        answer = offline_verify()
        if answer.code == 1:
            assert answer.json["error"]["code"] and "Traceback" not in answer.err
            refused += 1
        else:
            assert answer.code == 0 and answer.json["result"] != "valid", damaged.hex()
            revoked += answer.json["result"] == "revoked"
    assert refused + revoked == total, "each damaged cache is refused or still says revoked"
    assert refused >= len(damaged_copies) // 2, "damage is refused, not silently ignored"
