"""Tests of the local Luma emulator itself (luma_local): contract checks, state rules, limits and faults."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from luma_local import FaultSpec, LumaEmulator

pytestmark = [pytest.mark.asyncio, pytest.mark.emulator]

KEY = "luma-local-key"
START = "2030-05-01T18:00:00.000Z"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest_asyncio.fixture
async def emu() -> AsyncIterator[LumaEmulator]:
    async with LumaEmulator(validate_responses=True) as server:
        yield server


@pytest_asyncio.fixture
async def client(emu: LumaEmulator) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(emu.base_url, headers={"x-luma-api-key": KEY}) as session:
        yield session


async def call(
    session: aiohttp.ClientSession, method: str, path: str, *, params: Any = None, json: Any = None
) -> tuple[int, Any]:
    async with session.request(method, path, params=params, json=json) as resp:
        return resp.status, await resp.json(content_type=None)


async def create_event(client: aiohttp.ClientSession, **fields: Any) -> str:
    body = {"name": "Test Event", "start_at": START, "timezone": "UTC", **fields}
    status, data = await call(client, "POST", "/v1/events/create", json=body)
    assert status == 200, data
    return data["id"]


# --------------------------------------------------------------------------- auth, routing, validation


async def test_auth_missing_and_wrong_key(emu: LumaEmulator) -> None:
    async with aiohttp.ClientSession(emu.base_url) as anon:
        status, data = await call(anon, "GET", "/v1/users/get-self")
        assert status == 401 and data["message"]
    async with aiohttp.ClientSession(emu.base_url, headers={"x-luma-api-key": "wrong"}) as wrong:
        status, data = await call(wrong, "GET", "/v1/users/get-self")
        assert status == 401 and "API key" in data["message"]


async def test_unknown_route_and_wrong_method(client: aiohttp.ClientSession) -> None:
    status, data = await call(client, "GET", "/v1/event/get", params={"id": "evt-x"})  # legacy F2 path
    assert status == 404 and "message" in data
    status, data = await call(client, "POST", "/v1/events/get", json={})
    assert status == 405 and "message" in data


async def test_get_self_and_calendar(client: aiohttp.ClientSession, emu: LumaEmulator) -> None:
    status, me = await call(client, "GET", "/v1/users/get-self")
    assert status == 200 and me["id"].startswith("usr-") and me["email"] == "owner@example.com"
    status, cal = await call(client, "GET", "/v1/calendars/get")
    assert status == 200 and cal["id"].startswith("cal-")
    assert emu.requests[0].header("X-Luma-Api-Key") == KEY


@pytest.mark.parametrize(
    ("method", "path", "params", "body", "needle"),
    [
        ("POST", "/v1/events/create", None, {"name": "x", "start_at": START, "timezone": "UTC", "title": "x"}, "title"),
        ("POST", "/v1/events/create", None, {"name": 5, "start_at": START, "timezone": "UTC"}, "name"),
        ("POST", "/v1/events/create", None, {"name": "x", "timezone": "UTC"}, "start_at"),
        ("POST", "/v1/events/create", None, {"name": "x", "start_at": "tomorrow", "timezone": "UTC"}, "start_at"),
        (
            "POST",
            "/v1/events/create",
            None,
            {"name": "x", "start_at": START, "timezone": "UTC", "visibility": "secret"},
            "visibility",
        ),
        ("GET", "/v1/events/get", [("event_id", "evt-a"), ("event_id", "evt-a")], None, "event_id"),
        ("GET", "/v1/events/get", {"event_id": "evt-a", "api_id": "evt-a"}, None, "api_id"),
        ("GET", "/v1/events/get", {}, None, "event_id"),
        ("GET", "/v1/calendars/events/list", {"sort_direction": "up"}, None, "sort_direction"),
        ("GET", "/v1/calendars/events/list", {"pagination_limit": "ten"}, None, "pagination_limit"),
        ("POST", "/v1/events/guests/add", None, {"event_id": "evt-a", "guests": [{"mail": "a@b.co"}]}, "mail"),
    ],
)
async def test_strict_validation_400(
    client: aiohttp.ClientSession, method: str, path: str, params: Any, body: Any, needle: str
) -> None:
    status, data = await call(client, method, path, params=params, json=body)
    assert status == 400, data
    assert needle in data["message"]


async def test_non_json_and_non_object_bodies(client: aiohttp.ClientSession) -> None:
    async with client.post("/v1/events/create", data=b"name=x") as resp:
        assert resp.status == 400
    for body in ([1, 2], "text", None):
        status, _ = await call(client, "POST", "/v1/events/create", json=body)
        assert status == 400


async def test_lax_mode_ignores_unknown_fields() -> None:
    async with LumaEmulator(strict=False) as emu:
        async with aiohttp.ClientSession(emu.base_url, headers={"x-luma-api-key": KEY}) as client:
            body = {"name": "x", "start_at": START, "timezone": "UTC", "colour": "red"}
            status, _ = await call(client, "POST", "/v1/events/create", json=body, params={"debug": "1"})
            assert status == 200


# --------------------------------------------------------------------------- events


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


# --------------------------------------------------------------------------- guests


async def test_guests_add_dedup_get_by_email_and_contacts(client: aiohttp.ClientSession, emu: LumaEmulator) -> None:
    event_id = await create_event(client)
    body = {"event_id": event_id, "guests": [{"email": "Ana@Example.com", "name": "Ana Lima"}]}
    assert await call(client, "POST", "/v1/events/guests/add", json=body) == (200, {})
    body["guests"].append({"email": "ana@example.com"})
    assert (await call(client, "POST", "/v1/events/guests/add", json=body))[0] == 200
    assert len(emu.guests(event_id)) == 1
    status, guest = await call(
        client, "GET", "/v1/events/guests/get", params={"event_id": event_id, "id": "ANA@example.COM"}
    )
    assert status == 200 and guest["id"].startswith("gst-") and guest["approval_status"] == "approved"
    assert guest["event_tickets"][0]["name"] == "General Admission"
    status, same = await call(client, "GET", "/v1/events/guests/get", params={"event_id": event_id, "id": guest["id"]})
    assert same["user_email"] == "Ana@Example.com"
    status, _ = await call(client, "GET", "/v1/events/guests/get", params={"event_id": event_id, "id": "no@one.io"})
    assert status == 404
    assert [c["email"] for c in emu.contacts()] == ["Ana@Example.com"]  # guests become calendar contacts


async def test_guests_add_ticket_rules_and_capacity(client: aiohttp.ClientSession, emu: LumaEmulator) -> None:
    event_id = await create_event(client, max_capacity=2)
    ticket_type = emu.ticket_types(event_id)[0]["id"]
    both = {
        "event_id": event_id,
        "guests": [{"email": "a@x.io"}],
        "ticket": {"event_ticket_type_id": ticket_type},
        "tickets": [{"event_ticket_type_id": ticket_type}],
    }
    status, data = await call(client, "POST", "/v1/events/guests/add", json=both)
    assert status == 400 and "ticket" in data["message"]
    two = {"event_id": event_id, "guests": [{"email": "a@x.io"}, {"email": "b@x.io"}]}
    assert (await call(client, "POST", "/v1/events/guests/add", json=two))[0] == 200
    status, data = await call(
        client, "POST", "/v1/events/guests/add", json={"event_id": event_id, "guests": [{"email": "c@x.io"}]}
    )
    assert status == 400 and "capacity" in data["message"]
    waitlisted = {"event_id": event_id, "guests": [{"email": "c@x.io"}], "approval_status": "waitlist"}
    assert (await call(client, "POST", "/v1/events/guests/add", json=waitlisted))[0] == 200


async def test_update_status_rules(client: aiohttp.ClientSession, emu: LumaEmulator) -> None:
    event_id = emu.seed_events(1)[0]["id"]
    guest = emu.seed_guests(event_id, 1, approval_status="pending_approval")[0]
    base = {"event_id": event_id, "guest_id": guest["user_email"].upper(), "status": "approved"}
    status, data = await call(
        client, "POST", "/v1/events/guests/update-status", json={**base, "send_email": False, "message": "hi"}
    )
    assert status == 400 and "message" in data["message"]
    status, data = await call(client, "POST", "/v1/events/guests/update-status", json={**base, "message": "x" * 201})
    assert status == 400 and "message" in data["message"]
    assert await call(client, "POST", "/v1/events/guests/update-status", json=base) == (200, {})
    assert emu.guest(event_id, guest["id"])["approval_status"] == "approved"
    status, _ = await call(client, "POST", "/v1/events/guests/update-status", json={**base, "guest_id": "gst-nope"})
    assert status == 404


async def test_guests_list_pagination_with_clamping() -> None:
    async with LumaEmulator(max_page_size=5, validate_responses=True) as emu:
        event_id = emu.seed_events(1)[0]["id"]
        emu.seed_guests(event_id, 12)
        emu.seed_guests(event_id, 2, approval_status="pending_approval")
        async with aiohttp.ClientSession(emu.base_url, headers={"x-luma-api-key": KEY}) as client:
            seen: list[str] = []
            params: dict[str, Any] = {"event_id": event_id, "approval_status": "approved", "pagination_limit": 100}
            pages = 0
            while True:
                status, page = await call(client, "GET", "/v1/events/guests/list", params=params)
                assert status == 200 and len(page["entries"]) <= 5
                seen += [g["id"] for g in page["entries"]]
                pages += 1
                if not page["has_more"]:
                    assert "next_cursor" not in page
                    break
                params["pagination_cursor"] = page["next_cursor"]
            assert pages == 3 and len(seen) == len(set(seen)) == 12
            bad = {"event_id": event_id, "pagination_cursor": "not-a-cursor"}
            status, data = await call(client, "GET", "/v1/events/guests/list", params=bad)
            assert status == 400 and "cursor" in data["message"]
            _, first = await call(client, "GET", "/v1/events/guests/list", params={"event_id": event_id})
            other_filter = {
                "event_id": event_id,
                "approval_status": "declined",
                "pagination_cursor": first["next_cursor"],
            }
            status, _ = await call(client, "GET", "/v1/events/guests/list", params=other_filter)
            assert status == 400
            by_email = {"event_id": event_id, "sort_column": "email", "sort_direction": "desc", "pagination_limit": 3}
            _, page = await call(client, "GET", "/v1/events/guests/list", params=by_email)
            emails = [g["user_email"] for g in page["entries"]]
            assert emails == sorted(emails, key=str.lower, reverse=True)


async def test_send_invites_quota_and_no_downgrade() -> None:
    async with LumaEmulator(invite_quota_per_week=3, validate_responses=True) as emu:
        event_id = emu.seed_events(1)[0]["id"]
        going = emu.seed_guests(event_id, 1)[0]
        async with aiohttp.ClientSession(emu.base_url, headers={"x-luma-api-key": KEY}) as client:
            body = {"event_id": event_id, "guests": [{"email": going["user_email"]}, {"email": "new1@x.io"}]}
            assert await call(client, "POST", "/v1/events/guests/send-invites", json=body) == (200, {})
            assert emu.guest(event_id, going["id"])["approval_status"] == "approved"
            invited = emu.guest(event_id, "new1@x.io")
            assert invited["approval_status"] == "invited" and invited["invited_at"]
            body = {
                "event_id": event_id,
                "guests": [{"email": "new2@x.io"}, {"email": "new3@x.io"}, {"email": "n4@x.io"}],
            }
            status, data = await call(client, "POST", "/v1/events/guests/send-invites", json=body)
            assert status == 400 and "weekly invite limit" in data["message"].lower()
            assert emu.guest(event_id, "new2@x.io") is None  # all or nothing
            body = {"event_id": event_id, "guests": [{"email": "x@x.io"}], "message": "m" * 201}
            assert (await call(client, "POST", "/v1/events/guests/send-invites", json=body))[0] == 400


# --------------------------------------------------------------------------- ticket types, coupons


async def test_ticket_types_include_hidden_and_delete_rules(client: aiohttp.ClientSession, emu: LumaEmulator) -> None:
    event_id = await create_event(client)
    default = emu.ticket_types(event_id)[0]
    assert default["name"] == "General Admission" and default["type"] == "free"
    status, data = await call(
        client, "POST", "/v1/events/ticket-types/delete", json={"event_ticket_type_id": default["id"]}
    )
    assert status == 400 and "last visible" in data["message"]
    paid = {"event_id": event_id, "name": "VIP", "type": "paid", "cents": 2500, "currency": "usd"}
    status, vip = await call(client, "POST", "/v1/events/ticket-types/create", json=paid)
    assert status == 200 and vip["id"].startswith("ttype-") and vip["cents"] == 2500
    hidden = {"event_id": event_id, "name": "Crew", "type": "free", "is_hidden": True}
    await call(client, "POST", "/v1/events/ticket-types/create", json=hidden)
    _, listed = await call(client, "GET", "/v1/events/ticket-types/list", params={"event_id": event_id})
    assert [t["name"] for t in listed["entries"]] == ["General Admission", "VIP"]
    _, listed = await call(
        client, "GET", "/v1/events/ticket-types/list", params={"event_id": event_id, "include_hidden": "true"}
    )
    assert len(listed["entries"]) == 3
    status, _ = await call(
        client, "GET", "/v1/events/ticket-types/list", params={"event_id": event_id, "include_hidden": "yes"}
    )
    assert status == 400
    add = {"event_id": event_id, "guests": [{"email": "v@x.io"}], "ticket": {"event_ticket_type_id": vip["id"]}}
    await call(client, "POST", "/v1/events/guests/add", json=add)
    status, data = await call(
        client, "POST", "/v1/events/ticket-types/delete", json={"event_ticket_type_id": vip["id"]}
    )
    assert status == 400 and "sold" in data["message"]
    status, _ = await call(
        client, "POST", "/v1/events/ticket-types/delete", json={"event_ticket_type_id": default["id"]}
    )
    assert status == 200
    status, _ = await call(client, "GET", "/v1/events/ticket-types/get", params={"event_ticket_type_id": default["id"]})
    assert status == 404


async def test_coupons_duplicate_code_and_discount_union(client: aiohttp.ClientSession, emu: LumaEmulator) -> None:
    event_id = await create_event(client)
    body = {"event_id": event_id, "code": "Spring20", "discount": {"discount_type": "percent", "percent_off": 20}}
    status, coupon = await call(client, "POST", "/v1/events/coupons/create", json=body)
    assert status == 200 and coupon["percent_off"] == 20 and coupon["cents_off"] is None
    status, data = await call(client, "POST", "/v1/events/coupons/create", json={**body, "code": "SPRING20"})
    assert status == 400 and "exists" in data["message"]
    for discount in (
        {"discount_type": "percent", "percent_off": 120},
        {"discount_type": "amount", "cents_off": 500},
        {"discount_type": "amount", "cents_off": 500, "currency": "USD"},
    ):
        status, _ = await call(
            client, "POST", "/v1/events/coupons/create", json={**body, "code": "X", "discount": discount}
        )
        assert status == 400, discount
    status, _ = await call(client, "POST", "/v1/events/coupons/create", json={**body, "code": "x" * 21})
    assert status == 400
    update = {"event_id": event_id, "code": "spring20", "remaining_count": 5}
    assert await call(client, "POST", "/v1/events/coupons/update", json=update) == (200, {})
    assert emu.coupons(event_id)[0]["remaining_count"] == 5
    amount = {"code": "TENOFF", "discount": {"discount_type": "amount", "cents_off": 1000, "currency": "usd"}}
    status, cal_coupon = await call(client, "POST", "/v1/calendars/coupons/create", json=amount)
    assert status == 200 and cal_coupon["currency"] == "usd"
    _, listed = await call(client, "GET", "/v1/calendars/coupons/list")
    assert [c["code"] for c in listed["entries"]] == ["TENOFF"]


# --------------------------------------------------------------------------- contacts, tags, hosts, webhooks


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


# --------------------------------------------------------------------------- rate limit


async def test_rate_limit_429_lockout_and_headers() -> None:
    clock = FakeClock()
    async with LumaEmulator(rate_limit=3, rate_window=1.0, lockout=0.5, clock=clock) as emu:
        async with aiohttp.ClientSession(emu.base_url, headers={"x-luma-api-key": KEY}) as client:
            remaining = []
            for _ in range(3):
                async with client.get("/v1/users/get-self") as resp:
                    assert resp.status == 200
                    assert resp.headers["X-RateLimit-Limit"] == "3"
                    assert resp.headers["X-RateLimit-Reset"] == "1"
                    remaining.append(resp.headers["X-RateLimit-Remaining"])
            assert remaining == ["2", "1", "0"]
            async with client.post("/v1/events/create", json={}) as resp:  # GET and POST share the budget
                assert resp.status == 429 and resp.headers["Retry-After"] == "1"
                assert "message" in await resp.json()
            clock.now += 0.3
            async with client.get("/v1/users/get-self") as resp:  # still locked out
                assert resp.status == 429 and resp.headers["Retry-After"] == "1"
            clock.now += 0.3
            async with client.get("/v1/users/get-self") as resp:
                assert resp.status == 200 and resp.headers["X-RateLimit-Remaining"] == "2"


async def test_rate_limit_headers_can_be_disabled() -> None:
    async with LumaEmulator(rate_limit=1, rate_limit_headers=False) as emu:
        async with aiohttp.ClientSession(emu.base_url, headers={"x-luma-api-key": KEY}) as client:
            async with client.get("/v1/users/get-self") as resp:
                assert resp.status == 200 and "X-RateLimit-Remaining" not in resp.headers
            async with client.get("/v1/users/get-self") as resp:
                assert resp.status == 429 and resp.headers["Retry-After"] == "60"
                assert "X-RateLimit-Reset" not in resp.headers


# --------------------------------------------------------------------------- faults


async def test_fault_status_times_then_normal(client: aiohttp.ClientSession, emu: LumaEmulator) -> None:
    fault = emu.inject("/v1/users/get-self", status=503, times=2)
    assert isinstance(fault, FaultSpec)
    assert (await call(client, "GET", "/v1/users/get-self"))[0] == 503
    assert (await call(client, "GET", "/v1/users/get-self"))[0] == 503
    assert (await call(client, "GET", "/v1/users/get-self"))[0] == 200
    assert fault.hits == 2
    emu.inject("GET /v1/calendars/get", status=429, retry_after=7, body={"message": "slow down", "code": None})
    async with client.get("/v1/calendars/get") as resp:
        assert resp.status == 429 and resp.headers["Retry-After"] == "7"
        assert await resp.json() == {"message": "slow down", "code": None}
    emu.inject("*", status=500, times=None)
    assert (await call(client, "GET", "/v1/calendars/get"))[0] == 500
    emu.clear_faults()
    assert (await call(client, "GET", "/v1/calendars/get"))[0] == 200


async def test_fault_malformed_bodies(client: aiohttp.ClientSession, emu: LumaEmulator) -> None:
    emu.inject("/v1/users/get-self", body="{not json")
    async with client.get("/v1/users/get-self") as resp:
        assert resp.status == 200
        with pytest.raises(ValueError):
            await resp.json()
    emu.inject("/v1/users/get-self", status=502, body="<html><body>Bad gateway</body></html>", content_type="text/html")
    async with client.get("/v1/users/get-self") as resp:
        assert resp.status == 502 and resp.content_type == "text/html"


async def test_fault_latency(client: aiohttp.ClientSession, emu: LumaEmulator) -> None:
    emu.inject("/v1/users/get-self", latency=0.2)
    started = time.perf_counter()
    status, _ = await call(client, "GET", "/v1/users/get-self")
    assert status == 200 and time.perf_counter() - started >= 0.2


async def test_fault_hang_times_out_client(client: aiohttp.ClientSession, emu: LumaEmulator) -> None:
    emu.inject("/v1/users/get-self", hang=True)
    with pytest.raises(asyncio.TimeoutError):
        async with client.get("/v1/users/get-self", timeout=aiohttp.ClientTimeout(total=0.2)) as resp:
            await resp.read()
    assert (await call(client, "GET", "/v1/users/get-self"))[0] == 200


async def test_fault_drop_after_work_changes_state(client: aiohttp.ClientSession, emu: LumaEmulator) -> None:
    emu.inject("POST /v1/events/create", drop_after_work=True)
    body = {"name": "Lost response", "start_at": START, "timezone": "UTC"}
    with pytest.raises(aiohttp.ClientConnectionError):
        await call(client, "POST", "/v1/events/create", json=body)
    assert [e["name"] for e in emu.events()] == ["Lost response"]
    assert (await call(client, "POST", "/v1/events/create", json=body))[0] == 200  # a naive retry duplicates
    assert len(emu.events()) == 2
    assert emu.requests_to("/v1/events/create")[0].status is None


# --------------------------------------------------------------------------- observability, seeding, threads


async def test_requests_are_recorded(client: aiohttp.ClientSession, emu: LumaEmulator) -> None:
    await call(client, "GET", "/v1/calendars/contacts/list", params=[("tags", "a"), ("tags", "b")])
    await call(client, "POST", "/v1/calendars/contact-tags/create", json={"name": "a"})
    get, post = emu.requests
    assert (get.method, get.path, get.query, get.status) == (
        "GET",
        "/v1/calendars/contacts/list",
        [("tags", "a"), ("tags", "b")],
        200,
    )
    assert get.query_values("tags") == ["a", "b"]
    assert post.json == {"name": "a"} and post.header("x-luma-api-key") == KEY


async def test_seed_demo_responses_match_contract(client: aiohttp.ClientSession, emu: LumaEmulator) -> None:
    demo = emu.seed_demo()
    event_id = demo["events"][0]["id"]
    assert any(g["approval_status"] == "pending_approval" for g in emu.guests(event_id))
    assert any(t["type"] == "paid" and t["currency"] == "usd" for t in emu.ticket_types(event_id))
    assert len({g["user_email"].split("@")[1] for g in emu.guests(event_id)}) > 3
    # validate_responses=True turns any contract violation into a 500
    for path, params in [
        ("/v1/events/get", {"event_id": event_id}),
        ("/v1/calendars/events/list", [("platforms", "luma"), ("platforms", "external")]),
        ("/v1/events/guests/list", {"event_id": event_id, "pagination_limit": 30}),
        ("/v1/events/guests/get", {"event_id": event_id, "id": emu.guests(event_id)[0]["id"]}),
        ("/v1/events/ticket-types/list", {"event_id": event_id, "include_hidden": "true"}),
        ("/v1/events/coupons/list", {"event_id": event_id}),
        ("/v1/calendars/coupons/list", {}),
        ("/v1/calendars/contacts/list", {"sort_column": "revenue_usd_cents", "sort_direction": "desc"}),
        ("/v1/calendars/contact-tags/list", {}),
        ("/v1/calendars/event-tags/list", {}),
        ("/v1/calendars/admins/list", {}),
        ("/v1/calendars/events/lookup", {"event_id": event_id}),
        ("/v1/entities/lookup", {"slug": "autohive-builders"}),
        ("/v1/memberships/tiers/list", {}),
        ("/v1/webhooks/list", {}),
        ("/v1/organizations/admins/list", {}),
        ("/v1/organizations/calendars/list", {}),
        ("/v1/organizations/events/list", {}),
    ]:
        status, data = await call(client, "GET", path, params=params)
        assert status == 200, (path, data)
    status, data = await call(
        client,
        "POST",
        "/v1/calendars/events/add",
        json={
            "platform": "external",
            "url": "https://example.com/e",
            "name": "Partner Event",
            "start_at": START,
            "duration_interval": "PT2H",
            "timezone": "UTC",
        },
    )
    assert status == 200 and data["status"] == "approved"
    status, data = await call(client, "GET", "/v1/calendars/events/list", params={"platforms": "external"})
    assert status == 200 and data["entries"][0]["end_at"] == "2030-05-01T20:00:00.000Z"


async def test_start_in_thread() -> None:
    emu = LumaEmulator()
    url = emu.start_in_thread()
    try:
        async with aiohttp.ClientSession(url, headers={"x-luma-api-key": KEY}) as client:
            assert (await call(client, "GET", "/v1/users/get-self"))[0] == 200
    finally:
        emu.stop_thread()
