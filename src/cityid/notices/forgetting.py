"""The outbox forgets with the register: notices of destroyed applications, and the
monthly keys nobody needs any more.

Destroying an application's records must not leave its address waiting in the outbox.
`forget_subjects` runs inside the destroying transaction: each pending notice about a
destroyed application that the law does not require is withdrawn (emptied like a sent
one, never sent), and its one-time codes are deleted. A legally required notice (the
disclosure notices) still goes: the law asks for it, and delivery empties it within
the policy's retry window.

`destroy_spent_keys` destroys the cohort key of each past month of the outbox once no
row still holds a payload under it (a sent, failed or withdrawn row keeps none), so a
copy of an old database or backup holds no openable notice. A month is left alone
until a day after it ends: an intake that read the clock at midnight may still be
writing under it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from cityid.audit import log as audit_log
from cityid.notices.kinds import NoticeStatus
from cityid.notices.outbox import NOTICE_RECORD_CLASS
from cityid.notices.tables import notice_outbox, one_time_codes
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork

GRACE = dt.timedelta(days=1)  # after a month ends, before its key may go


def forget_subjects(uow: UnitOfWork, subject_ids: Sequence[str]) -> int:
    """Withdraw the pending, not legally required notices about these applications and
    delete their one-time codes, in the caller's transaction; how many were withdrawn."""
    if not subject_ids:
        return 0
    ids = list(subject_ids)
    withdrawn = uow.conn.execute(
        notice_outbox.update()
        .where(
            notice_outbox.c.subject_id.in_(ids),
            notice_outbox.c.status == str(NoticeStatus.PENDING),
            notice_outbox.c.legally_required.is_(False),
        )
        .values(
            status=str(NoticeStatus.WITHDRAWN),
            s_payload=None,
            wrapped_key=None,
            cohort_key_id=None,
            subject_id=None,
        )
    ).rowcount
    uow.conn.execute(one_time_codes.delete().where(one_time_codes.c.subject_id.in_(ids)))
    return int(withdrawn or 0)


@dataclass(frozen=True)
class KeySweep:
    destroyed: tuple[str, ...]  # key ids
    kept: int  # past months' keys a pending notice still needs


def _month_over(period: str, now: dt.datetime) -> bool:
    try:
        start = dt.datetime.strptime(period, "%Y-%m").replace(tzinfo=dt.UTC)
    except ValueError:
        return False  # not a month the outbox made: not ours to judge
    next_month = (start + dt.timedelta(days=32)).replace(day=1)
    return now >= next_month + GRACE


def _still_needed(runtime: Runtime, key_id: str) -> bool:
    with UnitOfWork(runtime.engine) as uow:
        return (
            uow.conn.execute(
                sa.select(notice_outbox.c.notice_id)
                .where(notice_outbox.c.cohort_key_id == key_id)
                .limit(1)
            ).first()
            is not None
        )


def destroy_spent_keys(runtime: Runtime, actor: Actor, now: dt.datetime) -> KeySweep:
    """Destroy each past month's outbox key that no row needs; audited per key."""
    destroyed: list[str] = []
    kept = 0
    for key in runtime.keystore.list_keys():
        record_class, _, period = key.purpose.partition("/")
        if key.kind != "cohort" or key.state == "destroyed" or record_class != NOTICE_RECORD_CLASS:
            continue
        if not _month_over(period, now):
            continue
        if _still_needed(runtime, key.key_id):
            kept += 1
            continue
        # Nothing under it, and no new row can come (its month is over): destroy, then
        # say so. Destroying is idempotent; a crash in between leaves only the entry out.
        runtime.keystore.destroy(key.key_id)
        with UnitOfWork(runtime.engine) as uow:
            audit_log.append(
                uow, actor, "notice.key_destroy", [key.key_id], reason="month_over",
                extra={"period": period},
            )  # fmt: skip
            uow.commit()
        destroyed.append(key.key_id)
    return KeySweep(tuple(destroyed), kept)
