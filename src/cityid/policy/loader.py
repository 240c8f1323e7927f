"""Load and validate the policy file; a bad file stops start-up with the key named."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from cityid.errors import ConfigError
from cityid.policy.model import Policy

DEFAULT_POLICY_NAME = "default_policy.toml"


def default_policy_text() -> str:
    """The shipped IDNYC policy, as text (what `cityid init` copies into a data dir)."""
    return resources.files("cityid.policy").joinpath(DEFAULT_POLICY_NAME).read_text("utf-8")


def parse_policy(text: str, *, source: str = "policy") -> Policy:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None
    try:
        return Policy.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{source}: {describe_validation_error(exc)}") from None


def load_policy(path: Path | None = None) -> Policy:
    """The policy at `path`, or the shipped default when `path` is None."""
    if path is None:
        return parse_policy(default_policy_text(), source="default policy")
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read policy file {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"policy file {path} is not UTF-8 text") from None
    return parse_policy(text, source=f"policy file {path}")


def describe_validation_error(exc: ValidationError) -> str:
    """One line per problem: `key.path: what is wrong` (values are never echoed)."""
    problems = []
    for err in exc.errors(include_url=False, include_input=False):
        key = ".".join(str(part) for part in err["loc"]) or "(top level)"
        problems.append(f"{key}: {err['msg']}")
    shown = problems[:5]
    more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
    return "; ".join(shown) + more
