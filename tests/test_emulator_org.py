"""Organization keys: the x-luma-calendar-id header picks one of the organization's calendars."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
import pytest_asyncio

from luma_local import ApiError, LumaEmulator
from tests.emulator_support import KEY, START, call

pytestmark = pytest.mark.emulator

ORG_KEY = "luma-local-org-key"


@pytest_asyncio.fixture
async def org() -> AsyncIterator[LumaEmulator]:
    async with LumaEmulator(org_api_key=ORG_KEY, validate_responses=True) as server:
        yield server


def session(emu: LumaEmulator, key: str, calendar_id: str | None = None) -> aiohttp.ClientSession:
    headers = {"x-luma-api-key": key}
    if calendar_id is not None:
        headers["x-luma-calendar-id"] = calendar_id
    return aiohttp.ClientSession(emu.base_url, headers=headers)


async def new_calendar(emu: LumaEmulator, name: str = "Second City") -> str:
    async with session(emu, ORG_KEY) as client:  # an organization route: no calendar to name
        status, calendar = await call(client, "POST", "/v2/organizations/calendars/create", json={"name": name})
        assert status == 200, calendar
        return calendar["id"]


async def test_an_organization_key_must_name_the_calendar(org: LumaEmulator) -> None:
    async with session(org, ORG_KEY) as client:
        status, data = await call(client, "GET", "/v1/calendars/get")
        assert status == 400 and "x-luma-calendar-id" in data["message"]
        assert (await call(client, "GET", "/v1/users/get-self"))[0] == 200  # not calendar-scoped
        assert (await call(client, "GET", "/v1/organizations/calendars/list"))[0] == 200
    async with session(org, ORG_KEY, "cal-not-ours") as client:
        status, data = await call(client, "GET", "/v1/calendars/get")
        assert status == 403 and "cal-not-ours" in data["message"]


async def test_the_header_picks_the_calendar_and_its_events(org: LumaEmulator) -> None:
    home, second = org.state.calendar_id, await new_calendar(org)
    async with session(org, ORG_KEY, second) as client:
        _, calendar = await call(client, "GET", "/v1/calendars/get")
        assert calendar["id"] == second and calendar["name"] == "Second City"
        status, created = await call(
            client, "POST", "/v1/events/create", json={"name": "Second's event", "start_at": START, "timezone": "UTC"}
        )
        assert status == 200 and org.event(created["id"])["calendar_id"] == second
        _, page = await call(client, "GET", "/v1/calendars/events/list")
        assert [e["id"] for e in page["entries"]] == [created["id"]]
        add = {"event_id": created["id"], "guests": [{"email": "ana@example.com"}]}
        assert (await call(client, "POST", "/v1/events/guests/add", json=add))[0] == 200
    async with session(org, ORG_KEY, home) as client:
        _, page = await call(client, "GET", "/v1/calendars/events/list")
        assert page["entries"] == []
        status, _ = await call(client, "GET", "/v1/events/get", params={"event_id": created["id"]})
        assert status == 404  # managed by the other calendar
        _, contacts = await call(client, "GET", "/v1/calendars/contacts/list")
        assert contacts["entries"] == []  # guests become contacts of the event's calendar only
    assert [c["email"] for c in org.contacts(calendar_id=second)] == ["ana@example.com"] and org.contacts() == []


async def test_transfer_moves_an_event_between_calendars(org: LumaEmulator) -> None:
    home, second = org.state.calendar_id, await new_calendar(org)
    event_id = org.seed_events(1)[0]["id"]
    async with session(org, ORG_KEY) as client:
        move = {"event_id": event_id, "calendar_id": second}
        assert await call(client, "POST", "/v1/organizations/events/transfer-calendar", json=move) == (200, {})
        status, data = await call(
            client, "POST", "/v1/organizations/events/transfer-calendar", json={**move, "calendar_id": "cal-x"}
        )
        assert status == 404 and "cal-x" in data["message"]
        _, page = await call(client, "GET", "/v1/organizations/events/list")
        [entry] = page["entries"]
        assert entry["calendar_id"] == second and entry["managing_calendars"][0]["id"] == second
        _, calendars = await call(client, "GET", "/v1/organizations/calendars/list")
        assert [c["id"] for c in calendars["entries"]] == [home, second]
    async with session(org, KEY) as client:  # the calendar key lost the event with the transfer
        status, _ = await call(client, "GET", "/v1/events/get", params={"event_id": event_id})
        assert status == 404
    assert org.call("GET", "/v1/events/get", query={"event_id": event_id}, calendar_id=second)["id"] == event_id


async def test_a_calendar_key_may_name_only_its_own_calendar(org: LumaEmulator) -> None:
    second = await new_calendar(org)
    async with session(org, KEY, org.state.calendar_id) as client:
        assert (await call(client, "GET", "/v1/calendars/get"))[0] == 200
    async with session(org, KEY, second) as client:
        status, data = await call(client, "GET", "/v1/calendars/get")
        assert status == 403 and second in data["message"]
    assert org.call("GET", "/v1/calendars/get", calendar_id=second)["id"] == second
    with pytest.raises(ApiError, match="cannot act for calendar cal-x"):
        org.call("GET", "/v1/calendars/get", calendar_id="cal-x")


async def test_the_organization_key_has_its_own_rate_limit() -> None:
    async with LumaEmulator(org_api_key=ORG_KEY, rate_limit=1, org_rate_limit=2) as emu:
        async with session(emu, KEY) as calendar_client, session(emu, ORG_KEY) as org_client:
            assert (await call(calendar_client, "GET", "/v1/users/get-self"))[0] == 200
            assert (await call(calendar_client, "GET", "/v1/users/get-self"))[0] == 429
            async with org_client.get("/v1/users/get-self") as resp:
                assert resp.status == 200 and resp.headers["X-RateLimit-Limit"] == "2"
            assert (await call(org_client, "GET", "/v1/users/get-self"))[0] == 200
            assert (await call(org_client, "GET", "/v1/users/get-self"))[0] == 429


async def test_without_an_organization_key_configured_there_is_none(emu: LumaEmulator) -> None:
    async with session(emu, ORG_KEY) as client:
        status, data = await call(client, "GET", "/v1/users/get-self")
        assert status == 401 and "Invalid API key" in data["message"]
