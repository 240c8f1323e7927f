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
    from cityid.store.engine import check_database

    check_database(runtime.engine)
    os.environ["CITYID_DATA_DIR"] = str(runtime.data_dir)
    typer.echo(f"cityid: serving {runtime.data_dir} at http://{host}:{port}/console/", err=True)
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
) -> None:
    """Add a staff account; `--password-file F` holds the NEW user's password.

    The actor is an admin named by CITYID_ACTOR/CITYID_PASSWORD, or, with none named,
    the local operator, who proves themselves by unlocking the data dir's keystore.
    """
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
    act.emit(
        {"user_id": user.user_id, "username": user.username, "role": user.role},
        f"Added {user.username} ({user.role}).",
    )


def _read_secret(path: Path) -> str:
    try:
        return path.read_text("utf-8").rstrip("\r\n")
    except OSError as exc:
        raise BadInput(f"cannot read {path}: {exc.strerror or exc}") from None
