"""Screening one application for fraud signals, and what the batch jobs share.

`screen_application` is the hook intake calls after writing the application and its
attestations (same unit of work): it encodes the applicant under the match key, searches
everyone enrolled (1:N, excluding the applicant's own earlier applications), stores the
encoding, raises the flags, and opens a review item for each. Flags never reject.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel

from cityid.audit import log as audit_log
from cityid.crypto import KeyDestroyed
from cityid.enrollment.repository import EnrollmentKeys, open_text
from cityid.enrollment.tables import applications, document_attestations
from cityid.matching import index_store, signals
from cityid.matching.dedupe import deduplicate
from cityid.matching.encoding import Encoding
from cityid.matching.reasons import reason_for_kind, score_reason
from cityid.matching.results import DedupeSummary, ReencodeSummary
from cityid.matching.signals import Flag
from cityid.matching.tables import match_encodings, review_items
from cityid.policy.model import Matching
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.staff.permissions import authorize
from cityid.store.uow import UnitOfWork

_MAX_CHAIN = 20
_TOP_K = 10
_MATCHED_FIELDS = {"given_name", "family_name", "date_of_birth", "address"}


@dataclass(frozen=True)
class ReviewSeed:
    """A review item to open: which applications, which signal, how strong, and why."""

    application_id: str
    other_application_id: str | None
    kind: str
    score: float | None
    reasons: list[str]


def screen_application(
    uow: UnitOfWork,
    runtime: Runtime,
    application_id: str,
    applicant: BaseModel | Mapping[str, Any],
    *,
    clerk_id: str,
    now: dt.datetime,
    also_review: Sequence[Mapping[str, Any]] = (),
    count_clerk: bool = True,
) -> list[Flag]:
    """Flags for the application just written; its encoding is stored, review items opened.

    `count_clerk` False leaves clerk velocity out (a batch intake is no clerk's pace).

    `also_review` are flags the caller raised itself (intake's `mrz_failure`): they get
    review items too but are not returned again.
    """
    rules = runtime.policy.matching
    person = (
        applicant.model_dump(include=_MATCHED_FIELDS)
        if isinstance(applicant, BaseModel)
        else dict(applicant)
    )
    encoder = index_store.encoder_for(runtime)
    queries = [encoder.encode(person), encoder.encode_swapped(person)]
    own = own_chain(uow, application_id)
    # Reserve the encoding's seq *before* searching: that locks the match head until
    # commit, so two intakes of one person at the same moment screen one after the
    # other, and the second one's search sees the first one's committed encoding.
    seq = index_store.next_seqs(uow)
    matches = index_store.search(
        runtime, uow, queries, top_k=_TOP_K, threshold=rules.duplicate_threshold, exclude=own
    )
    index_store.store_encoding(uow, application_id, queries[0], seq=seq)

    moment = _utc(now)
    flags: list[Flag] = []
    flags.extend(signals.possible_duplicates(matches, rules, applicant_id=application_id))
    flags.extend(
        signals.document_reuse(
            (h for h in _token_holders(uow, application_id) if h not in own),
            applicant_id=application_id,
        )
    )
    at_address, by_clerk = _recent_nearby(uow, application_id, clerk_id, moment, rules)
    flags.extend(signals.address_velocity(at_address, moment, rules))
    if count_clerk:  # a batch intake is not one clerk at a desk
        flags.extend(signals.clerk_velocity(by_clerk, moment, rules))

    raised = [signals.flag(str(f["kind"]), f.get("of"), f.get("score")) for f in also_review]
    seeds = [seed_for(application_id, f, rules.duplicate_threshold) for f in [*flags, *raised]]
    opened = open_review_items(uow, seeds)
    audit_log.append(
        uow,
        Actor(user_id=clerk_id, username=clerk_id, role=None),  # the intake that asked
        "matching.screen",
        [application_id, *sorted({f["of"] for f in flags if f["of"]})],
        reason="intake",
        extra={"flags": len(flags), "review_items": opened, "key_id": encoder.key_id},
    )
    return flags


# --- the facts each signal needs ---------------------------------------------------------


def own_chain(uow: UnitOfWork, application_id: str) -> set[str]:
    """This application and the earlier ones it renews, replaces or updates."""
    chain = {application_id}
    current: str | None = application_id
    for _ in range(_MAX_CHAIN):
        current = uow.conn.execute(
            sa.select(applications.c.previous_application_id).where(
                applications.c.application_id == current
            )
        ).scalar()
        if current is None or current in chain:
            break
        chain.add(current)
    return chain


def _token_holders(uow: UnitOfWork, application_id: str) -> list[str]:
    # A caretaker's documents are not the applicant's: a parent shows the same passport
    # for each of their children, which is no reuse.
    own = document_attestations.c.holder == "applicant"
    mine = sa.select(document_attestations.c.token).where(
        document_attestations.c.application_id == application_id, own
    )
    return list(
        uow.conn.execute(
            sa.select(document_attestations.c.application_id)
            .where(
                document_attestations.c.token.in_(mine),
                document_attestations.c.application_id != application_id,
                own,
            )
            .distinct()
        ).scalars()
    )


def _recent_nearby(
    uow: UnitOfWork, application_id: str, clerk_id: str, now: dt.datetime, rules: Matching
) -> tuple[list[dt.datetime], list[dt.datetime]]:
    """Other applications' times at the same address (within address_window_days) and by
    the same clerk (within clerk_window_minutes), in one statement.

    A velocity rule only needs to know whether its limit is reached, so each half reads
    at most its limit of rows, newest first: a busy clerk costs one short read.
    """
    a = applications.c
    mine = sa.select(a.address_key).where(a.application_id == application_id)
    halves = []
    for label, where, since, enough in (
        ("address", a.address_key.in_(mine), now - dt.timedelta(days=rules.address_window_days),
         rules.address_max_applications),
        ("clerk", a.clerk_id == clerk_id, now - dt.timedelta(minutes=rules.clerk_window_minutes),
         rules.clerk_max_applications),
    ):  # fmt: skip
        half = (
            sa.select(sa.literal(label).label("near"), a.created_at)
            .where(where, a.application_id != application_id)
            .where(a.created_at >= since, a.created_at <= now)
            .order_by(a.created_at.desc())
            .limit(enough)
            .subquery()
        )
        halves.append(sa.select(half.c.near, half.c.created_at))
    found: dict[str, list[dt.datetime]] = {"address": [], "clerk": []}
    for near, created_at in uow.conn.execute(sa.union_all(*halves)):
        found[str(near)].append(_utc(created_at))
    for times in found.values():
        times.sort(reverse=True)
    return found["address"], found["clerk"]


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


# --- the review queue's intake side -----------------------------------------------------


def seed_for(application_id: str, flag: Flag, threshold: float) -> ReviewSeed:
    reasons = [reason_for_kind(flag["kind"])]
    if flag["score"] is not None:
        reasons.append(score_reason(threshold))
    return ReviewSeed(application_id, flag["of"], flag["kind"], flag["score"], reasons)


def new_item_id() -> str:
    return f"rev-{secrets.token_hex(10)}"


def open_review_items(uow: UnitOfWork, seeds: Sequence[ReviewSeed], source: str = "intake") -> int:
    """Open one item per seed unless the same pair and kind is already queued (any order)."""
    fresh = [s for s in seeds if not _already_queued(uow, s)]
    if not fresh:
        return 0
    stamp = dt.datetime.now(dt.UTC)
    uow.conn.execute(
        review_items.insert(),
        [
            {
                "item_id": new_item_id(),
                "application_id": s.application_id,
                "other_application_id": s.other_application_id,
                "kind": s.kind,
                "score": s.score,
                "reasons": json.dumps(s.reasons),
                "source": source,
                "status": "open",
                "decision": None,
                "decided_by": None,
                "decided_at": None,
                "created_at": stamp,
            }
            for s in fresh
        ],
    )
    return len(fresh)


def _already_queued(uow: UnitOfWork, seed: ReviewSeed) -> bool:
    if seed.other_application_id is None:
        return False  # counting signals: each application gets its own item
    a, b = seed.application_id, seed.other_application_id
    c = review_items.c
    found = uow.conn.execute(
        sa.select(c.item_id)
        .where(
            c.kind == seed.kind,
            sa.or_(
                sa.and_(c.application_id == a, c.other_application_id == b),
                sa.and_(c.application_id == b, c.other_application_id == a),
            ),
        )
        .limit(1)
    ).first()
    return found is not None


def queued_pairs(uow: UnitOfWork, kind: str) -> set[frozenset[str]]:
    """Every pair already in the queue for a kind (for batch jobs that must not repeat)."""
    c = review_items.c
    rows = uow.conn.execute(
        sa.select(c.application_id, c.other_application_id).where(
            c.kind == kind, c.other_application_id.is_not(None)
        )
    )
    return {frozenset((r.application_id, r.other_application_id)) for r in rows}


def flags_of(items: Iterable[ReviewSeed]) -> list[Flag]:
    return [signals.flag(s.kind, s.other_application_id, s.score) for s in items]


# --- batch jobs: the whole register ----------------------------------------------------

Progress = Callable[[str, int, int], None]  # (stage, done, total)
_CHUNK = 500


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


def _may_run_jobs(runtime: Runtime, actor: Actor, permission: str) -> None:
    """Scheduled jobs run as `system`; a person needs the permission named."""
    if not actor.is_system:
        authorize(runtime.policy, actor, permission)


def deduplicate_register(
    runtime: Runtime, actor: Actor, progress: Progress = _no_progress
) -> DedupeSummary:
    """Score every pair of enrolled applications sharing a blocking token; queue new hits.

    Works on encodings only (nothing is decrypted). Pairs already in the queue, and an
    application with the one it renews, are not queued again.
    """
    _may_run_jobs(runtime, actor, "review.read")
    started = time.perf_counter()
    threshold = runtime.policy.matching.duplicate_threshold
    key_id = index_store.encoder_for(runtime).key_id
    progress("loading encodings", 0, 1)
    with index_store.shared_index(runtime, key_id) as index:
        progress("loading encodings", 1, 1)
        progress("scoring pairs", 0, 1)
        result = deduplicate(index, threshold)
        enrolled = len(index)
        progress("scoring pairs", 1, 1)
    with UnitOfWork(runtime.engine, read_only=True) as uow:
        known = queued_pairs(uow, "possible_duplicate") | _chain_pairs(uow)
    fresh = [p for p in result.pairs if frozenset(p[:2]) not in known]
    opened = 0
    for start in range(0, len(fresh), _CHUNK):
        chunk = fresh[start : start + _CHUNK]
        seeds = [
            ReviewSeed(b, a, "possible_duplicate", round(score, 4),
                       [reason_for_kind("possible_duplicate"), score_reason(threshold)])
            for a, b, score in chunk
        ]  # fmt: skip
        with UnitOfWork(runtime.engine) as uow:
            opened += open_review_items(uow, seeds, source="dedupe")
            uow.commit()
        progress("queueing pairs", start + len(chunk), len(fresh))
    summary = DedupeSummary(
        enrolled=enrolled,
        compared=result.compared,
        pairs=len(result.pairs),
        opened=opened,
        already_queued=len(result.pairs) - len(fresh),
        oversized_blocks=result.oversized_blocks,
        seconds=round(time.perf_counter() - started, 3),
        key_id=key_id,
    )
    with UnitOfWork(runtime.engine) as uow:
        counted = ("enrolled", "compared", "pairs", "opened", "already_queued")
        audit_log.append(
            uow,
            actor,
            "matching.dedupe",
            [],
            reason="batch_self_dedupe",
            extra={k: int(getattr(summary, k)) for k in counted} | {"key_id": key_id},
        )
        uow.commit()
    return summary


def _chain_pairs(uow: UnitOfWork) -> set[frozenset[str]]:
    rows = uow.conn.execute(
        sa.select(applications.c.application_id, applications.c.previous_application_id).where(
            applications.c.previous_application_id.is_not(None)
        )
    )
    return {frozenset((r.application_id, r.previous_application_id)) for r in rows}


def reencode_register(
    runtime: Runtime, actor: Actor, progress: Progress = _no_progress, *, everything: bool = False
) -> ReencodeSummary:
    """Re-encode every application under the active match key, from its sealed fields.

    Run after `cityid keys rotate --kind keyed-hash`. Resumable: applications already
    encoded under the active key are skipped (unless `everything`). Records whose keys are
    destroyed, and encodings whose application is gone, are removed. Each chunk of reads
    is audited ("matching.reencode") and committed with its writes.
    """
    _may_run_jobs(runtime, actor, "keys.manage")
    encoder = index_store.encoder_for(runtime)
    c, e = applications.c, match_encodings.c
    with UnitOfWork(runtime.engine, read_only=True) as uow:
        ids = list(
            uow.conn.execute(sa.select(c.application_id).order_by(c.application_id)).scalars()
        )
        current = set(
            uow.conn.execute(
                sa.select(e.application_id).where(e.key_id == encoder.key_id, e.removed.is_(False))
            ).scalars()
        )
        orphans = list(
            uow.conn.execute(
                sa.select(e.application_id).where(
                    e.removed.is_(False), e.application_id.not_in(sa.select(c.application_id))
                )
            ).scalars()
        )
    todo = ids if everything else [i for i in ids if i not in current]
    encoded = gone = 0
    progress("re-encoding", 0, len(todo))
    with EnrollmentKeys.open(runtime.keystore) as keys:
        for start in range(0, len(todo), _CHUNK):
            chunk = todo[start : start + _CHUNK]
            with UnitOfWork(runtime.engine) as uow:
                rows = uow.conn.execute(
                    sa.select(applications).where(c.application_id.in_(chunk))
                ).all()
                fresh: list[tuple[str, Encoding]] = []
                destroyed: list[str] = []
                for row in rows:
                    try:
                        fresh.append(
                            (row.application_id, encoder.encode(_sealed_person(keys, row)))
                        )
                    except KeyDestroyed:
                        destroyed.append(row.application_id)
                index_store.store_encodings(uow, fresh)
                gone += index_store.remove_encodings(uow, destroyed)
                audit_log.append(
                    uow,
                    actor,
                    "matching.reencode",
                    [r.application_id for r in rows],
                    reason="match_key_rotation",
                    extra={
                        "encoded": len(fresh),
                        "destroyed": len(destroyed),
                        "key_id": encoder.key_id,
                    },
                )
                uow.commit()
            encoded += len(fresh)
            progress("re-encoding", start + len(chunk), len(todo))
    if orphans:
        with UnitOfWork(runtime.engine) as uow:
            gone += index_store.remove_encodings(uow, orphans)
            audit_log.append(
                uow, actor, "matching.remove", [], reason="record_gone",
                extra={"removed": len(orphans)},
            )  # fmt: skip
            uow.commit()
    return ReencodeSummary(
        key_id=encoder.key_id,
        applications=len(ids),
        encoded=encoded,
        skipped_current=len(ids) - len(todo),
        removed=gone,
    )


def _sealed_person(keys: EnrollmentKeys, row: Any) -> dict[str, Any]:
    """The matched fields of a stored application, opened from their sealed columns."""
    return {
        "given_name": open_text(keys.sealer, row, "given_name") or "",
        "family_name": open_text(keys.sealer, row, "family_name") or "",
        "date_of_birth": open_text(keys.sealer, row, "date_of_birth") or "",
        "address": json.loads(open_text(keys.sealer, row, "address") or "{}"),
    }
