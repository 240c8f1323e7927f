"""The runtime: one data dir opened — its config, policy, database and keystore.

Each process (CLI command, web worker) opens its own Runtime; nothing here is module
state, so many workers over one database never disagree. The composition root
(`cityid.bootstrap.open_runtime`) is how the doors open one: it adds the fault hooks and
the per-process services (`ProcessServices`) a bare `Runtime.open` leaves at defaults.
"""

from __future__ import annotations

import datetime as dt
import threading
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Literal, Protocol, TypeVar, cast

from sqlalchemy import Engine

from cityid.errors import ConfigError
from cityid.policy import Policy, load_policy
from cityid.settings import Settings
from cityid.store.engine import make_engine, sqlite_url

if TYPE_CHECKING:
    from cityid.crypto.keystore import Keystore

CONFIG_FILE = "config.toml"
POLICY_FILE = "policy.toml"
SQLITE_FILE = "cityid.db"
KeystoreBackend = Literal["local", "pkcs11"]


@dataclass(frozen=True)
class DataDirConfig:
    keystore_backend: KeystoreBackend
    database_url: str | None
    created_at: str
    # The [notices] table as written (SMTP host, port, from, TLS; spool dirs), read by
    # cityid.notices.config; empty means the defaults (spools in the data dir).
    notices: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def read(cls, data_dir: Path) -> DataDirConfig:
        path = data_dir / CONFIG_FILE
        try:
            raw = tomllib.loads(path.read_text("utf-8"))
        except FileNotFoundError:
            raise ConfigError(
                f"{data_dir} is not a cityid data dir (no {CONFIG_FILE}); run `cityid init`"
            ) from None
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read {path}: {exc}") from None
        backend = raw.get("keystore", {}).get("backend", "local")
        if backend not in ("local", "pkcs11"):
            raise ConfigError(f"{path}: keystore.backend must be 'local' or 'pkcs11'")
        return cls(
            keystore_backend=backend,
            database_url=raw.get("database", {}).get("url") or None,
            created_at=str(raw.get("cityid", {}).get("created_at", "")),
            notices=dict(raw.get("notices", {})),
        )

    def render(self) -> str:
        url_line = (
            f'url = "{self.database_url}"'
            if self.database_url
            else (
                '# url = "postgresql://user@host/db"  (empty: SQLite in this dir;'
                " CITYID_DATABASE_URL wins)"
            )
        )
        return (
            "# cityid data dir configuration. Secrets never live here:\n"
            "# CITYID_KEYSTORE_PASSPHRASE / CITYID_PKCS11_PIN come from the environment.\n"
            f'[cityid]\ncreated_at = "{self.created_at}"\n\n'
            f"[database]\n{url_line}\n\n"
            f'[keystore]\nbackend = "{self.keystore_backend}"\n\n'
            "[notices]\n"
            '# mail = "spool" writes each message into mail_spool_dir; "smtp" sends it.\n'
            'mail = "spool"\n'
            '# smtp_host = "mail.example.gov"\n'
            "# smtp_port = 587\n"
            '# smtp_from = "no-reply@example.gov"\n'
            '# smtp_tls = "starttls"  # none | starttls | tls\n'
            '# smtp_username = "cityid"  # the password comes from CITYID_SMTP_PASSWORD\n'
            '# mail_spool_dir = "spool/mail"\n'
            '# The SMS gateway: "spool" writes each text into sms_spool_dir for a gateway.\n'
            'sms = "spool"\n'
            '# sms_spool_dir = "spool/sms"\n'
        )


class FaultHooks(Protocol):
    """Where long jobs tell a crash test how far they got. Production runs `NoFaults`;
    the composition root installs others (`cityid.devtools.faults`) when a test asks."""

    def reached(self, point: str) -> None:
        """A named point between two durable steps (before or after a commit, a key)."""

    def chunk_committed(self) -> None:
        """A chunk of a batch was committed."""


class NoFaults:
    def reached(self, point: str) -> None:
        return None

    def chunk_committed(self) -> None:
        return None


T = TypeVar("T")


class ProcessService(Generic[T]):
    """The typed key of one per-process service (a cache, a lock, a limiter, a port).

    The room that uses a service declares its key; `default` builds it when the process
    did not bind another. A port (an interface a lower room defines and a higher one
    implements) has no default: the composition root must bind it.
    """

    def __init__(self, name: str, default: Callable[[], T] | None = None) -> None:
        self.name = name
        self.default = default

    def __repr__(self) -> str:
        return f"ProcessService({self.name!r})"


class ProcessServices:
    """This process's services, one of each kind, built on first use and kept.

    Invariants: `get(key)` returns the same object for the life of the runtime; nothing
    is shared with another process (each web worker and CLI run builds its own); a key
    is bound before its first use or not at all.
    """

    def __init__(self) -> None:
        self._makers: dict[ProcessService[Any], Callable[[], Any]] = {}
        self._built: dict[ProcessService[Any], Any] = {}
        self._lock = threading.RLock()  # a maker may ask for another service

    def bind(self, key: ProcessService[T], make: Callable[[], T]) -> None:
        with self._lock:
            if key in self._built:
                raise RuntimeError(f"{key.name} is already in use; bind it before")
            self._makers[key] = make

    def get(self, key: ProcessService[T]) -> T:
        with self._lock:
            if key not in self._built:
                make = self._makers.get(key, key.default)
                if make is None:
                    raise LookupError(
                        f"no {key.name} in this process: open the runtime with "
                        "cityid.bootstrap.open_runtime"
                    )
                self._built[key] = make()
            return cast(T, self._built[key])


def _with_public_base_url(policy: Policy, settings: Settings) -> Policy:
    """CITYID_PUBLIC_BASE_URL, when set, names the public address instead of the policy."""
    if settings.public_base_url is None:
        return policy
    from cityid.errors import BadInput
    from cityid.public_address import parse_public_base_url

    try:
        url = parse_public_base_url(settings.public_base_url).url
    except BadInput as exc:
        raise ConfigError(f"CITYID_PUBLIC_BASE_URL: {exc.message}") from None
    program = policy.program.model_copy(update={"public_base_url": url})
    return policy.model_copy(update={"program": program})


@dataclass
class Runtime:
    data_dir: Path
    settings: Settings
    config: DataDirConfig
    policy: Policy
    faults: FaultHooks = field(default_factory=NoFaults)
    services: ProcessServices = field(default_factory=ProcessServices)
    opener: Callable[[Path, Settings], Runtime] | None = None
    """How another process (a long job's worker) opens a runtime like this one: the
    composition root sets it, so a worker gets the same ports and services. It must be
    picklable (a module-level function) to reach a spawned process. None: `Runtime.open`."""

    @classmethod
    def open(
        cls,
        data_dir: Path | None = None,
        settings: Settings | None = None,
        *,
        faults: FaultHooks | None = None,
    ) -> Runtime:
        settings = settings or Settings()
        data_dir = (data_dir or settings.data_dir).resolve()
        config = DataDirConfig.read(data_dir)
        policy = _with_public_base_url(load_policy(data_dir / POLICY_FILE), settings)
        return cls(
            data_dir=data_dir, settings=settings, config=config, policy=policy,
            faults=faults or NoFaults(),
        )  # fmt: skip

    @property
    def database_url(self) -> str:
        return (
            self.settings.database_url
            or self.config.database_url
            or sqlite_url(self.data_dir / SQLITE_FILE)
        )

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.database_url)

    @cached_property
    def keystore(self) -> Keystore:
        from cityid.crypto.open import open_keystore

        return open_keystore(self.settings, self.data_dir, backend=self.config.keystore_backend)

    def worker_opener(self) -> Callable[[Path, Settings], Runtime]:
        """What a worker process calls with (data_dir, settings) to open its runtime."""
        return self.opener or Runtime.open

    def today(self) -> dt.date:
        return dt.datetime.now(dt.UTC).date()

    def close(self) -> None:
        if "engine" in self.__dict__:
            self.engine.dispose()
