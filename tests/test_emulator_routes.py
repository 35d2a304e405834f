"""The emulator's route table against its contract: a handler for every route, a route for every handler,
and seeded data answering every read within the contract."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from luma_local import LumaEmulator
from luma_local.routes import table as emulator_routes
from luma_local.contract import Contract
from luma_local.routes.base import RouteTable, routes_of
from tests.emulator_support import START, call

pytestmark = pytest.mark.emulator


def contract_routes() -> set[tuple[str, str]]:
    return set(Contract.load(strict=True).routes)


def test_every_contract_route_has_exactly_one_handler() -> None:
    table = emulator_routes.route_table()
    assert set(table) == contract_routes()
    emulator_routes.check_complete(table, contract_routes())


def test_a_contract_route_without_handler_stops_start_up() -> None:
    table = emulator_routes.route_table()
    del table[("GET", "/v1/events/get")]
    with pytest.raises(RuntimeError, match="without handler.*GET /v1/events/get"):
        emulator_routes.check_complete(table, contract_routes())


def test_a_handler_for_a_route_outside_the_contract_stops_start_up() -> None:
    table = emulator_routes.route_table()
    table[("GET", "/v1/event/get")] = table[("GET", "/v1/events/get")]
    with pytest.raises(RuntimeError, match="not in the contract.*GET /v1/event/get"):
        emulator_routes.check_complete(table, contract_routes())


def test_a_route_filed_twice_in_one_module_stops_at_import() -> None:
    table: RouteTable = {}
    route = routes_of(table)

    @route("GET", "/v1/events/get")
    def get_event(ctx: object) -> dict:
        return {}

    assert table == {("GET", "/v1/events/get"): get_event}
    with pytest.raises(RuntimeError, match="GET /v1/events/get has two handlers .get_event and other_get."):

        @route("GET", "/v1/events/get")
        def other_get(ctx: object) -> dict:
            return {}

    assert table[("GET", "/v1/events/get")] is get_event


def test_a_route_two_modules_serve_stops_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    from luma_local.routes import events, webhooks

    monkeypatch.setattr(webhooks, "ROUTES", {**webhooks.ROUTES, ("POST", "/v1/events/cancel"): events.cancel})
    with pytest.raises(RuntimeError, match="webhooks serves routes another module serves.*POST.*/v1/events/cancel"):
        emulator_routes.route_table()


def test_the_emulator_refuses_to_start_with_an_incomplete_table(monkeypatch: pytest.MonkeyPatch) -> None:
    real = emulator_routes.route_table

    def without_cancel() -> emulator_routes.RouteTable:
        table = real()
        del table[("POST", "/v1/events/cancel")]
        return table

    monkeypatch.setattr(emulator_routes, "route_table", without_cancel)
    with pytest.raises(RuntimeError, match="POST /v1/events/cancel"):
        LumaEmulator()


# --------------------------------------------------------------------------- from the first emulator tests


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


async def test_every_route_answers_within_the_contract(client: aiohttp.ClientSession, emu: LumaEmulator) -> None:
    """One walk through all 66 routes with validate_responses on: any answer off the contract is a 500."""

    async def ok(method: str, path: str, **kwargs: Any) -> Any:
        status, data = await call(client, method, path, **kwargs)
        assert status == 200, (method, path, data)
        return data

    async def get(path: str, **params: Any) -> Any:
        return await ok("GET", path, params=params)

    async def post(path: str, **body: Any) -> Any:
        return await ok("POST", path, json=body)

    await get("/v1/users/get-self")
    calendar_id = (await get("/v1/calendars/get"))["id"]
    await post("/v1/calendars/update", calendar_id=calendar_id, description="Builders in Auckland")
    await get("/v1/calendars/admins/list")
    event_id = (await post("/v1/events/create", name="Walk", start_at=START, timezone="UTC", max_capacity=50))["id"]
    await post("/v1/events/update", event_id=event_id, registration_open=True, waitlist_status="enabled")
    await get("/v1/events/get", event_id=event_id)
    await get("/v1/calendars/events/list")
    paid = await post("/v1/events/ticket-types/create", event_id=event_id, name="VIP", type="paid", cents=900)
    spare = await post("/v1/events/ticket-types/create", event_id=event_id, name="Spare", type="free")
    await get("/v1/events/ticket-types/list", event_id=event_id)
    await get("/v1/events/ticket-types/get", event_ticket_type_id=paid["id"])
    await post("/v1/events/ticket-types/update", event_ticket_type_id=paid["id"], description="Front row")
    await post("/v1/events/ticket-types/delete", event_ticket_type_id=spare["id"])
    await post("/v1/events/guests/add", event_id=event_id, guests=[{"email": "ana@x.io"}, {"email": "ben@x.io"}])
    await get("/v1/events/guests/list", event_id=event_id)
    await get("/v1/events/guests/get", event_id=event_id, id="ana@x.io")
    await post("/v1/events/guests/update-status", event_id=event_id, guest_id="ben@x.io", status="declined")
    await post("/v1/events/guests/send-invites", event_id=event_id, guests=[{"email": "cy@x.io"}])
    add_vip = [{"event_ticket_type_id": paid["id"]}]
    await post("/v1/events/guests/update-tickets", event_id=event_id, guest_id="ana@x.io", tickets_to_add=add_vip)
    await post("/v1/events/hosts/add", event_id=event_id, email="host@x.io")
    await post("/v1/events/hosts/update", event_id=event_id, email="host@x.io", access_level="check-in")
    await post("/v1/events/hosts/remove", event_id=event_id, email="host@x.io")
    percent = {"discount_type": "percent", "percent_off": 10}
    await post("/v1/events/coupons/create", event_id=event_id, code="TEN", discount=percent)
    await post("/v1/events/coupons/update", event_id=event_id, code="ten", remaining_count=3)
    await get("/v1/events/coupons/list", event_id=event_id)
    await post("/v1/calendars/coupons/create", code="CAL", discount=percent)
    await post("/v1/calendars/coupons/update", code="CAL", remaining_count=5)
    await get("/v1/calendars/coupons/list")
    await post("/v1/calendars/contacts/import", contacts=[{"email": "dee@x.io", "name": "Dee"}])
    await get("/v1/calendars/contacts/list")
    await post("/v1/calendars/contacts/block", email="dee@x.io")
    await post("/v1/calendars/contacts/restore", email="dee@x.io")
    await post("/v1/calendars/contacts/remove", email="dee@x.io")
    for kind, holders in (("contact-tags", {"emails": ["ana@x.io"]}), ("event-tags", {"event_ids": [event_id]})):
        tag_id = (await post(f"/v1/calendars/{kind}/create", name="Core"))["id"]
        await post(f"/v1/calendars/{kind}/update", tag_id=tag_id, color="blue")
        await post(f"/v1/calendars/{kind}/apply", tag=tag_id, **holders)
        await get(f"/v1/calendars/{kind}/list")
        await post(f"/v1/calendars/{kind}/unapply", tag="core", **holders)
        await post(f"/v1/calendars/{kind}/delete", tag_id=tag_id)
    external = {"url": "https://x.example/e", "name": "Ext", "start_at": START, "duration_interval": "PT1H"}
    calev = await post("/v1/calendars/events/add", platform="external", timezone="UTC", **external)
    await post("/v1/calendars/events/reject", calendar_event_id=calev["id"])
    await post("/v1/calendars/events/approve", calendar_event_id=calev["id"])
    await get("/v1/calendars/events/lookup", url="https://x.example/e")
    await get("/v1/entities/lookup", slug=emu.state.calendar["slug"])
    await post("/v1/images/create-upload-url", content_type="image/png")
    tier = (await get("/v1/memberships/tiers/list"))["entries"][0]["id"]
    await post("/v1/memberships/members/add", email="eve@x.io", membership_tier_id=tier)
    await post("/v1/memberships/members/update-status", user_id="eve@x.io", status="declined")
    hook = await post("/v2/webhooks/create", url="https://h.example/x", event_types=["*"])
    await get("/v2/webhooks/get", id=hook["id"])
    await post("/v2/webhooks/update", id=hook["id"], status="paused")
    await get("/v1/webhooks/list")
    await post("/v1/webhooks/delete", id=hook["id"])
    await get("/v1/organizations/admins/list")
    await get("/v1/organizations/calendars/list")
    other = await post("/v2/organizations/calendars/create", name="Other", slug="other-calendar")
    await post("/v1/organizations/events/transfer-calendar", event_id=event_id, calendar_id=other["id"])
    await get("/v1/organizations/events/list")
    doomed = (await post("/v1/events/create", name="Doomed", start_at=START, timezone="UTC"))["id"]
    token = (await post("/v1/events/cancel/request", event_id=doomed))["cancellation_token"]
    await post("/v1/events/cancel", event_id=doomed, cancellation_token=token)

    answered = {(r.method, r.path) for r in emu.requests if r.status == 200}
    assert answered == contract_routes()
