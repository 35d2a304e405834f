"""The emulator's events: create, get, update, list, cancel, hosts, and the fields of Luma's 2026-08-07
document (guest counts, spots, price, registration)."""

from __future__ import annotations

import aiohttp
import pytest

from luma_local import LumaEmulator
from tests.emulator_support import START, call, create_event

pytestmark = pytest.mark.emulator

ZERO = {"guests": 0, "tickets": 0}


async def get_event(client: aiohttp.ClientSession, event_id: str) -> dict:
    status, ev = await call(client, "GET", "/v1/events/get", params={"event_id": event_id})
    assert status == 200, ev
    return ev


async def test_guest_counts_by_status_and_spots_remaining(client: aiohttp.ClientSession, emu: LumaEmulator) -> None:
    event_id = await create_event(client, max_capacity=10)
    ev = await get_event(client, event_id)
    assert ev["guest_counts"] == dict.fromkeys(
        ("approved", "pending_approval", "waitlist", "invited", "declined", "checked_in"), ZERO
    )
    assert ev["spots_remaining"] == 10 and ev["access"] == "manage"
    emu.seed_guests(event_id, 3)
    emu.seed_guests(event_id, 1, approval_status="pending_approval")
    emu.seed_guests(event_id, 2, approval_status="waitlist")
    emu.seed_guests(event_id, 1, approval_status="invited")
    declined = emu.seed_guests(event_id, 1)[0]
    body = {"event_id": event_id, "guest_id": declined["id"], "status": "declined"}
    assert (await call(client, "POST", "/v1/events/guests/update-status", json=body))[0] == 200
    arrived = emu.guests(event_id)[0]
    emu.state.guests[event_id][arrived["id"]]["event_tickets"][0]["checked_in_at"] = "2030-05-01T18:05:00.000Z"
    counts = (await get_event(client, event_id))["guest_counts"]
    assert counts == {
        "approved": {"guests": 3, "tickets": 3},
        "pending_approval": {"guests": 1, "tickets": 1},
        "waitlist": {"guests": 2, "tickets": 2},
        "invited": {"guests": 1, "tickets": 0},  # invited guests hold no ticket yet
        "declined": {"guests": 1, "tickets": 1},
        "checked_in": {"guests": 1, "tickets": 1},
    }
    assert (await get_event(client, event_id))["spots_remaining"] == 7


async def test_no_capacity_means_no_spots_figure(client: aiohttp.ClientSession) -> None:
    assert (await get_event(client, await create_event(client)))["spots_remaining"] is None


async def test_spots_lag_shows_a_new_events_spots_as_null_until_it_passes(
    client: aiohttp.ClientSession, emu: LumaEmulator
) -> None:
    emu.spots_lag = 5
    event_id = await create_event(client, max_capacity=10)
    assert (await get_event(client, event_id))["spots_remaining"] is None
    emu.clock.advance(seconds=6)
    assert (await get_event(client, event_id))["spots_remaining"] == 10


async def test_display_price_is_the_cheapest_ticket_on_sale(client: aiohttp.ClientSession, emu: LumaEmulator) -> None:
    event_id = await create_event(client)
    assert (await get_event(client, event_id))["display_price"] is None  # free registration
    free = emu.ticket_types(event_id)[0]["id"]
    for cents in (2500, 1500):
        paid = {"event_id": event_id, "name": f"Paid {cents}", "type": "paid", "cents": cents, "currency": "eur"}
        assert (await call(client, "POST", "/v1/events/ticket-types/create", json=paid))[0] == 200
    assert (await get_event(client, event_id))["display_price"] is None  # still free with the free type
    hide = {"event_ticket_type_id": free, "is_hidden": True}
    assert (await call(client, "POST", "/v1/events/ticket-types/update", json=hide))[0] == 200
    ev = await get_event(client, event_id)
    assert ev["display_price"] == {"amount": 1500, "currency": "eur", "is_flexible": False}
    assert ev["require_approval"] is False
    cheap = next(t["id"] for t in emu.ticket_types(event_id) if t["cents"] == 1500)
    expired = {"event_ticket_type_id": cheap, "valid_end_at": "2020-01-01", "require_approval": True}
    assert (await call(client, "POST", "/v1/events/ticket-types/update", json=expired))[0] == 200
    ev = await get_event(client, event_id)
    assert ev["display_price"]["amount"] == 2500 and ev["require_approval"] is False  # off sale: ignored
    approval = {"event_ticket_type_id": cheap, "valid_end_at": None}
    assert (await call(client, "POST", "/v1/events/ticket-types/update", json=approval))[0] == 200
    assert (await get_event(client, event_id))["require_approval"] is True


async def test_registration_waitlist_and_location_settings(client: aiohttp.ClientSession) -> None:
    event_id = await create_event(client, waitlist_status="enabled", location_visibility="guests-only")
    ev = await get_event(client, event_id)
    assert (ev["registration_open"], ev["waitlist_status"], ev["location_visibility"]) == (
        True,
        "enabled",
        "guests-only",
    )
    body = {"event_id": event_id, "registration_open": False, "waitlist_status": "disabled"}
    assert await call(client, "POST", "/v1/events/update", json=body) == (200, {})
    ev = await get_event(client, event_id)
    assert ev["registration_open"] is False and ev["waitlist_status"] == "disabled"
    status, data = await call(client, "POST", "/v1/events/update", json={"event_id": event_id, "waitlist_status": "on"})
    assert status == 400 and "waitlist_status" in data["message"]


async def test_max_capacity_is_a_whole_number_and_counts_tickets_when_guests_hold_several(
    client: aiohttp.ClientSession, emu: LumaEmulator
) -> None:
    fractional = {"name": "x", "start_at": "2030-01-01T00:00:00Z", "timezone": "UTC", "max_capacity": 2.5}
    status, data = await call(client, "POST", "/v1/events/create", json=fractional)
    assert status == 400 and "max_capacity" in data["message"]
    event_id = await create_event(client, max_capacity=3, can_register_for_multiple_tickets=True)
    ticket = emu.ticket_types(event_id)[0]["id"]
    two_each = {
        "event_id": event_id,
        "guests": [{"email": "a@x.io"}],
        "tickets": [{"event_ticket_type_id": ticket}, {"event_ticket_type_id": ticket}],
    }
    assert (await call(client, "POST", "/v1/events/guests/add", json=two_each))[0] == 200
    assert (await get_event(client, event_id))["spots_remaining"] == 1
    status, data = await call(
        client, "POST", "/v1/events/guests/add", json={**two_each, "guests": [{"email": "b@x.io"}]}
    )
    assert status == 400 and "capacity" in data["message"]


async def test_calendar_list_entries_are_summaries_with_the_submitter(
    client: aiohttp.ClientSession, emu: LumaEmulator
) -> None:
    event_id = await create_event(client, max_capacity=5)
    _, page = await call(client, "GET", "/v1/calendars/events/list")
    [entry] = page["entries"]
    assert entry["id"] == event_id and entry["access"] == "manage" and entry["spots_remaining"] == 5
    assert entry["submitted_by"]["email"] == "owner@example.com"
    assert "description" not in entry and "hosts" not in entry and "guest_counts" not in entry
    _, page = await call(client, "GET", "/v1/organizations/events/list")
    assert page["entries"][0]["registration_open"] is True and "description_md" not in page["entries"][0]


# --------------------------------------------------------------------------- from the first emulator tests


async def test_event_create_get_update_and_slug(client: aiohttp.ClientSession, emu: LumaEmulator) -> None:
    event_id = await create_event(client, slug="launch-party", max_capacity=10)
    assert event_id.startswith("evt-")
    status, ev = await call(client, "GET", "/v1/events/get", params={"event_id": event_id})
    assert status == 200
    assert ev["url"] == "https://luma.com/launch-party"
    assert ev["end_at"] == "2030-05-01T19:00:00.000Z" and ev["duration_interval"] == "PT1H"
    assert [h["email"] for h in ev["hosts"]] == ["owner@example.com"]
    status, data = await call(
        client,
        "POST",
        "/v1/events/create",
        json={"name": "y", "start_at": START, "timezone": "UTC", "slug": "launch-party"},
    )
    assert status == 400 and "taken" in data["message"]
    status, data = await call(client, "POST", "/v1/events/update", json={"event_id": event_id, "name": "Renamed"})
    assert (status, data) == (200, {})
    assert emu.event(event_id)["name"] == "Renamed"
    status, _ = await call(client, "POST", "/v1/events/update", json={"event_id": "evt-missing", "name": "x"})
    assert status == 404
    status, lookup = await call(client, "GET", "/v1/entities/lookup", params={"slug": "launch-party"})
    assert lookup["entity"]["type"] == "event" and lookup["entity"]["event"]["id"] == event_id
    no_slug = await create_event(client)
    assert emu.event(no_slug)["url"].startswith("https://luma.com/")


async def test_events_list_filters_platforms_and_tags(client: aiohttp.ClientSession, emu: LumaEmulator) -> None:
    early = await create_event(client, name="Early", start_at="2030-01-01T10:00:00.000Z")
    late = await create_event(client, name="Late", start_at="2030-06-01T10:00:00.000Z")
    status, tag = await call(client, "POST", "/v1/calendars/event-tags/create", json={"name": "Workshop"})
    await call(client, "POST", "/v1/calendars/event-tags/apply", json={"tag": "workshop", "event_ids": [late]})
    status, page = await call(client, "GET", "/v1/calendars/events/list", params={"after": "2030-03-01T00:00:00.000Z"})
    assert status == 200 and [e["id"] for e in page["entries"]] == [late]
    assert page["entries"][0]["tags"] == [{"id": tag["id"], "name": "Workshop"}]
    assert "hosts" not in page["entries"][0] and page["has_more"] is False and "next_cursor" not in page
    status, page = await call(client, "GET", "/v1/calendars/events/list", params={"sort_direction": "desc"})
    assert [e["id"] for e in page["entries"]] == [late, early]
    params = [("platforms", "luma"), ("platforms", "external")]
    status, page = await call(client, "GET", "/v1/calendars/events/list", params=params)
    assert status == 200 and len(page["entries"]) == 2


async def test_cancel_two_step(client: aiohttp.ClientSession, emu: LumaEmulator) -> None:
    event_id = emu.seed_events(1)[0]["id"]
    emu.seed_guests(event_id, 3)
    # A deliberately wrong cancellation token.
    wrong_token = "x"  # nosec B105
    status, data = await call(
        client, "POST", "/v1/events/cancel", json={"event_id": event_id, "cancellation_token": wrong_token}
    )
    assert status == 400
    status, req = await call(client, "POST", "/v1/events/cancel/request", json={"event_id": event_id})
    assert status == 200 and req["guest_count"] == 3 and req["is_paid"] is False
    body = {"event_id": event_id, "cancellation_token": req["cancellation_token"]}
    assert await call(client, "POST", "/v1/events/cancel", json=body) == (200, {})
    assert emu.event(event_id) is None


async def test_cancel_request_counts_approved_guests_and_paid_ones(
    client: aiohttp.ClientSession, emu: LumaEmulator
) -> None:
    event_id = emu.seed_events(1)[0]["id"]
    emu.seed_guests(event_id, 2)
    for status in ("pending_approval", "waitlist", "invited", "declined"):
        emu.seed_guests(event_id, 1, approval_status=status)
    status, req = await call(client, "POST", "/v1/events/cancel/request", json={"event_id": event_id})
    # Luma's document: guest_count is "the number of approved guests for this event".
    assert status == 200 and (req["guest_count"], req["is_paid"]) == (2, False)
    paid = {"event_id": event_id, "name": "Paid", "type": "paid", "cents": 1000, "currency": "usd"}
    _, ticket = await call(client, "POST", "/v1/events/ticket-types/create", json=paid)
    emu.register_guest(event_id, "payer@example.com", "Payer", ticket_type_id=ticket["id"])
    status, req = await call(client, "POST", "/v1/events/cancel/request", json={"event_id": event_id})
    assert (req["guest_count"], req["is_paid"]) == (3, True)
    body = {"event_id": event_id, "cancellation_token": req["cancellation_token"]}
    status, data = await call(client, "POST", "/v1/events/cancel", json=body)
    assert status == 400 and "should_refund" in data["message"]
    assert await call(client, "POST", "/v1/events/cancel", json={**body, "should_refund": True}) == (200, {})
    assert emu.event(event_id) is None


async def test_hosts_rules(client: aiohttp.ClientSession, emu: LumaEmulator) -> None:
    event_id = await create_event(client)
    body = {"event_id": event_id, "email": "cohost@x.io", "name": "Co Host"}
    assert await call(client, "POST", "/v1/events/hosts/add", json=body) == (200, {})
    assert (await call(client, "POST", "/v1/events/hosts/add", json=body))[0] == 400
    assert [h["email"] for h in emu.event(event_id)["hosts"]] == ["owner@example.com", "cohost@x.io"]
    creator = {"event_id": event_id, "email": "owner@example.com"}
    assert (await call(client, "POST", "/v1/events/hosts/remove", json=creator))[0] == 400
    demote = {**creator, "access_level": "check-in"}
    assert (await call(client, "POST", "/v1/events/hosts/update", json=demote))[0] == 400
    assert await call(
        client, "POST", "/v1/events/hosts/remove", json={"event_id": event_id, "email": "cohost@x.io"}
    ) == (
        200,
        {},
    )
