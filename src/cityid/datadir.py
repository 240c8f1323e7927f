"""Creating a data dir: config, the policy copy, the database at head, keystore, admin."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from cityid.errors import CityIdError, Refused
from cityid.policy import default_policy_text, load_policy, parse_policy
from cityid.runtime import CONFIG_FILE, POLICY_FILE, DataDirConfig, KeystoreBackend, Runtime
from cityid.settings import Settings
from cityid.store import migrate
from cityid.store.engine import check_database
from cityid.store.uow import UnitOfWork
from cityid.vocabulary import KEYED_HASH_PURPOSES, SIGNING_PURPOSES

ADMIN_USERNAME = "admin"
ADMIN_PASSWORD_FILE = "admin.password"  # noqa: S105 (a file name)


@dataclass(frozen=True)
class InitResult:
    data_dir: Path
    admin_username: str
    keystore_backend: str
    admin_password_file: Path | None

    def to_json(self) -> dict[str, object]:
        return {
            "data_dir": str(self.data_dir),
            "admin": {"username": self.admin_username},
            "keystore": {"backend": self.keystore_backend},
        }


PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


def create_private_file(path: Path) -> None:
    """An empty file only its owner may read, made before SQLite opens it: SQLite then
    keeps it, and gives its -wal and -shm files the same mode."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))


def make_private(data_dir: Path) -> None:
    """Every directory in the data dir 0700 and every file 0600 (the owner only):
    the database and keystore are the city's records, the policy and config say how.
    What this user does not own (or cannot change) is left as it is."""
    for path in [data_dir, *data_dir.rglob("*")]:
        if path.is_symlink():
            continue
        try:
            if path.stat().st_uid == os.getuid():
                path.chmod(PRIVATE_DIR if path.is_dir() else PRIVATE_FILE)
        except OSError:
            continue


def init_data_dir(
    data_dir: Path,
    settings: Settings,
    *,
    policy_file: Path | None = None,
    keystore_backend: KeystoreBackend = "local",
    admin_password: str | None = None,
) -> InitResult:
    """Make a new data dir. Refuses an existing non-empty dir; a failure leaves nothing."""
    data_dir = data_dir.resolve()
    if data_dir.exists() and (not data_dir.is_dir() or any(data_dir.iterdir())):
        raise Refused(
            f"{data_dir} already exists and is not empty; refusing to overwrite it",
            code="exists",
        )
    # Validate inputs before touching the disk.
    policy_text = default_policy_text() if policy_file is None else _read(policy_file)
    policy = parse_policy(policy_text, source=str(policy_file or "default policy"))
    created = not data_dir.exists()
    try:
        data_dir.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
        data_dir.chmod(PRIVATE_DIR)
        _write_private(data_dir / POLICY_FILE, policy_text)
        config = DataDirConfig(
            keystore_backend=keystore_backend,
            database_url=None,
            created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        )
        _write_private(data_dir / CONFIG_FILE, config.render())
        runtime = Runtime(
            data_dir=data_dir,
            settings=settings,
            config=config,
            policy=load_policy(data_dir / POLICY_FILE),
        )
        database = runtime.engine.url.database
        if runtime.engine.dialect.name == "sqlite" and database and not Path(database).exists():
            create_private_file(Path(database))
        check_database(runtime.engine)
        migrate.upgrade(runtime.engine)

        from cityid.crypto.open import create_keystore
        from cityid.operations.accounts import bootstrap_admin

        keystore = create_keystore(keystore_backend, data_dir, settings)
        for purpose in SIGNING_PURPOSES:
            keystore.signer(purpose)
        for purpose in KEYED_HASH_PURPOSES:
            keystore.keyed_hasher(purpose)
        keystore.close()

        password_file: Path | None = None
        if admin_password is None:
            admin_password = secrets.token_urlsafe(18)
            password_file = data_dir / ADMIN_PASSWORD_FILE
            _write_private(password_file, admin_password + "\n")
            print(
                f"cityid: the admin password was generated into {password_file} (0600);"
                " read it, then delete the file",
                file=sys.stderr,
            )
        with UnitOfWork(runtime.engine) as uow:
            bootstrap_admin(uow, policy, username=ADMIN_USERNAME, password=admin_password)
            uow.commit()
        runtime.close()
        make_private(data_dir)
    except BaseException:
        if created:
            shutil.rmtree(data_dir, ignore_errors=True)
        else:
            for child in data_dir.iterdir():
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        raise
    return InitResult(data_dir, ADMIN_USERNAME, keystore_backend, password_file)


def _read(path: Path) -> str:
    try:
        return path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CityIdError(f"cannot read policy file {path}: {exc}", code="config") from None
