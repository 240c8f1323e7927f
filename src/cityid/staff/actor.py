"""Who is acting: a staff user with one role, or `system` for scheduled jobs."""

from __future__ import annotations

from dataclasses import dataclass

SYSTEM_USERNAME = "system"


@dataclass(frozen=True)
class Actor:
    user_id: str
    username: str
    role: str | None  # None only for `system`

    @property
    def is_system(self) -> bool:
        return self.role is None

    @classmethod
    def system(cls) -> Actor:
        return cls(user_id="system", username=SYSTEM_USERNAME, role=None)
