"""The people in the story: one staff account per role, with generated passwords."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from cityid.operations.accounts import add_user
from cityid.policy import Policy
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork

ADMIN_USERNAME = "admin"
# role -> username; usernames never appear inside their passwords (the policy checks).
STAFF: dict[str, str] = {
    "clerk": "clerk",
    "supervisor": "supervisor",
    "investigator": "investigator",
    "records_officer": "records",
    "counsel": "counsel",
    "auditor": "auditor",
    "production": "printer",
}


def new_password() -> str:
    return secrets.token_urlsafe(15)


@dataclass
class Cast:
    """Who acts in the story, and the passwords `make run` prints."""

    actors: dict[str, Actor] = field(default_factory=dict)  # role -> actor
    passwords: dict[str, str] = field(default_factory=dict)  # username -> password

    def __getitem__(self, role: str) -> Actor:
        return self.actors[role]

    def logins(self) -> list[tuple[str, str, str]]:
        """(role, username, password) for every role, admin first."""
        ordered = ["admin", *STAFF]
        return [
            (role, self.actors[role].username, self.passwords[self.actors[role].username])
            for role in ordered
            if role in self.actors
        ]


def hire_staff(uow: UnitOfWork, policy: Policy, admin: Actor, cast: Cast) -> Cast:
    """Add one account per role (the admin exists from init). Caller commits."""
    cast.actors["admin"] = admin
    for role, username in STAFF.items():
        password = new_password()
        cast.actors[role] = add_user(
            uow, policy, username=username, role=role, password=password, by=admin
        )
        cast.passwords[username] = password
    return cast
