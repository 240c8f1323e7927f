"""The disclosure notice that already existed now also goes to the contact on file."""

from __future__ import annotations

from email import message_from_bytes
from email.policy import default

from cityid.disclosure.decisions import decide
from cityid.disclosure.filing import file_request
from cityid.notices import delivery
from cityid.staff.actor import Actor
from tests.notices_service.conftest import Office

COUNSEL = Actor("counsel-1", "counsel1", "counsel")


def test_a_granted_request_is_told_by_mail_in_the_applicants_language(office: Office) -> None:
    app = office.application(notices_opt_out=True)  # legally required: sent all the same
    filed = office.do(
        lambda uow, rt, _a: file_request(
            uow, rt, COUNSEL, requester_kind="court", instrument="court_order",
            scope={"application_ids": [app], "fields": ["family_name"]},
        )
    )  # fmt: skip
    decided = office.do(
        lambda uow, rt, _a: decide(
            uow, rt, COUNSEL, filed.request_id, override="granted", fields=["family_name"],
            reason="The order names the family name.",
        )
    )  # fmt: skip
    assert decided.notices == 1
    assert delivery.run_once(office.runtime).sent == 1
    [mail] = list((office.data_dir / "spool" / "mail").glob("*.eml"))
    message = message_from_bytes(mail.read_bytes(), policy=default)
    assert message["Subject"] == "IDNYC: aviso de divulgación"
    body = message.get_content()
    assert filed.request_id in body and "family_name" in body
    assert "García" not in str(message["Subject"])
