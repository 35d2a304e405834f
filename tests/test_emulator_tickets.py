"""The emulator's ticket types and coupons."""

from __future__ import annotations

import aiohttp
import pytest

from luma_local import LumaEmulator
from tests.emulator_support import call, create_event

pytestmark = pytest.mark.emulator


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


async def test_guests_tickets_carry_lowercase_currency_codes(client: aiohttp.ClientSession, emu: LumaEmulator) -> None:
    event_id = await create_event(client)
    paid = {"event_id": event_id, "name": "VIP", "type": "paid", "cents": 900, "currency": "EUR"}
    _, vip = await call(client, "POST", "/v1/events/ticket-types/create", json=paid)
    assert vip["currency"] == "EUR"  # the type keeps what was sent
    guest = emu.register_guest(event_id, "ana@example.com", ticket_type_id=vip["id"])
    status, seen = await call(client, "GET", "/v1/events/guests/get", params={"event_id": event_id, "id": guest["id"]})
    assert status == 200 and seen["event_tickets"][0]["currency"] == "eur"  # within the contract's enum
