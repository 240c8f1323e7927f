"""The 2016 story, step by step, each step checking what it promised (`cityid demo`).

Every step calls the services directly (no subprocesses), acts as the staff member
whose job it is, and either returns one line saying what happened (with its key
number) or raises `StepFailed` saying what differed. A failing step does not stop the
story: later steps run and report on their own, and the caller exits non-zero.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path

from pydantic import SecretStr

from cityid.demo.appointments_steps import step_appointments
from cityid.demo.checks import StepFailed, StepResult
from cityid.demo.opening_steps import step_cards, step_enroll, step_staff, step_switch
from cityid.demo.production_steps import step_production
from cityid.demo.records_steps import (
    step_audit_and_report,
    step_destroy,
    step_hold,
    step_old_backup,
    step_receipt,
    step_release,
    step_subpoena,
)
from cityid.demo.stage import Story
from cityid.errors import CityIdError
from cityid.settings import Settings

Step = tuple[str, Callable[[Story], str]]

STEPS: tuple[Step, ...] = (
    ("staff", step_staff),
    ("enroll", step_enroll),
    ("cards", step_cards),
    ("card_production", step_production),
    ("verify_and_discard", step_switch),
    ("court_hold", step_hold),
    ("federal_subpoena", step_subpoena),
    ("hold_released", step_release),
    ("destruction", step_destroy),
    ("old_backup", step_old_backup),
    ("receipt", step_receipt),
    ("appointments", step_appointments),
    ("audit_and_report", step_audit_and_report),
)


def run_step(story: Story, name: str, step: Callable[[Story], str]) -> StepResult:
    try:
        return StepResult(name, True, step(story))
    except StepFailed as failed:
        return StepResult(name, False, failed.detail)
    except CityIdError as exc:
        return StepResult(name, False, f"{exc.code}: {exc.message}")
    except Exception as exc:  # a bug met on the way: the story reports it and goes on
        return StepResult(name, False, f"unexpected {type(exc).__name__}: {exc}")


def tell(story: Story, on_result: Callable[[StepResult], None]) -> list[StepResult]:
    """Run every step in order; each result goes to `on_result` as it is known."""
    results = []
    for name, step in STEPS:
        result = run_step(story, name, step)
        results.append(result)
        on_result(result)
        if name == "staff" and not result.ok:
            break  # no data dir: nothing else can run
    return results


def story_settings(data_dir: Path, *, throwaway: bool) -> Settings:
    """A throwaway data dir gets its own keystore passphrase in memory (no warning file)
    and its own SQLite database, whatever CITYID_DATABASE_URL says."""
    if throwaway:
        return Settings(
            data_dir=data_dir,
            database_url=None,
            keystore_passphrase=SecretStr(secrets.token_urlsafe(24)),
        )
    return Settings(data_dir=data_dir)
