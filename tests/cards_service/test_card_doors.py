"""The public endpoints (keys, status lists, verify) and concurrent index allocation."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import sqlalchemy as sa
from fastapi.testclient import TestClient

from cityid.cards import service, status_changes
from cityid.cards.keys import IssuerKeys
from cityid.cards.status_list import MEDIA_TYPE, Status, verify_status_list_token
from cityid.cards.tables import cards
from cityid.store.uow import UnitOfWork
from cityid.web.app import create_app
from tests.cards_service.card_helpers import SUPERVISOR_PASSWORD
from tests.cards_service.conftest import Desk

_ISSUER_SCRIPT = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from cityid.cards import issuing
    from cityid.bootstrap import open_runtime
    from cityid.runtime import Runtime
    from cityid.operations.accounts import authenticate
    from cityid.store.uow import UnitOfWork

    runtime = open_runtime(Path(sys.argv[1]))
    with UnitOfWork(runtime.engine) as uow:
        actor = authenticate(uow, runtime.policy, "sup", sys.argv[2])
        uow.commit()
    slots = []
    for application_id in sys.argv[3:]:
        with UnitOfWork(runtime.engine) as uow:
            issued = issuing.issue(uow, runtime, actor, application_id)
            uow.commit()
        slots.append([issued.status_list, issued.status_index])
    print(json.dumps(slots))
    """
)


def test_keys_status_list_and_verify_endpoints(desk: Desk) -> None:
    number = desk.issue().card_number
    qr = desk.qr(number)
    now = dt.datetime.now(dt.UTC)
    with TestClient(create_app(desk.runtime)) as client:
        cose = client.get("/.well-known/cityid/keys")
        assert cose.status_code == 200
        assert cose.headers["content-type"].startswith("application/cose-key-set")
        keys = IssuerKeys.from_cose_key_set(cose.content)
        jwks = client.get("/.well-known/cityid/keys", headers={"Accept": "application/json"})
        assert [k["kid"] for k in jwks.json()["keys"]] == [k.decode() for k in keys.key_ids()]

        fetched = client.get("/status-lists/1")
        assert fetched.headers["content-type"].startswith(MEDIA_TYPE)
        verified = verify_status_list_token(fetched.content, keys, now=now)
        assert verified.ttl_seconds == desk.runtime.policy.card.status_list_ttl_seconds
        assert client.get("/status-lists/99").status_code == 404

        answer = client.post("/api/v1/verify", json={"qr": qr, "purpose": "age"})
        assert answer.status_code == 200 and answer.json()["result"] == "valid"
        assert set(answer.json()["claims"]) == {"photo", "over_18", "over_21"}

        desk.do(status_changes.change_status, number, "revoke", "Reported stolen")
        index = desk.do(service.get_card, number).status_index
        again = verify_status_list_token(client.get("/status-lists/1").content, keys, now=now)
        assert again.status_of(index) == Status.INVALID  # the very next list fetched
        assert client.post("/api/v1/verify", json={"qr": qr}).json()["result"] == "revoked"

        tampered = qr[:40] + ("A" if qr[40] != "A" else "B") + qr[41:]
        result = client.post("/api/v1/verify", json={"qr": tampered}).json()["result"]
        assert result in ("malformed", "bad_signature")

        codes = [client.post("/api/v1/verify", json={"qr": "x"}).status_code for _ in range(40)]
        assert codes[0] == 200 and codes[-1] == 429  # one client address, rate limited

        page = client.get("/verify")
        assert page.status_code == 200 and "/static/verify/jsQR-1.4.0.js" in page.text
        assert "<script>" not in page.text  # no inline script under the CSP


def test_two_processes_never_share_a_status_index(desk: Desk, tmp_path: Path) -> None:
    per_process = 4
    applications = [desk.new_application() for _ in range(2 * per_process)]
    env = dict(os.environ)  # the data_dir fixture put this data dir's settings here
    batches = [applications[:per_process], applications[per_process:]]
    script = [sys.executable, "-c", _ISSUER_SCRIPT, str(desk.data_dir), SUPERVISOR_PASSWORD]
    processes = [
        subprocess.Popen(
            [*script, *batch], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
        )
        for batch in batches
    ]
    slots: list[tuple[int, int]] = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err[-2000:]
        slots.extend((a, b) for a, b in json.loads(out))
    assert len(set(slots)) == 2 * per_process
    with UnitOfWork(desk.runtime.engine) as uow:
        stored = uow.conn.execute(sa.select(cards.c.status_list, cards.c.status_index)).all()
    assert len({(r.status_list, r.status_index) for r in stored}) == len(stored) == 8
