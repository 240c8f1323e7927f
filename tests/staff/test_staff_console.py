"""The admin's staff page and the `cityid user` commands: add, role, disable, reset,
unlock; refused for other roles, and every change in the audit log."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa

from cityid.audit.tables import audit_entries
from cityid.store.uow import UnitOfWork
from tests.conftest import ADMIN_PASSWORD
from tests.staff.staff_helpers import STAFF_PASSWORD, add_staff, clients, form_token, sign_in

NEW_PASSWORD = "another long passphrase 42"


def _actions(runtime: Any) -> list[str]:
    with UnitOfWork(runtime.engine, read_only=True) as uow:
        return list(uow.conn.execute(sa.select(audit_entries.c.action)).scalars())


def test_the_admin_manages_staff_from_the_console(data_dir: Path) -> None:
    with clients(data_dir, "198.51.100.7", "198.51.100.9") as (runtime, [admin, staffer]):
        assert sign_in(admin, "admin", ADMIN_PASSWORD).status_code == 303
        page = admin.get("/console/staff/")
        assert page.status_code == 200 and "Add a staff member" in page.text
        token = form_token(page)

        weak = admin.post(
            "/console/staff/",
            data={"username": "clerk9", "role": "clerk", "password": "short", "csrf_token": token},
        )
        assert weak.status_code == 422
        assert 'id="new-password-error"' in weak.text and "at least 12" in weak.text
        assert "clerk9" in weak.text, "what was typed stays in the form"
        added = admin.post(
            "/console/staff/",
            data={"username": "clerk9", "role": "clerk", "password": STAFF_PASSWORD,
                  "csrf_token": token},
        )  # fmt: skip
        assert added.status_code == 200 and "Added clerk9." in added.text
        twice = admin.post(
            "/console/staff/",
            data={"username": "clerk9", "role": "clerk", "password": STAFF_PASSWORD,
                  "csrf_token": token},
        )  # fmt: skip
        assert twice.status_code == 409 and 'id="new-username-error"' in twice.text

        assert sign_in(staffer, "clerk9").status_code == 303
        role = admin.post(
            "/console/staff/clerk9/role", data={"role": "supervisor", "csrf_token": token}
        )
        assert "Changed the role of clerk9" in role.text
        assert staffer.get("/console/", follow_redirects=False).status_code == 303, "signed out"
        assert sign_in(staffer, "clerk9").status_code == 303
        assert "supervisor" in staffer.get("/console/").text

        admin.post("/console/staff/clerk9/disable", data={"csrf_token": token})
        assert staffer.get("/console/", follow_redirects=False).status_code == 303
        assert sign_in(staffer, "clerk9").status_code == 401
        admin.post("/console/staff/clerk9/enable", data={"csrf_token": token})
        reset = admin.post(
            "/console/staff/clerk9/password", data={"password": NEW_PASSWORD, "csrf_token": token}
        )
        assert "Set a new password for clerk9" in reset.text
        assert sign_in(staffer, "clerk9").status_code == 401
        for _ in range(runtime.policy.security.lockout_after_failures - 1):
            sign_in(staffer, "clerk9")
        assert sign_in(staffer, "clerk9", NEW_PASSWORD).status_code == 401, "locked"
        assert ">locked<" in admin.get("/console/staff/").text
        admin.post("/console/staff/clerk9/unlock", data={"csrf_token": token})
        assert sign_in(staffer, "clerk9", NEW_PASSWORD).status_code == 303

        self_disable = admin.post("/console/staff/admin/disable", data={"csrf_token": token})
        assert self_disable.status_code == 409 and "cannot disable your own" in self_disable.text
        forged = admin.post("/console/staff/clerk9/disable", data={"csrf_token": "forged"})
        assert forged.status_code == 403
        actions = _actions(runtime)
        for action in ("staff.add", "staff.role_changed", "staff.disabled", "staff.enabled",
                       "staff.password_reset", "staff.locked", "staff.unlocked"):  # fmt: skip
            assert action in actions, action


def test_other_roles_cannot_reach_the_staff_page(data_dir: Path) -> None:
    with clients(data_dir, "198.51.100.7") as (runtime, [client]):
        add_staff(runtime, "super1", "supervisor")
        sign_in(client, "super1")
        home = client.get("/console/")
        assert "/console/staff/" not in home.text
        before = _actions(runtime).count("staff.add")
        assert client.get("/console/staff/").status_code == 403
        posted = client.post(
            "/console/staff/",
            data={"username": "x1", "role": "admin", "password": STAFF_PASSWORD,
                  "csrf_token": form_token(home)},
        )  # fmt: skip
        assert posted.status_code == 403
        assert _actions(runtime).count("staff.add") == before


def test_the_cli_unlocks_disables_and_lists(data_dir: Path, cli: Any) -> None:
    with clients(data_dir, "198.51.100.7") as (runtime, [client]):
        add_staff(runtime, "clerk1", "clerk")
        for _ in range(runtime.policy.security.lockout_after_failures):
            sign_in(client, "clerk1", "wrong wrong wrong")
        assert sign_in(client, "clerk1").status_code == 401
        listed = cli("--json", "--data-dir", str(data_dir), "user", "list")
        assert listed.code == 0, listed.err
        rows = {r["username"]: r for r in listed.json["users"]}
        assert rows["clerk1"]["locked"] is True and rows["admin"]["role"] == "admin"
        unlocked = cli("--json", "--data-dir", str(data_dir), "staff", "unlock", "clerk1")
        assert unlocked.code == 0 and unlocked.json == {"username": "clerk1", "unlocked": True}
        assert sign_in(client, "clerk1").status_code == 303
        nobody = cli("--json", "--data-dir", str(data_dir), "user", "unlock", "nobody")
        assert nobody.code == 1 and nobody.json["error"]["code"] == "not_found"
        off = cli("--json", "--data-dir", str(data_dir), "user", "disable", "clerk1")
        assert off.code == 0
        assert sign_in(client, "clerk1").status_code == 401
        mfa = cli("--json", "--data-dir", str(data_dir), "user", "mfa", "reset", "clerk1")
        assert mfa.code == 0 and mfa.json == {"username": "clerk1", "second_factor": False}
        role = cli("--json", "--data-dir", str(data_dir), "user", "role", "clerk1", "--role", "x")
        assert role.code == 1 and "role" in role.json["error"]["message"]
