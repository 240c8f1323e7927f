"""Two `serve` workers and a CLI job at once, on PostgreSQL: they must not disagree.

Audit log order (concurrent appends from both workers and the CLI still verify), the
match index (a repeat applicant is caught whichever worker takes them), the status list
(every fetch after a revocation shows it) and the issuer keys (one key set for all).
Concurrent key creation in the keystore from two processes is shown by
tests/crypto/test_crypto_keystore.py::test_two_processes_creating_keys_at_once.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from cityid.cards.keys import IssuerKeys
from cityid.cards.status_list import Status, verify_status_list_token
from tests.reliability.harness import (
    cityid,
    eligible_applicants,
    init_data_dir,
    pg_address,
    postgres_schema,
    schema_url,
    serve,
    staff_token,
    workers_connected_to,
)

PASSWORD = "seven herons stand still 42"
REQUESTS_PER_THREAD = 3
THREADS = 4
CLI_BATCH = 6


def _fresh_post(url: str, token: str, path: str, body: dict[str, Any]) -> httpx.Response:
    """A new connection per request, so the kernel spreads them over both workers."""
    with httpx.Client(base_url=url, timeout=60, headers={"Connection": "close",
                      "Authorization": f"Bearer {token}"}) as client:  # fmt: skip
        return client.post(path, json=body)


def _fresh_get(url: str, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
    with httpx.Client(base_url=url, timeout=60, headers={"Connection": "close"}) as client:
        return client.get(path, headers=headers or {})


def test_two_workers_and_a_cli_job_agree(tmp_path: Path) -> None:
    with postgres_schema() as schema:
        data_dir, env = init_data_dir(tmp_path, schema_url(schema))
        secret = tmp_path / "sup.pw"
        secret.write_text(PASSWORD)
        added = cityid(env, "--data-dir", str(data_dir), "user", "add", "sup", "--role",
                       "supervisor", "--password-file", str(secret))  # fmt: skip
        assert added.returncode == 0, added.stderr
        people = eligible_applicants(THREADS * REQUESTS_PER_THREAD + CLI_BATCH + 1, seed=23)
        api_people, cli_people, repeat = (
            people[: THREADS * REQUESTS_PER_THREAD],
            people[-CLI_BATCH - 1 : -1],
            people[-1],
        )
        batch = tmp_path / "batch.jsonl"
        batch.write_text("".join(json.dumps(p) + "\n" for p in cli_people))

        with serve(data_dir, env, tmp_path / "serve.log", workers=2) as served:
            token = staff_token(served.url, "sup", PASSWORD)

            # Both workers and a CLI batch append to the audit log at the same moment.
            cli_job = subprocess.Popen(
                [sys.executable, "-m", "cityid", "--json", "--data-dir", str(data_dir),
                 "--actor", "sup", "--password-file", str(secret), "enroll", "--file", str(batch)],
                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )  # fmt: skip
            with ThreadPoolExecutor(THREADS) as pool:
                answers = list(pool.map(
                    lambda body: _fresh_post(served.url, token, "/api/v1/applications", body),
                    api_people,
                ))  # fmt: skip
            assert workers_connected_to(served.process.pid, pg_address()[1]) == 2, (
                "both workers took requests (each holds a pooled database connection)"
            )
            out, err = cli_job.communicate(timeout=180)
            assert cli_job.returncode == 0, out + err
            assert json.loads(out)["enrolled"] + json.loads(out)["flagged"] == len(cli_people)
            assert all(a.status_code == 200 and a.json()["application_id"] for a in answers), [
                a.text for a in answers if a.status_code != 200][:3]  # fmt: skip

            # The match index: the same person again is caught by whichever worker answers.
            first = _fresh_post(served.url, token, "/api/v1/applications", repeat)
            assert first.status_code == 200 and first.json()["application_id"]
            for _ in range(4):
                again = _fresh_post(served.url, token, "/api/v1/applications", repeat).json()
                kinds = {flag["kind"] for flag in again["flags"]}
                assert {"possible_duplicate", "document_reuse"} & kinds, again["flags"]

            # Status lists: a revocation is in every fetch, from either worker.
            application_id = answers[0].json()["application_id"]
            approved = _fresh_post(
                served.url, token, f"/api/v1/applications/{application_id}/approve", {}
            )
            assert approved.status_code == 200, approved.text
            card = _fresh_post(
                served.url, token, "/api/v1/cards", {"application_id": application_id}
            )
            assert card.status_code == 201, card.text
            number, index, list_no = (
                card.json()[k] for k in ("card_number", "status_index", "status_list")
            )
            revoked = _fresh_post(
                served.url, token, f"/api/v1/cards/{number}/revoke", {"reason": "stolen"}
            )
            assert revoked.status_code == 200, revoked.text
            key_sets = {
                _fresh_get(served.url, "/.well-known/cityid/keys").content for _ in range(6)
            }
            assert len(key_sets) == 1, "every worker publishes the same issuer keys"
            keys = IssuerKeys.from_cose_key_set(key_sets.pop())
            now = dt.datetime.now(dt.UTC)
            for _ in range(8):
                token_bytes = _fresh_get(served.url, f"/status-lists/{list_no}").content
                listed = verify_status_list_token(token_bytes, keys, now=now)
                assert listed.status_of(index) == Status.INVALID

        verified = cityid(env, "--data-dir", str(data_dir), "audit", "verify")
        assert verified.returncode == 0, verified.stdout + verified.stderr
        result = json.loads(verified.stdout)
        assert result["ok"] is True and result["first_bad_index"] is None
        # Every acknowledged write is in the log once: intakes, the CLI batch, the card work.
        assert result["size"] >= len(api_people) + len(cli_people) + 5 + 3
