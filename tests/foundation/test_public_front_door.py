"""The public's front door and error pages, over HTTP, on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cityid.bootstrap import open_runtime
from cityid.web.app import create_app

HTML = {"Accept": "text/html"}


@pytest.fixture
def client(data_dir: Path) -> Iterator[TestClient]:
    runtime = open_runtime(data_dir)
    with TestClient(create_app(runtime), base_url="https://testserver") as test_client:
        yield test_client
    runtime.close()


def test_the_front_door_is_public_and_leads_to_every_public_page(client: TestClient) -> None:
    answer = client.get("/", headers=HTML, follow_redirects=False)
    assert answer.status_code == 200  # no longer the staff sign-in
    for href in ('href="/apply/', 'href="/apply/appointments', 'href="/me/', 'href="/verify"',
                 'href="/transparency"', 'id="lang-picker"'):  # fmt: skip
        assert href in answer.text, href
    spanish = client.get("/?lang=es", headers=HTML)
    assert 'lang="es"' in spanish.text and "Solicitar una tarjeta" in spanish.text
    assert spanish.headers["content-language"] == "es"


def test_a_public_error_leads_home_and_a_staff_error_to_the_console(client: TestClient) -> None:
    public = client.get("/no-such-page?lang=ar", headers=HTML)
    assert public.status_code == 404
    assert 'dir="rtl"' in public.text and 'class="topbar public-header"' in public.text
    main = public.text.split("<main")[1].split("</main>")[0]
    assert 'href="/?lang=ar"' in main and "console" not in main
    staff = client.get("/console/no-such-room", headers=HTML)
    assert staff.status_code == 404 and 'href="/console/"' in staff.text
    assert "public-header" not in staff.text
    api = client.get("/api/v1/no-such-thing", headers=HTML)
    assert api.status_code == 404 and api.json()["error"]["code"] == "http"
    refused = client.post("/verify", headers=HTML, files={"image": ("x.png", b"not a picture")},
                          data={"purpose": "nonsense"})  # fmt: skip
    assert refused.status_code == 422 and "public-header" in refused.text


def test_every_public_page_has_the_public_header_and_footer(client: TestClient) -> None:
    for path in ("/", "/apply/", "/me/", "/verify", "/transparency", "/receipts/check"):
        page = client.get(path, headers=HTML)
        assert page.status_code == 200, path
        assert page.text.count('class="topbar public-header"') == 1, path
        assert page.text.count('class="footer public-footer"') == 1, path


def test_the_verifier_words_follow_the_card_and_the_policy() -> None:
    from cityid.policy import load_policy
    from cityid.web.verify_view import NEXT_STEPS, present

    policy = load_policy()
    policy = policy.model_copy(
        update={"program": policy.program.model_copy(update={"help_phone": "212-555-0199"})}
    )
    claims = {"card_number": "123456789012", "date_of_birth": "1985-03-04",
              "expires_on": "2031-12-04", "full_name": "Ivan Petrov",
              "native_name": "Иван Петров", "photo": "data:image/webp;base64,AA=="}  # fmt: skip
    shown = present({"result": "valid", "claims": claims, "status_checked": True}, policy)
    rows = {row["key"]: row["value"] for row in shown["rows"]}
    assert rows == {"full_name": "Ivan Petrov", "native_name": "Иван Петров",
                    "date_of_birth": "03/04/1985", "expires_on": "12/04/2031",
                    "card_number": "1234 5678 9012"}  # fmt: skip
    assert [row["key"] for row in shown["rows"]][:2] == ["full_name", "native_name"]
    for result in ("revoked", "suspended", "expired"):
        step = present({"result": result, "claims": {}}, policy)["next_step"]
        assert step.startswith("Do not accept this card") and "212-555-0199" in step
    from cityid.cards.verify import Result

    assert set(NEXT_STEPS) == {r.value for r in Result}  # every answer has its next step
