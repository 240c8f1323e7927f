"""Address velocity through intake: more applications at one dwelling than the policy allows."""

from __future__ import annotations

import datetime as dt

from cityid.enrollment import service
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork
from tests.enrollment_service.helpers import applicant_line

NAMES = [
    ("Amara", "Okafor"), ("Jun", "Watanabe"), ("Lucia", "Benitez"), ("Pavel", "Novak"),
    ("Fatou", "Diallo"), ("Ines", "Carvalho"), ("Tomasz", "Wrobel"), ("Leila", "Farahani"),
]  # fmt: skip


def _kinds(runtime: Runtime, clerk: Actor, i: int, postal_code: str) -> set[str]:
    given, family = NAMES[i]
    line = applicant_line(
        given=given, family=family, born=dt.date(1960 + i, 1 + i, 3 + i),
        number=f"VX{i:07d}", postal_code=postal_code,
    )  # fmt: skip
    today = runtime.today()
    with UnitOfWork(runtime.engine) as uow:
        outcome = service.intake(uow, runtime, clerk, service.parse_request(line, runtime, today))
        uow.commit()
    return {f["kind"] for f in outcome.flags}


def test_one_application_too_many_at_an_address_is_flagged(
    runtime: Runtime, staff: dict[str, Actor]
) -> None:
    limit = runtime.policy.matching.address_max_applications
    assert limit + 1 < len(NAMES)
    clerks = [staff["clerk"], staff["supervisor"]]
    # another dwelling first: it does not count towards this one
    assert "address_velocity" not in _kinds(runtime, clerks[0], limit + 1, "11372")
    for i in range(limit):
        kinds = _kinds(runtime, clerks[i % 2], i, "11368")
        assert "address_velocity" not in kinds, i
        assert "clerk_velocity" not in kinds
    assert "address_velocity" in _kinds(runtime, clerks[limit % 2], limit, "11368")
