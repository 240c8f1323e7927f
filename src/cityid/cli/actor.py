"""The CLI's actor: `--actor` with `--password-file` (or CITYID_ACTOR / CITYID_PASSWORD)."""

from __future__ import annotations

from cityid.cli.context import CliContext
from cityid.errors import BadInput
from cityid.operations.accounts import authenticate
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork


def resolve_actor(cli: CliContext) -> Actor:
    """Sign the named staff user in, or act as `system` when no actor is named."""
    settings = cli.settings
    username = cli.actor or settings.actor
    if not username:
        return Actor.system()
    if cli.password_file is not None:
        try:
            password = cli.password_file.read_text("utf-8").rstrip("\r\n")
        except OSError as exc:
            raise BadInput(f"cannot read the password file: {exc.strerror or exc}") from None
    elif settings.password is not None:
        password = settings.password.get_secret_value()
    else:
        raise BadInput("--actor needs --password-file (or CITYID_PASSWORD)")
    runtime = cli.runtime()
    with UnitOfWork(runtime.engine) as uow:
        actor = authenticate(uow, runtime.policy, username, password)
        uow.commit()
    return actor
