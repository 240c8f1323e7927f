"""axe-core (vendored from the npm registry) on every page: no serious or critical issue.

To check a new page, add its path to PUBLIC_PATHS (no login) or CONSOLE_PATHS (signed
in as admin).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.browser.conftest import LiveServer
from tests.conftest import ADMIN_PASSWORD

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
BLOCKING = {"serious", "critical"}

PUBLIC_PATHS = [
    "/",
    "/console/login",
    "/apply/",
    "/apply/?lang=ar",
    "/apply/checklist?doc=utility_bill&lang=es",
    "/me/",
    "/me/?lang=ar",
    "/me/renew?expires=2020-01-01&lang=bn",
    "/apply/appointments?lang=ar",
    "/transparency",
    "/verify",
    "/receipts/check",
]
CONSOLE_PATHS = [
    "/console/",
    "/console/audit/",
    "/console/dashboard/",
]


def _violations(page: Any, url: str) -> list[str]:
    response = page.goto(url)
    assert response is not None and response.status < 400, (
        f"{url}: HTTP {response and response.status}"
    )
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    found = []
    for violation in result["violations"]:
        if violation["impact"] in BLOCKING:
            targets = [" ".join(node["target"]) for node in violation["nodes"][:3]]
            found.append(f"{url}: {violation['id']} ({violation['impact']}) at {targets}")
    return found


def _sign_in(page: Any, base: str) -> None:
    page.goto(f"{base}/console/login")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", ADMIN_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/console/**")


def test_no_serious_accessibility_violations(live_server: LiveServer, browser: Any) -> None:
    # axe goes in as an inline script: the pages' CSP (rightly) forbids that, so bypass it.
    context = browser.new_context(viewport={"width": 1280, "height": 860}, bypass_csp=True)
    page = context.new_page()
    try:
        problems = _all_violations(page, live_server.url)
    finally:
        context.close()
    assert not problems, "\n".join(problems)


def _all_violations(page: Any, base: str) -> list[str]:
    problems: list[str] = []
    for path in PUBLIC_PATHS:
        problems += _violations(page, base + path)
    _sign_in(page, base)
    for path in CONSOLE_PATHS:
        problems += _violations(page, base + path)
    return problems
