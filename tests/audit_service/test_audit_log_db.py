"""The stored audit log: same-transaction appends, proofs, tamper detection by `audit verify`."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from cityid.audit import log as audit_log
from cityid.audit import service
from cityid.audit.checkpoint import parse_and_verify
from cityid.audit.tables import audit_entries, audit_head
from cityid.bootstrap import open_runtime
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork
from cityid.web.app import create_app

CLERK = Actor(user_id="staff-clerk-1", username="clerk1", role="clerk")


def _fill(runtime: Runtime, count: int) -> None:
    """`count` entries, each followed by a signed checkpoint (so findings are exact)."""
    for i in range(count):
        with UnitOfWork(runtime.engine) as uow:
            audit_log.append(uow, CLERK, "application.read", [f"app-{i:04d}"], reason="desk_lookup")
            service.create_checkpoint(runtime, uow)
            uow.commit()


def _rfc_leaf(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def _rfc_root_from_proof(leaf: bytes, index: int, size: int, proof: list[bytes]) -> bytes:
    """RFC 9162 2.1.3.2, written here independently of cityid's verifier."""
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise AssertionError("proof too long")
        if fn & 1 or fn == sn:
            r = hashlib.sha256(b"\x01" + p + r).digest()
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = hashlib.sha256(b"\x01" + r + p).digest()
        fn >>= 1
        sn >>= 1
    assert sn == 0
    return r


@pytest.fixture
def runtime(data_dir: Path) -> Runtime:
    rt = open_runtime(data_dir)
    yield rt
    rt.close()


def test_an_entry_rolls_back_with_its_action(runtime: Runtime) -> None:
    with UnitOfWork(runtime.engine) as uow:
        before = service.log_size(uow)
        audit_log.append(uow, CLERK, "application.read", ["app-rolled-back"])
        # no commit: the action failed, so its entry must not exist either
    with UnitOfWork(runtime.engine) as uow:
        assert service.log_size(uow) == before
        count = uow.conn.execute(sa.select(sa.func.count()).select_from(audit_entries)).scalar_one()
        assert count == before


def test_inclusion_proofs_check_against_the_signed_checkpoint(
    runtime: Runtime, cli, data_dir: Path
) -> None:
    _fill(runtime, 7)
    note = cli("--json", "--data-dir", str(data_dir), "audit", "checkpoint").json["checkpoint"]
    vkey = cli("--json", "--data-dir", str(data_dir), "audit", "public-key").json["verifier_key"]
    checkpoint = parse_and_verify(note, [vkey])
    password = data_dir / "pw"
    from tests.conftest import ADMIN_PASSWORD

    password.write_text(ADMIN_PASSWORD)
    listed = cli(
        "--json",
        "--data-dir",
        str(data_dir),
        "--actor",
        "admin",
        "--password-file",
        str(password),
        "audit",
        "entries",
    ).json["entries"]
    assert len(listed) == checkpoint.size
    for item in listed:
        proof = cli(
            "--json",
            "--data-dir",
            str(data_dir),
            "audit",
            "proof",
            "inclusion",
            "--index",
            str(item["index"]),
            "--size",
            str(checkpoint.size),
        ).json
        leaf = _rfc_leaf(base64.b64decode(item["leaf"]))
        assert proof["leaf_hash"] == leaf.hex()
        root = _rfc_root_from_proof(
            leaf, item["index"], checkpoint.size, [bytes.fromhex(p) for p in proof["proof"]]
        )
        assert root == checkpoint.root


def test_audit_entries_need_the_auditor_permission(runtime: Runtime, cli, data_dir: Path) -> None:
    from cityid.operations.accounts import add_user

    with UnitOfWork(runtime.engine) as uow:
        add_user(
            uow,
            runtime.policy,
            username="clerk1",
            role="clerk",
            password="a clerk's passphrase",
            by=Actor("test-admin", "test-admin", "admin"),
        )
        uow.commit()
    password = data_dir / "clerk.pw"
    password.write_text("a clerk's passphrase")
    refused = cli(
        "--json",
        "--data-dir",
        str(data_dir),
        "--actor",
        "clerk1",
        "--password-file",
        str(password),
        "audit",
        "entries",
    )
    assert refused.code == 1
    assert refused.json["error"]["code"] == "forbidden"


def test_the_public_endpoints_serve_checkpoint_and_proofs(runtime: Runtime) -> None:
    _fill(runtime, 5)
    with TestClient(create_app(runtime), base_url="https://testserver") as client:
        note = client.get("/audit/checkpoint")
        assert note.status_code == 200
        vkeys = client.get("/audit/public-key").text.split()
        checkpoint = parse_and_verify(note.text, vkeys)
        inclusion = client.get(
            "/audit/proof/inclusion", params={"index": 2, "size": checkpoint.size}
        )
        assert inclusion.json()["root_hash"] == checkpoint.root.hex()
        consistency = client.get(
            "/audit/proof/consistency", params={"old": 3, "new": checkpoint.size}
        )
        assert consistency.json()["new_root_hash"] == checkpoint.root.hex()
        beyond = client.get("/audit/proof/inclusion", params={"index": 99})
        assert beyond.status_code == 404
        assert beyond.json()["error"]["code"] == "not_in_log"
        bad = client.get("/audit/proof/inclusion", params={"index": -1})
        assert bad.status_code == 422
        assert "index" in bad.json()["error"]["message"]


def _verify(cli, data_dir: Path) -> dict[str, object]:
    result = cli("--json", "--data-dir", str(data_dir), "audit", "verify")
    return result.json


def _rows(runtime: Runtime) -> list[sa.Row]:
    with UnitOfWork(runtime.engine, read_only=True) as uow:
        return list(uow.conn.execute(sa.select(audit_entries).order_by(audit_entries.c.idx)))


def _edit(runtime: Runtime, statement: sa.Executable) -> None:
    with runtime.engine.begin() as conn:
        conn.execute(statement)


def test_an_untouched_log_verifies(runtime: Runtime, cli, data_dir: Path) -> None:
    _fill(runtime, 6)
    result = _verify(cli, data_dir)
    assert result["ok"] is True
    assert result["first_bad_index"] is None


@pytest.mark.parametrize("tamper", ["edit", "delete", "swap", "truncate", "insert"])
def test_tampering_is_named_at_the_first_bad_index(
    runtime: Runtime, cli, data_dir: Path, tamper: str
) -> None:
    _fill(runtime, 10)
    rows = _rows(runtime)
    target = 6  # index 0 is init's own entry; 1..10 are ours
    if tamper == "edit":
        forged = rows[target].entry.replace(b"desk_lookup", b"court_order")
        _edit(
            runtime,
            audit_entries.update().where(audit_entries.c.idx == target).values(entry=forged),
        )
        expected = target
    elif tamper == "delete":
        from cityid.audit.tables import audit_targets

        _edit(runtime, audit_targets.delete().where(audit_targets.c.idx == target))
        _edit(runtime, audit_entries.delete().where(audit_entries.c.idx == target))
        expected = target
    elif tamper == "swap":
        a, b = rows[target], rows[target + 2]
        _edit(
            runtime,
            audit_entries.update()
            .where(audit_entries.c.idx == a.idx)
            .values(entry=b.entry, leaf_hash=b.leaf_hash),
        )
        _edit(
            runtime,
            audit_entries.update()
            .where(audit_entries.c.idx == b.idx)
            .values(entry=a.entry, leaf_hash=a.leaf_hash),
        )
        expected = target
    elif tamper == "truncate":
        from cityid.audit.tables import audit_targets

        _edit(runtime, audit_targets.delete().where(audit_targets.c.idx >= target))
        _edit(runtime, audit_entries.delete().where(audit_entries.c.idx >= target))
        _edit(runtime, audit_head.update().values(size=target))
        expected = target
    else:  # insert a forged entry at `target`, shifting the rest up by one
        from cityid.audit.tables import audit_targets

        _edit(runtime, audit_targets.delete().where(audit_targets.c.idx >= target))
        last = len(rows)
        for row in reversed(rows[target:]):
            _edit(
                runtime,
                audit_entries.update()
                .where(audit_entries.c.idx == row.idx)
                .values(idx=row.idx + last),
            )
        for row in rows[target:]:
            _edit(
                runtime,
                audit_entries.update()
                .where(audit_entries.c.idx == row.idx + last)
                .values(idx=row.idx + 1),
            )
        forged = rows[target].entry.replace(b"app-", b"app-9")
        _edit(
            runtime,
            audit_entries.insert().values(
                idx=target,
                entry=forged,
                leaf_hash=_rfc_leaf(forged),
                actor=rows[target].actor,
                action=rows[target].action,
                at=rows[target].at,
            ),
        )
        _edit(runtime, audit_head.update().values(size=last + 1))
        expected = target
    result = _verify(cli, data_dir)
    assert result["ok"] is False
    assert result["first_bad_index"] == expected
