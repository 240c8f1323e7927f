"""Every console page, found from the app's route table, as a role allowed to see it:
axe-core finds nothing serious or critical, nothing is cut off at 1280 px, no internals
on screen, and a screenshot of each lands in test-artifacts/.

A page added to the console is checked here without anyone listing it; a page no role
can open fails the test, as does one that answers an error.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi.routing import APIRoute, iter_route_contexts

from cityid.runtime import Runtime
from cityid.web.app import create_app
from tests.browser.conftest import LiveServer, screenshot
from tests.browser.journey_helpers import add_staff, run_cli, sign_in, sign_out
from tests.browser.test_accessibility import AXE, BLOCKING
from tests.conftest import ADMIN_PASSWORD

WIDE = {"width": 1280, "height": 800}
# Reached only in the middle of signing in (a pending second factor), not as a page.
NOT_PAGES = {"/console/login", "/console/login/code"}
ROLES = ("admin", "supervisor", "clerk", "investigator", "records_officer", "counsel",
         "auditor", "production")  # fmt: skip
INTERNALS = re.compile(r"<built-in method|<function |object at 0x|Traceback|\{'")
# A value cell that reads None, null or undefined is a Python or JS value leaking out.
BARE_VALUES = """() => [...document.querySelectorAll('td, dd, th, li, span, strong, p')]
  .filter(e => ['None', 'null', 'undefined', 'NaN'].includes(e.textContent.trim()))
  .slice(0, 3).map(e => e.tagName.toLowerCase())"""
# Everything that ends past the right edge is cut off (a table's wrapper may scroll).
CUT_OFF = """() => [...document.querySelectorAll('main *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
            && !e.closest('.table-scroll'))
  .slice(0, 3).map(e => e.tagName.toLowerCase() + '.' + e.className)"""


def _console_pages(data_dir: Path) -> list[str]:
    runtime = Runtime.open(data_dir)
    try:
        app = create_app(runtime)
        # FastAPI keeps included routers as branches: walk the routes they add up to.
        return sorted(
            {
                context.path
                for context in iter_route_contexts(app.routes)
                if isinstance(context.original_route, APIRoute)
                and "GET" in (context.methods or set())
                and context.path.startswith("/console")
                and "{" not in context.path
                and context.path not in NOT_PAGES
            }
        )
    finally:
        runtime.close()


def _some_work(live_server: LiveServer, tmp_path: Path, password: Path) -> None:
    """Applications in the queues (some flagged), so the pages show rows, not blanks."""
    synth = tmp_path / "people.jsonl"
    run_cli(live_server, "synth", "applicants", "--count", "12", "--duplicate-rate", "0.3",
            "--out", str(synth))  # fmt: skip
    run_cli(live_server, "--actor", "supervisor", "--password-file", str(password),
            "enroll", "--file", str(synth))  # fmt: skip


def _problems(page: Any, path: str) -> list[str]:
    found = [f"{path}: cut off at 1280 px: {e}" for e in page.evaluate(CUT_OFF)]
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > WIDE["width"]:
        found.append(f"{path}: the page is {width} px wide")
    found += [f"{path}: a bare value in a {tag}" for tag in page.evaluate(BARE_VALUES)]
    shown = INTERNALS.search(page.inner_text("body"))
    if shown:
        found.append(f"{path}: internals on screen: {shown.group(0)!r}")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    found += [
        f"{path}: {v['id']} ({v['impact']}) at {[' '.join(n['target']) for n in v['nodes'][:2]]}"
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]
    return found


def test_every_console_page_as_a_role_that_may_see_it(
    live_server: LiveServer, browser: Any, tmp_path: Path
) -> None:
    pages = _console_pages(live_server.data_dir)
    assert len(pages) >= 15, pages  # the table was read, not an empty list
    password = add_staff(live_server, tmp_path, **{r: r for r in ROLES if r != "admin"})
    _some_work(live_server, tmp_path, password)
    context = browser.new_context(viewport=WIDE, bypass_csp=True)
    page = context.new_page()
    checked: dict[str, str] = {}
    problems: list[str] = []
    for role in ROLES:
        if role == "admin":
            _sign_in_admin(page, live_server)
        else:
            sign_in(page, live_server, role)
        for path in pages:
            if path in checked:
                continue
            answer = page.goto(live_server.url + path)
            assert answer is not None
            if answer.status in (401, 403) or "text/html" not in answer.headers.get(
                "content-type", ""
            ):
                continue
            if answer.status >= 400:
                problems.append(f"{path} as {role}: HTTP {answer.status}")
                continue
            checked[path] = role
            problems += _problems(page, path)
            screenshot(page, "console" + path.replace("/console", "").replace("/", "-") + "-1280")
        page.goto(live_server.url + "/console/")
        sign_out(page, live_server)
    context.close()
    unseen = [p for p in pages if p not in checked]
    assert not unseen, f"no role could open {unseen}"
    assert not problems, "\n".join(problems)


def _sign_in_admin(page: Any, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/console/login")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/console/")
