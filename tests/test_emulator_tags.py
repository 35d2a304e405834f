"""The emulator's tag routes: apply and unapply count as Luma's document says (skipped_count only for those not on
the calendar), for person tags and event tags alike."""

from __future__ import annotations

import aiohttp
import pytest

from luma_local import LumaEmulator
from tests.emulator_support import call, create_event

pytestmark = pytest.mark.emulator


async def test_a_contact_already_tagged_counts_as_applied_not_skipped(
    client: aiohttp.ClientSession, emu: LumaEmulator
) -> None:
    (ana,) = emu.seed_contacts(1, tags=["VIP"])
    (ben,) = emu.seed_contacts(1)
    body = {"tag": "VIP", "emails": [ana["email"], ben["email"], "stranger@example.com"]}
    assert await call(client, "POST", "/v1/calendars/contact-tags/apply", json=body) == (
        200,
        {"applied_count": 2, "skipped_count": 1},
    )
    assert {c["email"] for c in emu.contacts() if c["tags"]} == {ana["email"], ben["email"]}
    # Taking it off someone who does not carry it is not a skip either: only strangers are skipped.
    untag = {"tag": "VIP", "emails": [ana["email"], "stranger@example.com"], "user_ids": [ana["user_id"]]}
    assert await call(client, "POST", "/v1/calendars/contact-tags/unapply", json=untag) == (
        200,
        {"removed_count": 2, "skipped_count": 1},
    )
    assert [c["email"] for c in emu.contacts() if c["tags"]] == [ben["email"]]


async def test_an_event_already_tagged_counts_as_applied_and_other_events_are_skipped(
    client: aiohttp.ClientSession, emu: LumaEmulator
) -> None:
    event_id = await create_event(client)
    _, tag = await call(client, "POST", "/v1/calendars/event-tags/create", json={"name": "Workshop"})
    body = {"tag": tag["id"], "event_ids": [event_id, "evt-elsewhere"]}
    for _ in range(2):
        assert await call(client, "POST", "/v1/calendars/event-tags/apply", json=body) == (
            200,
            {"applied_count": 1, "skipped_count": 1},
        )
    assert emu.event_tags() == [{"id": tag["id"], "name": "Workshop", "color": emu.event_tags()[0]["color"]}]
    for _ in range(2):
        assert await call(client, "POST", "/v1/calendars/event-tags/unapply", json=body) == (
            200,
            {"removed_count": 1, "skipped_count": 1},
        )
