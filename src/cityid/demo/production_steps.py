"""The story's card production: a print batch for the partner, the post, a returned card
collected at the desk after the identity check."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from cityid.cards import service as cards
from cityid.cards import status_service
from cityid.cards.status_list import Status
from cityid.demo.checks import expect
from cityid.demo.stage import Story
from cityid.production import batches, pickup
from cityid.production.results import PickupOutcome


def _bit(story: Story, card_number: str) -> int:
    with story.uow(read_only=True) as uow:
        card = cards.get_card(uow, story.rt, story.cast["supervisor"], card_number)
        return status_service.build(uow, card.status_list).get(card.status_index)


def step_production(story: Story) -> str:
    """Cut and export a batch (signed manifest, ID-1 sheets), print and mail it; the post
    returns one card; the wrong person is refused at the desk, the right one gets it."""
    rt, printer, clerk = story.rt, story.cast["production"], story.cast["clerk"]
    with story.uow() as uow:
        batch = batches.cut(uow, rt, printer)
        exported = batches.export(uow, rt, printer, batch.batch_id)
        batches.move(uow, rt, printer, batch.batch_id, "printed")
        batches.move(uow, rt, printer, batch.batch_id, "mailed")
        shown = batches.show(uow, rt, printer, batch.batch_id)
        uow.commit()
    manifest = json.loads(exported.manifest)
    for name, data in (("manifest.json", exported.manifest), ("sheets.pdf", exported.sheets)):
        (story.work_dir / f"{batch.batch_id}-{name}").write_bytes(data)
    expect(
        manifest["sheets"]["sha256"] == hashlib.sha256(exported.sheets).hexdigest(),
        "the manifest does not bind the sheets it came with",
    )
    number = shown.items[0].card_number
    with story.uow() as uow:
        pickup.returned(uow, rt, printer, number)
        application_id = cards.get_card(uow, rt, clerk, number).application_id
        uow.commit()
    expect(_bit(story, number) == Status.SUSPENDED, "a returned card is not suspended")
    born = dt.date.fromisoformat(story.enrolled.lines[application_id]["date_of_birth"])
    with story.uow() as uow:
        other = born - dt.timedelta(days=400)
        wrong = pickup.hand_over(uow, rt, clerk, number, date_of_birth=other, id_seen=True)
        uow.commit()
    expect(wrong.outcome is PickupOutcome.REFUSED, "the wrong person was handed the card")
    expect(_bit(story, number) == Status.SUSPENDED, "a refused pickup released the card")
    with story.uow() as uow:
        right = pickup.hand_over(uow, rt, clerk, number, date_of_birth=born, id_seen=True)
        uow.commit()
    expect(right.outcome is PickupOutcome.HANDED_OVER, "the holder could not collect the card")
    expect(_bit(story, number) == Status.VALID, "a collected card is not valid")
    return (
        f"print batch {batch.batch_id}: {exported.cards} cards exported "
        f"({len(exported.sheets)} byte ID-1 sheets, manifest signed by {exported.key_id}); "
        f"card {number} came back by post, refused to the wrong person, collected at the desk"
    )
