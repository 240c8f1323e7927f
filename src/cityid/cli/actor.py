"""Who a command acts as: `--actor` with `--password-file` (or CITYID_ACTOR / CITYID_PASSWORD).

Only reads the options; `cityid.cli.door` signs the named user in, in its own unit of work.
"""

from __future__ import annotations

from dataclasses import dataclass

from cityid.cli.context import CliContext
from cityid.errors import BadInput
from cityid.runtime import Runtime
from cityid.staff.actor import Actor


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str


def credentials(cli: CliContext, *, password_file: bool = True) -> Credentials | None:
    """The named staff user and their password, or None when no actor is named.

    `password_file=False` is for a command whose --password-file is not the actor's
    (`user add`: it holds the new user's): the actor's password is then CITYID_PASSWORD.
    """
    settings = cli.settings
    username = cli.actor or settings.actor
    if not username:
        return None
    if password_file and cli.password_file is not None:
        try:
            password = cli.password_file.read_text("utf-8").rstrip("\r\n")
        except OSError as exc:
            raise BadInput(f"cannot read the password file: {exc.strerror or exc}") from None
    elif settings.password is not None:
        password = settings.password.get_secret_value()
    elif password_file:
        raise BadInput("--actor needs --password-file (or CITYID_PASSWORD)")
    else:
        raise BadInput("--actor here needs CITYID_PASSWORD (--password-file is the new user's)")
    return Credentials(username, password)


def local_operator(runtime: Runtime) -> Actor:
    """The operator at the data dir's console, an admin once they unlock its keystore."""
    runtime.keystore.list_keys()  # raises unless the keystore opens for them
    return Actor(user_id="local-operator", username="local-operator", role="admin")
