"""The test helpers for what Luma does outside its API: page registrations, check-ins, a host's status
change, calendar submissions; their timestamps come from the emulator's clock."""

from __future__ import annotations

from datetime import UTC, datetime

import aiohttp
import pytest

from luma_local import ApiError, LumaEmulator
from tests.emulator_support import START, call, create_event

pytestmark = pytest.mark.emulator

NOV_1 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


async def paid_type(client: aiohttp.ClientSession, event_id: str, **fields: object) -> str:
    body = {"event_id": event_id, "name": "Supporter", "type": "paid", "cents": 2500, "currency": "usd", **fields}
    status, created = await call(client, "POST", "/v1/events/ticket-types/create", json=body)
    assert status == 200, created
    return created["id"]


async def test_register_guest_pays_and_is_stamped_by_the_clock(
    client: aiohttp.ClientSession, emu: LumaEmulator
) -> None:
    event_id = await create_event(client)
    supporter = await paid_type(client, event_id)
    emu.clock.set(NOV_1)
    guest = emu.register_guest(event_id, "ana@example.com", "Ana Lima", ticket_type_id=supporter)
    assert guest["approval_status"] == "approved" and guest["registered_at"] == "2026-11-01T09:00:00.000Z"
    [ticket] = guest["event_tickets"]
    assert (ticket["amount"], ticket["currency"], ticket["is_captured"]) == (2500, "usd", True)
    assert guest["event_ticket_orders"][0]["amount"] == 2500
    status, seen = await call(client, "GET", "/v1/events/guests/get", params={"event_id": event_id, "id": guest["id"]})
    assert status == 200 and seen["user_name"] == "Ana Lima"
    [contact] = emu.contacts()
    assert contact["created_at"] == "2026-11-01T09:00:00.000Z" and contact["revenue_usd_cents"] == 2500
    free = emu.register_guest(event_id, "ben@example.com", at="2026-11-02T10:00:00Z")
    assert free["registered_at"] == "2026-11-02T10:00:00.000Z" and free["event_tickets"][0]["amount"] == 0


async def test_triggers_can_poll_registrations_by_registered_at(
    client: aiohttp.ClientSession, emu: LumaEmulator
) -> None:
    event_id = await create_event(client)
    emu.clock.set(NOV_1)
    for email in ("c@x.io", "a@x.io", "b@x.io"):
        emu.register_guest(event_id, email)
        emu.clock.advance(minutes=5)
    params = {"event_id": event_id, "sort_column": "registered_at", "sort_direction": "desc"}
    _, page = await call(client, "GET", "/v1/events/guests/list", params=params)
    assert [(g["user_email"], g["registered_at"]) for g in page["entries"]] == [
        ("b@x.io", "2026-11-01T09:10:00.000Z"),
        ("a@x.io", "2026-11-01T09:05:00.000Z"),
        ("c@x.io", "2026-11-01T09:00:00.000Z"),
    ]


async def test_approval_tickets_wait_and_payment_is_captured_on_approval(
    client: aiohttp.ClientSession, emu: LumaEmulator
) -> None:
    event_id = await create_event(client)
    vetted = await paid_type(client, event_id, require_approval=True)
    guest = emu.register_guest(event_id, "ana@example.com", ticket_type_id=vetted)
    assert guest["approval_status"] == "pending_approval" and guest["event_tickets"][0]["is_captured"] is False
    emu.clock.set(NOV_1)
    approved = emu.set_guest_status(event_id, "ana@example.com", "approved")
    assert approved["approval_status"] == "approved" and approved["event_tickets"][0]["is_captured"] is True
    assert approved["registered_at"] != "2026-11-01T09:00:00.000Z"  # approval does not re-register
    declined = emu.set_guest_status(event_id, guest["id"], "declined")
    assert declined["approval_status"] == "declined"
    again = emu.register_guest(event_id, "ana@example.com", status="approved", at=NOV_1)
    assert again["id"] == guest["id"] and again["registered_at"] == "2026-11-01T09:00:00.000Z"  # re-registration


async def test_a_full_event_waitlists_or_refuses(client: aiohttp.ClientSession, emu: LumaEmulator) -> None:
    event_id = await create_event(client, max_capacity=1, waitlist_status="enabled")
    assert emu.register_guest(event_id, "a@x.io")["approval_status"] == "approved"
    assert emu.register_guest(event_id, "b@x.io")["approval_status"] == "waitlist"
    await call(client, "POST", "/v1/events/update", json={"event_id": event_id, "waitlist_status": "disabled"})
    with pytest.raises(ApiError, match="sold out"):
        emu.register_guest(event_id, "c@x.io")
    with pytest.raises(ApiError, match="capacity"):
        emu.set_guest_status(event_id, "b@x.io", "approved")
    await call(client, "POST", "/v1/events/update", json={"event_id": event_id, "registration_open": False})
    with pytest.raises(ApiError, match="Registration is closed"):
        emu.register_guest(event_id, "d@x.io", status="pending_approval")


async def test_register_guest_refusals(client: aiohttp.ClientSession, emu: LumaEmulator) -> None:
    event_id = await create_event(client)
    emu.register_guest(event_id, "a@x.io")
    with pytest.raises(ApiError, match="already registered"):
        emu.register_guest(event_id, "A@x.io")
    with pytest.raises(ApiError, match="not a ticket type of this event"):
        emu.register_guest(event_id, "b@x.io", ticket_type_id="ttype-other")
    with pytest.raises(ApiError, match="not invited"):
        emu.register_guest(event_id, "b@x.io", status="invited")
    with pytest.raises(ApiError, match="not a valid email"):
        emu.register_guest(event_id, "not-an-email")
    with pytest.raises(ApiError, match="Invalid status"):
        emu.set_guest_status(event_id, "a@x.io", "invited")
    invite = {"event_id": event_id, "guests": [{"email": "inv@x.io"}]}
    await call(client, "POST", "/v1/events/guests/send-invites", json=invite)
    assert emu.register_guest(event_id, "inv@x.io")["invited_at"] is not None  # an invitee registers


async def test_check_in_stamps_tickets_from_the_clock(client: aiohttp.ClientSession, emu: LumaEmulator) -> None:
    event_id = await create_event(client)
    ticket_type = emu.ticket_types(event_id)[0]["id"]
    add = {
        "event_id": event_id,
        "guests": [{"email": "a@x.io"}],
        "tickets": [{"event_ticket_type_id": ticket_type}, {"event_ticket_type_id": ticket_type}],
    }
    await call(client, "POST", "/v1/events/guests/add", json=add)
    first, second = emu.guest(event_id, "a@x.io")["event_tickets"]
    emu.clock.set(NOV_1)
    guest = emu.check_in(event_id, "a@x.io", ticket_id=first["id"])
    assert [t["checked_in_at"] for t in guest["event_tickets"]] == ["2026-11-01T09:00:00.000Z", None]
    emu.clock.advance(minutes=3)
    guest = emu.check_in(event_id, guest["id"])
    assert [t["checked_in_at"] for t in guest["event_tickets"]] == [
        "2026-11-01T09:00:00.000Z",  # a scanned ticket keeps its time
        "2026-11-01T09:03:00.000Z",
    ]
    _, ev = await call(client, "GET", "/v1/events/get", params={"event_id": event_id})
    assert ev["guest_counts"]["checked_in"] == {"guests": 1, "tickets": 2}
    assert emu.contacts()[0]["event_checked_in_count"] == 1
    emu.register_guest(event_id, "late@x.io")
    emu.check_in(event_id, "late@x.io", at=datetime(2026, 11, 1, 8, 0, tzinfo=UTC))
    params = {"event_id": event_id, "sort_column": "checked_in_at"}
    _, page = await call(client, "GET", "/v1/events/guests/list", params=params)
    assert [g["user_email"] for g in page["entries"]] == ["late@x.io", "a@x.io"]


async def test_check_in_refusals(client: aiohttp.ClientSession, emu: LumaEmulator) -> None:
    event_id = await create_event(client)
    emu.register_guest(event_id, "p@x.io", status="pending_approval")
    with pytest.raises(ApiError, match="Only approved guests"):
        emu.check_in(event_id, "p@x.io")
    with pytest.raises(ApiError, match="Guest nobody@x.io not found"):
        emu.check_in(event_id, "nobody@x.io")
    emu.register_guest(event_id, "a@x.io")
    with pytest.raises(ApiError, match="no ticket tkt-x"):
        emu.check_in(event_id, "a@x.io", ticket_id="tkt-x")
    with pytest.raises(ValueError, match="no time zone"):
        emu.check_in(event_id, "a@x.io", at=datetime(2026, 11, 1))


async def test_submit_an_external_event_for_approval(client: aiohttp.ClientSession, emu: LumaEmulator) -> None:
    emu.clock.set(NOV_1)
    submitted = emu.submit_calendar_event(
        name="Partner Hack Day", start_at=START, url="https://partner.example/hack", submitted_by="pat@partner.example"
    )
    assert submitted["id"].startswith("calev-") and submitted["status"] == "pending"
    _, found = await call(client, "GET", "/v1/calendars/events/lookup", params={"url": "https://partner.example/hack"})
    assert found["event"]["status"] == "pending" and found["event"]["submitted_by"]["email"] == "pat@partner.example"
    pending = {"platforms": "external", "status": "pending"}
    _, page = await call(client, "GET", "/v1/calendars/events/list", params=pending)
    [entry] = page["entries"]
    assert entry["name"] == "Partner Hack Day" and entry["created_at"] == "2026-11-01T09:00:00.000Z"
    approve = {"calendar_event_id": submitted["id"]}
    assert await call(client, "POST", "/v1/calendars/events/approve", json=approve) == (200, {})
    _, page = await call(client, "GET", "/v1/calendars/events/list", params={"platforms": "external"})
    assert [e["id"] for e in page["entries"]] == [submitted["id"]]
    with pytest.raises(ApiError, match="event_id"):
        emu.submit_calendar_event(name="No date")


async def test_submit_a_luma_event_managed_elsewhere(client: aiohttp.ClientSession, emu: LumaEmulator) -> None:
    _, other = await call(client, "POST", "/v2/organizations/calendars/create", json={"name": "Other"})
    body = {"name": "Their Meetup", "start_at": START, "timezone": "UTC"}
    theirs = emu.call("POST", "/v1/events/create", body=body, calendar_id=other["id"])["id"]
    submitted = emu.submit_calendar_event(event_id=theirs)
    params = [("access", "view"), ("status", "pending")]
    _, page = await call(client, "GET", "/v1/calendars/events/list", params=params)
    assert [(e["id"], e["access"]) for e in page["entries"]] == [(theirs, "view")]
    assert (await call(client, "POST", "/v1/calendars/events/reject", json={"calendar_event_id": theirs}))[0] == 200
    _, found = await call(client, "GET", "/v1/calendars/events/lookup", params={"event_id": theirs})
    assert found["event"] == {
        "id": submitted["id"],
        "status": "rejected",
        "submitted_by": found["event"]["submitted_by"],
    }
