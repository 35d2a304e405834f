"""The emulator's calendar routes: contacts, webhooks, and those of Luma's 2026-08-07 document (the plural
calendars/events/* and entities/lookup, the access filter, admins, contact block/remove/restore, the nine
webhook types)."""

from __future__ import annotations

import aiohttp
import pytest

from luma_local import LumaEmulator
from tests.emulator_support import START, call, create_event

pytestmark = pytest.mark.emulator

EXTERNAL = {
    "platform": "external",
    "url": "https://partner.example.com/e/1",
    "name": "Partner Meetup",
    "start_at": START,
    "duration_interval": "PT90M",
    "timezone": "UTC",
}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/calendar/lookup-event"),
        ("POST", "/v1/calendar/add-event"),
        ("POST", "/v1/calendar/approve-event"),
        ("POST", "/v1/calendar/reject-event"),
        ("GET", "/v1/calendar/admins/list"),
        ("GET", "/v1/entity/lookup"),
    ],
)
async def test_the_singular_paths_are_gone(client: aiohttp.ClientSession, method: str, path: str) -> None:
    status, data = await call(client, method, path, json={} if method == "POST" else None)
    assert status == 404 and "Route not found" in data["message"]


async def test_add_external_event_then_lookup_approve_and_reject(client: aiohttp.ClientSession) -> None:
    status, added = await call(
        client, "POST", "/v1/calendars/events/add", json={**EXTERNAL, "submission_mode": "pending"}
    )
    assert status == 200 and added["id"].startswith("calev-") and added["status"] == "pending"
    _, found = await call(client, "GET", "/v1/calendars/events/lookup", params={"url": EXTERNAL["url"]})
    assert found["event"]["id"] == added["id"] and found["event"]["status"] == "pending"
    assert found["event"]["submitted_by"]["email"] == "owner@example.com"
    listed = {"platforms": "external", "status": "pending"}
    _, page = await call(client, "GET", "/v1/calendars/events/list", params=listed)
    assert [e["id"] for e in page["entries"]] == [added["id"]] and page["entries"][0][
        "end_at"
    ] == "2030-05-01T19:30:00.000Z"
    approve = {"calendar_event_id": added["id"]}
    assert await call(client, "POST", "/v1/calendars/events/approve", json=approve) == (200, {})
    _, found = await call(client, "GET", "/v1/calendars/events/lookup", params={"url": EXTERNAL["url"]})
    assert found["event"]["status"] == "approved"
    reject = {"calendar_event_id": added["id"], "message": "Off topic"}
    assert await call(client, "POST", "/v1/calendars/events/reject", json=reject) == (200, {})
    _, found = await call(client, "GET", "/v1/calendars/events/lookup", params={"url": EXTERNAL["url"]})
    assert found["event"]["status"] == "rejected"
    _, nothing = await call(client, "GET", "/v1/calendars/events/lookup", params={"url": "https://nowhere.example"})
    assert nothing == {"event": None}


async def test_calendar_event_errors(client: aiohttp.ClientSession, emu: LumaEmulator) -> None:
    own = await create_event(client)
    status, data = await call(client, "POST", "/v1/calendars/events/add", json={"platform": "luma", "event_id": own})
    assert status == 400 and "managed by this calendar" in data["message"]
    status, _ = await call(client, "POST", "/v1/calendars/events/add", json={"platform": "luma", "event_id": "evt-no"})
    assert status == 404
    for path in ("/v1/calendars/events/approve", "/v1/calendars/events/reject"):
        status, data = await call(client, "POST", path, json={"calendar_event_id": "calev-unknown"})
        assert status == 404 and "calev-unknown" in data["message"]
    status, data = await call(client, "GET", "/v1/calendars/events/lookup", params={"platform": "meetup"})
    assert status == 400 and "platform" in data["message"]
    _, found = await call(client, "GET", "/v1/calendars/events/lookup", params={"event_id": own})
    assert found["event"] == {"id": own, "status": "approved", "submitted_by": found["event"]["submitted_by"]}


async def test_admins_and_entity_lookup(client: aiohttp.ClientSession, emu: LumaEmulator) -> None:
    status, admins = await call(client, "GET", "/v1/calendars/admins/list")
    assert status == 200 and admins["has_more"] is False
    assert [a["email"] for a in admins["entries"]] == ["owner@example.com"]
    status, data = await call(client, "GET", "/v1/calendars/admins/list", params={"pagination_limit": 5})
    assert status == 400 and "pagination_limit" in data["message"]
    calendar_slug = emu.state.calendar["slug"]
    _, entity = await call(client, "GET", "/v1/entities/lookup", params={"slug": calendar_slug})
    assert entity["entity"]["type"] == "calendar" and entity["entity"]["calendar"]["id"] == emu.state.calendar_id
    status, data = await call(client, "GET", "/v1/entities/lookup")
    assert status == 400 and "slug" in data["message"]


async def test_access_view_lists_events_managed_elsewhere_blurred(
    client: aiohttp.ClientSession, emu: LumaEmulator
) -> None:
    _, other = await call(client, "POST", "/v2/organizations/calendars/create", json={"name": "Partner Calendar"})
    elsewhere = await create_event(
        client,
        name="Partner Night",
        meeting_url="https://zoom.us/j/1",
        coordinate={"latitude": -36.84846, "longitude": 174.76333},
    )
    secret = await create_event(client, name="Board Meeting", visibility="private")
    for event_id in (elsewhere, secret):
        move = {"event_id": event_id, "calendar_id": other["id"]}
        assert await call(client, "POST", "/v1/organizations/events/transfer-calendar", json=move) == (200, {})
        add = {"platform": "luma", "event_id": event_id}
        assert (await call(client, "POST", "/v1/calendars/events/add", json=add))[0] == 200
    own = await create_event(client, name="Our Meetup")
    _, page = await call(client, "GET", "/v1/calendars/events/list")
    assert [e["id"] for e in page["entries"]] == [own]  # access defaults to manage
    both = [("access", "manage"), ("access", "view")]
    _, page = await call(client, "GET", "/v1/calendars/events/list", params=both)
    by_id = {e["id"]: e for e in page["entries"]}
    assert set(by_id) == {own, elsewhere}  # a private event the calendar does not manage never shows
    viewed = by_id[elsewhere]
    assert viewed["access"] == "view" and viewed["coordinate"] == {"latitude": -36.85, "longitude": 174.76}
    assert "meeting_url" not in viewed and "registration_questions" not in viewed and "feedback_email" not in viewed
    assert viewed["submitted_by"]["email"] == "owner@example.com"


async def test_contacts_block_remove_restore(client: aiohttp.ClientSession, emu: LumaEmulator) -> None:
    ana, ben = emu.seed_contacts(2, tags=["VIP"])
    assert ana["id"] == ana["user_id"] and ana["id"].startswith("usr-")  # Luma: contact ids are usr- ids
    assert await call(client, "POST", "/v1/calendars/contacts/block", json={"contact_id": ana["id"]}) == (200, {})
    assert await call(client, "POST", "/v1/calendars/contacts/remove", json={"email": ben["email"].upper()}) == (
        200,
        {},
    )
    _, page = await call(client, "GET", "/v1/calendars/contacts/list")
    assert page["entries"] == [] and emu.contacts() == []
    _, res = await call(
        client, "POST", "/v1/calendars/contact-tags/unapply", json={"tag": "VIP", "emails": [ana["email"]]}
    )
    assert res == {"removed_count": 0, "skipped_count": 1}

    event_id = await create_event(client)
    add = {"event_id": event_id, "guests": [{"email": ana["email"]}]}
    status, data = await call(client, "POST", "/v1/events/guests/add", json=add)
    assert status == 400 and "blocked" in data["message"]
    invite = {"event_id": event_id, "guests": [{"email": ana["email"]}]}
    assert (await call(client, "POST", "/v1/events/guests/send-invites", json=invite))[0] == 200
    assert emu.guest(event_id, ana["email"]) is None  # blocked people get no invites
    add = {"event_id": event_id, "guests": [{"email": ben["email"]}]}
    assert (await call(client, "POST", "/v1/events/guests/add", json=add))[0] == 200
    assert [c["email"] for c in emu.contacts()] == [ben["email"]]  # a removed contact who joins again is back

    assert await call(client, "POST", "/v1/calendars/contacts/restore", json={"contact_id": ana["id"]}) == (200, {})
    _, page = await call(client, "GET", "/v1/calendars/contacts/list")
    assert {c["id"] for c in page["entries"]} == {ana["id"], ben["id"]}
    assert next(c for c in page["entries"] if c["id"] == ana["id"])["tags"][0]["name"] == "VIP"  # tags survive


@pytest.mark.parametrize(
    ("body", "status", "needle"),
    [
        ({}, 400, "contact_id or email"),
        ({"contact_id": "usr-nobody"}, 404, "usr-nobody"),
        ({"email": "nobody@x.io"}, 404, "nobody@x.io"),
        ({"contact_id": "usr-x", "email": "y@x.io", "note": "n"}, 400, "note"),
    ],
)
@pytest.mark.parametrize(
    "path", ["/v1/calendars/contacts/block", "/v1/calendars/contacts/remove", "/v1/calendars/contacts/restore"]
)
async def test_contact_standing_errors(
    client: aiohttp.ClientSession, path: str, body: dict, status: int, needle: str
) -> None:
    got, data = await call(client, "POST", path, json=body)
    assert got == status and needle in data["message"]


async def test_contact_id_and_email_must_name_the_same_contact(
    client: aiohttp.ClientSession, emu: LumaEmulator
) -> None:
    ana, ben = emu.seed_contacts(2)
    body = {"contact_id": ana["id"], "email": ben["email"]}
    status, data = await call(client, "POST", "/v1/calendars/contacts/block", json=body)
    assert status == 400 and "different contacts" in data["message"]


async def test_webhooks_take_the_nine_types_and_the_wildcard(client: aiohttp.ClientSession) -> None:
    types = [
        "event.created",
        "event.updated",
        "event.canceled",
        "guest.registered",
        "guest.updated",
        "ticket.registered",
        "calendar.person.subscribed",
        "calendar.event.added",
        "calendar.event.submitted",
    ]
    status, hook = await call(
        client, "POST", "/v2/webhooks/create", json={"url": "https://h.example/x", "event_types": types}
    )
    assert status == 200 and hook["event_types"] == types
    status, hook = await call(client, "POST", "/v2/webhooks/update", json={"id": hook["id"], "event_types": ["*"]})
    assert status == 200 and hook["event_types"] == ["*"]
    status, data = await call(
        client, "POST", "/v2/webhooks/update", json={"id": hook["id"], "event_types": ["guest.refunded"]}
    )
    assert status == 400 and "event_types" in data["message"]


# --------------------------------------------------------------------------- from the first emulator tests


async def test_contacts_filters(client: aiohttp.ClientSession, emu: LumaEmulator) -> None:
    vips = emu.seed_contacts(3, tags=["VIP"])
    sponsors = emu.seed_contacts(2, tags=["Sponsor"], domain="sponsorco.org")
    emu.seed_contacts(4)
    tag_id = next(t["id"] for t in emu.contact_tags() if t["name"] == "Sponsor")
    params = [("tags", "vip"), ("tags", tag_id)]
    _, page = await call(client, "GET", "/v1/calendars/contacts/list", params=params)
    assert {c["id"] for c in page["entries"]} == {c["id"] for c in vips + sponsors}
    _, page = await call(client, "GET", "/v1/calendars/contacts/list", params={"query": "SPONSORCO.ORG"})
    assert {c["id"] for c in page["entries"]} == {c["id"] for c in sponsors}
    _, page = await call(
        client, "GET", "/v1/calendars/contacts/list", params={"sort_column": "name", "pagination_limit": 4}
    )
    names = [c["name"] for c in page["entries"]]
    assert names == sorted(names, key=str.lower) and page["has_more"] is True
    import_body = {"contacts": [{"email": "new@x.io", "name": "New Person"}], "tags": ["Sponsor"]}
    assert await call(client, "POST", "/v1/calendars/contacts/import", json=import_body) == (200, {})
    status, _ = await call(client, "POST", "/v1/calendars/contacts/import", json={**import_body, "tags": ["nope"]})
    assert status == 400
    status, res = await call(
        client, "POST", "/v1/calendars/contact-tags/apply", json={"tag": "VIP", "emails": ["new@x.io", "ghost@x.io"]}
    )
    assert res == {"applied_count": 1, "skipped_count": 1}
    status, res = await call(
        client, "POST", "/v1/calendars/contact-tags/unapply", json={"tag": "VIP", "emails": ["new@x.io"]}
    )
    assert res == {"removed_count": 1, "skipped_count": 0}


async def test_webhooks_crud(client: aiohttp.ClientSession, emu: LumaEmulator) -> None:
    status, hook = await call(
        client, "POST", "/v2/webhooks/create", json={"url": "https://example.com/h", "event_types": ["event.created"]}
    )
    assert status == 200 and hook["id"].startswith("wh-") and hook["status"] == "active"
    status, _ = await call(
        client, "POST", "/v2/webhooks/create", json={"url": "https://example.com/h", "event_types": []}
    )
    assert status == 400
    status, updated = await call(client, "POST", "/v2/webhooks/update", json={"id": hook["id"], "status": "paused"})
    assert updated["status"] == "paused"
    _, got = await call(client, "GET", "/v2/webhooks/get", params={"id": hook["id"]})
    assert got == updated
    assert await call(client, "POST", "/v1/webhooks/delete", json={"id": hook["id"]}) == (200, {})
    _, listed = await call(client, "GET", "/v1/webhooks/list")
    assert listed == {"entries": [], "has_more": False}
