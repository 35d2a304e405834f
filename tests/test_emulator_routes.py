"""The emulator's route table against its contract: a handler for every route, a route for every handler,
and seeded data answering every read within the contract."""

from __future__ import annotations

import aiohttp
import pytest

from luma_local import LumaEmulator
from luma_local import routes as emulator_routes
from luma_local.contract import Contract
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
