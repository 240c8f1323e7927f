"""init, serve, user: setting a data dir up and serving it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from cityid.cli.app import app
from cityid.cli.door import acting, job, plain
from cityid.errors import BadInput

user_app = typer.Typer(help="Staff accounts.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(user_app, name="staff", hidden=True)  # the same commands, by the name
mfa_app = typer.Typer(help="Staff second factors (TOTP).", no_args_is_help=True)
user_app.add_typer(mfa_app, name="mfa")


@app.command()
def init(
    ctx: typer.Context,
    policy: Annotated[
        Path | None, typer.Option("--policy", help="A policy file (default: IDNYC's rules).")
    ] = None,
    keystore: Annotated[
        str, typer.Option("--keystore", help="Keystore backend: local or pkcs11.")
    ] = "local",
    admin_password_file: Annotated[
        Path | None,
        typer.Option("--admin-password-file", help="The first admin's password (else generated)."),
    ] = None,
) -> None:
    """Create a data dir: config, policy, database at head, keystore and an admin."""
    from cityid.datadir import init_data_dir

    door = plain(ctx)  # there is no data dir yet: this makes it
    if keystore not in ("local", "pkcs11"):
        raise typer.BadParameter("must be local or pkcs11", param_hint="--keystore")
    password = _read_secret(admin_password_file) if admin_password_file else None
    result = init_data_dir(
        door.cli.resolved_data_dir(),
        door.cli.settings,
        policy_file=policy,
        keystore_backend=keystore,  # type: ignore[arg-type]
        admin_password=password,
    )
    door.emit(
        result.to_json(),
        f"Created {result.data_dir} (keystore: {result.keystore_backend});"
        f" sign in as {result.admin_username}.",
    )


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, max=64)] = 1,
    public_base_url: Annotated[
        str | None,
        typer.Option(
            "--public-base-url",
            help="The address the public reaches this server at (cards name it); "
            "else CITYID_PUBLIC_BASE_URL, else public_base_url in policy.toml.",
        ),
    ] = None,
) -> None:
    """Serve the API, the staff console and the public pages."""
    import uvicorn

    from cityid.public_address import check_listen_address, parse_public_base_url

    if public_base_url is not None:
        # Before the runtime opens: it (and every worker) reads the address from here.
        os.environ["CITYID_PUBLIC_BASE_URL"] = parse_public_base_url(public_base_url).url
    runtime = job(ctx, signed_in=False).runtime  # fail here, in one line, if the data dir is wrong
    public = parse_public_base_url(runtime.policy.program.public_base_url)
    set_by_operator = bool(public_base_url or os.environ.get("CITYID_PUBLIC_BASE_URL"))
    check = check_listen_address(public, host, port, set_by_operator=set_by_operator)
    if check.refusal is not None:
        raise BadInput(f"not serving: {check.refusal}", code="public_base_url")
    if check.warning is not None:
        typer.echo(f"cityid: WARNING: {check.warning}", err=True)
    from cityid.datadir import make_private
    from cityid.store.engine import check_database

    check_database(runtime.engine)
    make_private(runtime.data_dir)  # a data dir made before 0600/0700 is tightened too
    os.environ["CITYID_DATA_DIR"] = str(runtime.data_dir)
    typer.echo(
        f"cityid: serving {runtime.data_dir} at http://{host}:{port}/"
        f" (staff console: http://{host}:{port}/console/)",
        err=True,
    )
    uvicorn.run(
        "cityid.web.app:create_app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
        proxy_headers=False,
    )


@user_app.command("add")
def user_add(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="The new user's name.")],
    role: Annotated[str, typer.Option("--role", help="clerk, supervisor, investigator, ...")],
    centre: Annotated[
        str | None, typer.Option("--centre", help="The centre they work at (e.g. bronx-1).")
    ] = None,
) -> None:
    """Add a staff account; `--password-file F` holds the NEW user's password.

    The actor is an admin named by CITYID_ACTOR/CITYID_PASSWORD, or, with none named,
    the local operator, who proves themselves by unlocking the data dir's keystore.
    """
    from cityid.accountability.centres import set_centre
    from cityid.operations.accounts import add_user

    password_file = plain(ctx).cli.password_file  # the new user's, not the actor's
    if password_file is None:
        raise BadInput("the new user's password: give --password-file FILE")
    password = _read_secret(password_file)
    with acting(ctx, operator=True) as act:
        user = add_user(
            act.uow, act.runtime.policy, username=username, role=role, password=password,
            by=act.actor,
        )  # fmt: skip
        if centre is not None:
            set_centre(act.uow, act.runtime, act.actor, user.username, centre)
    act.emit(
        {"user_id": user.user_id, "username": user.username, "role": user.role, "centre": centre},
        f"Added {user.username} ({user.role}{', ' + centre if centre else ''}).",
    )


@user_app.command("unlock")
def user_unlock(
    ctx: typer.Context, username: Annotated[str, typer.Argument(help="The locked account.")]
) -> None:
    """Lift every sign-in lockout of an account now."""
    from cityid.operations.accounts import unlock

    with acting(ctx, operator=True) as act:
        user = unlock(act.uow, act.runtime.policy, act.actor, username)
    act.emit({"username": user.username, "unlocked": True}, f"Unlocked {user.username}.")


@mfa_app.command("reset")
@user_app.command("reset-2fa")
def user_reset_2fa(
    ctx: typer.Context, username: Annotated[str, typer.Argument(help="The account.")]
) -> None:
    """Take an account's second factor away (a lost phone); it sets one up again at its
    next sign-in if its role requires one. Signs it out everywhere."""
    from cityid.operations.second_factor import reset_second_factor

    with acting(ctx, operator=True) as act:
        user = reset_second_factor(act.uow, act.runtime.policy, act.actor, username)
    act.emit(
        {"username": user.username, "second_factor": False},
        f"Reset the second factor of {user.username}.",
    )


@user_app.command("disable")
def user_disable(
    ctx: typer.Context, username: Annotated[str, typer.Argument(help="The account.")]
) -> None:
    """Disable an account (it can no longer sign in; its sessions end)."""
    _set_disabled(ctx, username, disabled=True)


@user_app.command("enable")
def user_enable(
    ctx: typer.Context, username: Annotated[str, typer.Argument(help="The account.")]
) -> None:
    """Enable a disabled account again."""
    _set_disabled(ctx, username, disabled=False)


def _set_disabled(ctx: typer.Context, username: str, *, disabled: bool) -> None:
    from cityid.operations.staff_admin import set_disabled

    with acting(ctx, operator=True) as act:
        user = set_disabled(act.uow, act.runtime.policy, act.actor, username, disabled=disabled)
    word = "Disabled" if disabled else "Enabled"
    act.emit({"username": user.username, "disabled": disabled}, f"{word} {user.username}.")


@user_app.command("role")
def user_role(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="The account.")],
    role: Annotated[str, typer.Option("--role", help="The new role.")],
) -> None:
    """Give an account another role (its sessions end)."""
    from cityid.operations.staff_admin import set_role

    with acting(ctx, operator=True) as act:
        user = set_role(act.uow, act.runtime.policy, act.actor, username, role)
    act.emit({"username": user.username, "role": user.role}, f"{user.username} is now {role}.")


@user_app.command("list")
def user_list(ctx: typer.Context) -> None:
    """Every staff account: role, disabled, locked, second factor (no secrets)."""
    from cityid.operations.staff_admin import list_staff

    with acting(ctx, operator=True, read_only=True) as act:
        found = list_staff(act.uow, act.runtime.policy, act.actor)
    rows = [
        {
            "username": a.username, "role": a.role, "disabled": a.disabled,
            "locked": a.locked, "second_factor": a.second_factor,
        }
        for a in found
    ]  # fmt: skip
    act.emit(
        {"users": rows},
        "\n".join(f"{r['username']}\t{r['role']}" for r in rows) or "no staff accounts",
    )


@user_app.command("centre")
def user_centre(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="The staff member.")],
    centre: Annotated[
        str | None, typer.Option("--centre", help="Their centre; leave out to clear it.")
    ] = None,
) -> None:
    """Set the centre a staff member works at (it scopes what a clerk may open)."""
    from cityid.accountability.centres import set_centre

    with acting(ctx, operator=True) as act:
        set_centre(act.uow, act.runtime, act.actor, username, centre)
    act.emit({"username": username, "centre": centre}, f"{username}: centre {centre or 'none'}.")


def _read_secret(path: Path) -> str:
    try:
        return path.read_text("utf-8").rstrip("\r\n")
    except OSError as exc:
        raise BadInput(f"cannot read {path}: {exc.strerror or exc}") from None
