"""A clerk at a bank checks a card's age on the public /verify page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from cityid.bootstrap import open_runtime
from cityid.cards import issuing, service
from cityid.settings import Settings
from cityid.store.uow import UnitOfWork
from tests.browser.conftest import LiveServer, screenshot
from tests.cards_service.card_helpers import STREET, approved_application, supervisor
from tests.conftest import PASSPHRASE

pytestmark = pytest.mark.browser


def _card_back_png(server: LiveServer, out: Path) -> None:
    """Issue a card in the server's data dir and draw its back (the side with the QR)."""
    settings = Settings(
        data_dir=server.data_dir, keystore_passphrase=SecretStr(PASSPHRASE), database_url=None
    )
    runtime = open_runtime(server.data_dir, settings)
    try:
        actor = supervisor(runtime)
        application_id = approved_application(runtime, actor)
        with UnitOfWork(runtime.engine) as uow:
            number = issuing.issue(uow, runtime, actor, application_id).card_number
            png = service.render(uow, runtime, actor, number, kind="png", side="back")
            uow.commit()
    finally:
        runtime.close()
    out.write_bytes(png)


def test_age_check_of_an_uploaded_card_shows_valid_and_no_address(
    live_server: LiveServer, page: Any, tmp_path: Path
) -> None:
    card = tmp_path / "card-back.png"
    _card_back_png(live_server, card)

    page.goto(f"{live_server.url}/verify")
    page.check("input[name=purpose][value=age]")
    page.set_input_files("#card-image", str(card))
    verdict = page.locator("#verify-result [data-result]")
    verdict.wait_for(timeout=15_000)
    assert verdict.get_attribute("data-result") == "valid"
    text = page.locator("#verify-result").inner_text()
    assert "Over 18" in text and "yes" in text
    assert STREET not in page.content() and "11372" not in text
    assert page.locator("#verify-result img.face").count() == 1
    screenshot(page, "verify-page-age-valid")


@pytest.mark.parametrize("width", [360, 1280])
def test_the_verify_page_fits_a_phone_and_a_desk_screen(
    live_server: LiveServer, browser: Any, width: int
) -> None:
    page = browser.new_page(viewport={"width": width, "height": 800})
    page.goto(f"{live_server.url}/verify")
    overflowing = page.evaluate(
        "[...document.querySelectorAll('input, select, textarea, button')]"
        ".filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth)"
        ".length"
    )
    assert overflowing == 0  # the file chooser once ran past the edge of a phone
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"verify-page-{width}")
    page.close()
