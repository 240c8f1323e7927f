"""Asking the witnesses to cosign a checkpoint (the log's side of c2sp.org/tlog-witness).

For each registered witness: send `old <size it last cosigned for us>`, the consistency
proof from that size, and the signed checkpoint to `<url>/add-checkpoint`. A 409 names
the size the witness remembers: retried once from that size. The answer's lines are
kept only when they verify as that witness's cosignature/v1 on this checkpoint.

Witnesses are asked outside any database transaction, one after the other, each with a
short timeout; one that is down, slow or refusing is logged (its name and what went
wrong, nothing else) and costs only its cosignature: the log goes on.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import sqlalchemy as sa

from cityid.audit.checkpoint import split_note
from cityid.audit.cosignature import check_lines, parse_cosigner_vkey
from cityid.audit.service import (
    StoredCheckpoint,
    create_checkpoint,
    current_tree,
    latest_checkpoint,
    log_size,
    with_cosignatures,
)
from cityid.audit.tables import audit_cosignatures
from cityid.audit.witness_protocol import format_add_checkpoint, parse_size
from cityid.audit.witnesses import Witness, list_witnesses
from cityid.runtime import Runtime
from cityid.store.uow import UnitOfWork

log = logging.getLogger("cityid.audit.witnesses")
MAX_ANSWER_BYTES = 16 * 1024


@dataclass(frozen=True)
class WitnessOutcome:
    """`status`: cosigned, already (had cosigned it before), unreachable, refused (an
    HTTP error status), conflict (its size is not one we can prove from) or bad_answer."""

    witness: str
    status: str
    http_status: int | None = None


@dataclass(frozen=True)
class Witnessed:
    checkpoint: StoredCheckpoint
    outcomes: tuple[WitnessOutcome, ...]

    @property
    def cosigned(self) -> int:
        return sum(1 for o in self.outcomes if o.status in ("cosigned", "already"))


def witness_latest(runtime: Runtime) -> Witnessed | None:
    """Ask the witnesses that have not cosigned the latest checkpoint (the job's step)."""
    with UnitOfWork(runtime.engine, read_only=True) as uow:
        latest = latest_checkpoint(uow)
    return None if latest is None else request_cosignatures(runtime, latest)


def request_cosignatures(runtime: Runtime, checkpoint: StoredCheckpoint) -> Witnessed:
    """Ask every witness without a cosignature on `checkpoint`; store what verifies."""
    if checkpoint.checkpoint_id is None:
        raise ValueError("only a stored checkpoint can be witnessed")
    with UnitOfWork(runtime.engine, read_only=True) as uow:
        witnesses = list_witnesses(uow)
        if not witnesses:
            return Witnessed(checkpoint, ())
        done = set(
            uow.conn.execute(
                sa.select(audit_cosignatures.c.witness).where(
                    audit_cosignatures.c.checkpoint_id == checkpoint.checkpoint_id
                )
            ).scalars()
        )
        last_sizes = _last_cosigned_sizes(uow)
        tree = current_tree(runtime, uow)
    outcomes: list[WitnessOutcome] = []
    received: list[tuple[str, str]] = []
    note = checkpoint.signed_note
    text, _ = split_note(note)
    if tree.size < checkpoint.size or tree.root(checkpoint.size) != checkpoint.root:
        raise ValueError("the checkpoint is not a head of this log's tree")

    def proof_from(old: int) -> list[bytes]:
        return tree.consistency_proof(old, checkpoint.size)

    timeout = runtime.settings.witness_timeout_seconds
    with httpx.Client(timeout=timeout, follow_redirects=False) as client:
        for witness in witnesses:
            if witness.name in done:
                outcomes.append(WitnessOutcome(witness.name, "already"))
                continue
            outcome, line = _ask(
                client, witness, note, text, checkpoint.size, last_sizes, proof_from
            )
            outcomes.append(outcome)
            if line is not None:
                received.append((witness.name, line))
    if received:
        now = dt.datetime.now(dt.UTC)
        with UnitOfWork(runtime.engine) as uow:
            for name, line in received:
                uow.conn.execute(
                    audit_cosignatures.insert().values(
                        checkpoint_id=checkpoint.checkpoint_id,
                        witness=name,
                        size=checkpoint.size,
                        line=line,
                        received_at=now,
                    )
                )
            uow.commit()
    with UnitOfWork(runtime.engine, read_only=True) as uow:
        updated = with_cosignatures(uow, checkpoint)
    return Witnessed(updated, tuple(outcomes))


def _last_cosigned_sizes(uow: UnitOfWork) -> dict[str, int]:
    rows = uow.conn.execute(
        sa.select(audit_cosignatures.c.witness, sa.func.max(audit_cosignatures.c.size)).group_by(
            audit_cosignatures.c.witness
        )
    ).all()
    return {row[0]: int(row[1]) for row in rows}


def _ask(
    client: httpx.Client,
    witness: Witness,
    note: str,
    text: str,
    size: int,
    last_sizes: dict[str, int],
    proof_from: Callable[[int], list[bytes]],
) -> tuple[WitnessOutcome, str | None]:
    old = last_sizes.get(witness.name, 0)
    if old > size:
        old = 0  # we are behind what it saw of us: its 409 will say where it stands
    url = f"{witness.url}/add-checkpoint"
    retried = False
    while True:
        proof = proof_from(old)
        try:
            status_code, answer = _post(client, url, format_add_checkpoint(old, proof, note))
        except httpx.HTTPError as exc:
            log.warning("witness %s did not answer (%s)", witness.name, type(exc).__name__)
            return WitnessOutcome(witness.name, "unreachable"), None
        if status_code == 409 and not retried:
            reported = parse_size(answer)
            if reported is None or reported > size:
                log.warning("witness %s is at a size we cannot prove from", witness.name)
                return WitnessOutcome(witness.name, "conflict", 409), None
            old, retried = reported, True
            continue
        if status_code != 200:
            log.warning("witness %s refused: HTTP %d", witness.name, status_code)
            return WitnessOutcome(witness.name, "refused", status_code), None
        found = check_lines(text, answer.splitlines(), [parse_cosigner_vkey(witness.vkey)])
        status, cosignature = found[witness.vkey]
        if status != "valid" or cosignature is None:
            log.warning("witness %s answered without a valid cosignature", witness.name)
            return WitnessOutcome(witness.name, "bad_answer", 200), None
        return WitnessOutcome(witness.name, "cosigned", 200), cosignature.line


def _post(client: httpx.Client, url: str, body: bytes) -> tuple[int, str]:
    """POST and read at most `MAX_ANSWER_BYTES` of the answer (a witness's answer is a
    few signature lines; a huge one is cut short and will not verify)."""
    headers = {"Content-Type": "text/plain; charset=utf-8"}
    with client.stream("POST", url, content=body, headers=headers) as response:
        answer = bytearray()
        for chunk in response.iter_bytes():
            answer += chunk
            if len(answer) > MAX_ANSWER_BYTES:
                break
        return response.status_code, bytes(answer[:MAX_ANSWER_BYTES]).decode("utf-8", "replace")


def checkpoint_if_grown(runtime: Runtime) -> StoredCheckpoint | None:
    """The scheduled job: sign a new checkpoint when entries arrived since the last one,
    then ask every witness that has not cosigned the latest checkpoint to cosign it."""
    made: StoredCheckpoint | None = None
    with UnitOfWork(runtime.engine) as uow:
        latest = latest_checkpoint(uow)
        if latest is None or latest.size != log_size(uow):
            made = create_checkpoint(runtime, uow)
            uow.commit()
    witness_latest(runtime)
    return made
