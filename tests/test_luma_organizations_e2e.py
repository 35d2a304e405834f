"""Organization actions and organization keys end to end: the SDK's real ExecutionContext over HTTP against a local
Luma that also has an organization key (`LumaEmulator(org_api_key=...)`). The connection's calendar_id picks the
calendar of calendar actions; organization actions ignore it; the pacer follows the key's announced limit."""

import pytest
from autohive_integrations_sdk import ExecutionContext
from autohive_integrations_sdk.integration import ResultType

import helpers
from luma_local import LumaEmulator
from luma_local.routes.memberships import add_tier
from tests.support.fakes import TEST_API_KEY, failed, ok_data, production_auth, run
from tests.support.live import posts
from tools.session import luma_session

pytestmark = pytest.mark.e2e

# A fake organization key for tests.
ORG_KEY = "luma-test-org-key-0123456789"  # nosec B105
CREATE = "/v2/organizations/calendars/create"
TRANSFER = "/v1/organizations/events/transfer-calendar"


def org_auth(calendar_id: str | None = None) -> dict:
    auth = production_auth(ORG_KEY)
    if calendar_id is not None:
        auth["credentials"]["calendar_id"] = calendar_id
    return auth


@pytest.fixture
async def org_luma(monkeypatch):
    """The local Luma with a calendar key and an organization key, checking its answers against Luma's contract."""
    async with LumaEmulator(api_key=TEST_API_KEY, org_api_key=ORG_KEY, validate_responses=True) as emulator:
        monkeypatch.setenv(helpers.LUMA_API_BASE_ENV, emulator.base_url)
        monkeypatch.setattr(helpers, "SETTLE_SECONDS", 0.5)
        yield emulator


@pytest.fixture
def second(org_luma):
    """A second calendar of the organization."""
    return org_luma.call("POST", CREATE, body={"name": "Second City", "slug": "second-city"})


async def as_org(action: str, inputs: dict, calendar_id: str | None = None):
    """The action run with the organization key, naming calendar_id in the connection."""
    async with ExecutionContext(auth=org_auth(calendar_id)) as context:
        return await run(action, inputs, context)


class TestOrganizationReads:
    async def test_calendars_events_and_admins_across_the_organization(self, org_luma, second):
        home = org_luma.state.calendar_id
        mine = org_luma.seed_events(1, name="Home meetup")[0]
        theirs = org_luma.call(
            "POST",
            "/v1/events/create",
            body={"name": "Second's night", "start_at": "2030-05-01T08:00:00.000Z", "timezone": "UTC"},
            calendar_id=second["id"],
        )
        calendars = ok_data(await as_org("list_organization_calendars", {}))["calendars"]
        assert [c["id"] for c in calendars] == [home, second["id"]]
        assert calendars[1] == {"id": second["id"], "name": "Second City", "slug": "second-city", "url": second["url"]}
        events = ok_data(await as_org("list_organization_events", {"sort_direction": "asc"}))["events"]
        where = {e["id"]: (e["calendar_id"], [c["id"] for c in e["managing_calendars"]]) for e in events}
        assert where == {mine["id"]: (home, [home]), theirs["id"]: (second["id"], [second["id"]])}
        later = ok_data(await as_org("list_organization_events", {"after": "2030-04-30T00:00:00Z"}))["events"]
        assert [e["id"] for e in later] == [theirs["id"]]
        (admin,) = ok_data(await as_org("list_organization_admins", {}))["admins"]
        user = org_luma.state.user
        assert admin == {"id": user["id"], "name": user["name"], "email": user["email"]}
        (admin,) = ok_data(await as_org("list_organization_admins", {"detail": "full"}))["admins"]
        assert admin["email"] == user["email"] and admin["avatar_url"] and "api_id" not in admin

    async def test_organization_actions_ignore_the_connections_calendar(self, org_luma, second):
        ok_data(await as_org("list_organization_calendars", {}, calendar_id=second["id"]))
        assert all("x-luma-calendar-id" not in r.headers for r in org_luma.requests)


class TestCreateCalendar:
    async def test_creates_and_the_new_calendar_can_be_worked_in(self, org_luma):
        inputs = {
            "name": "Auckland Builders",
            "slug": "akl-builders",
            "description": "Monthly",
            "tint_color": "#E3CBEF",
        }
        calendar = ok_data(await as_org("create_calendar", inputs))["calendar"]
        assert (calendar["name"], calendar["slug"], calendar["description"]) == (
            "Auckland Builders",
            "akl-builders",
            "Monthly",
        )
        created = ok_data(
            await as_org(
                "create_webhook",
                {"url": "https://hooks.example.com/akl", "event_types": ["event.created"]},
                calendar_id=calendar["id"],
            )
        )
        assert org_luma.webhooks(calendar_id=calendar["id"]) == [created["webhook"]]
        assert org_luma.webhooks() == []

    async def test_lost_answer_creates_exactly_one(self, org_luma):
        for n in range(3):
            org_luma.call("POST", CREATE, body={"name": "Auckland Builders"})  # namesakes made before
        org_luma.inject(f"POST {CREATE}", drop_after_work=True)
        calendar = ok_data(await as_org("create_calendar", {"name": "Auckland Builders"}))["calendar"]
        named = [
            d.calendar["id"] for d in org_luma.state.calendars.values() if d.calendar["name"] == "Auckland Builders"
        ]
        assert len(named) == 4 and calendar["id"] == named[-1]
        assert len(posts(org_luma, CREATE)) == 1

    async def test_taken_slug(self, org_luma, second):
        failed(await as_org("create_calendar", {"name": "Copy", "slug": "second-city"}), "400", "already taken")


class TestTransferEvent:
    async def test_moves_the_event_and_the_connection_follows_it(self, org_luma, second):
        event_id = org_luma.seed_events(1)[0]["id"]
        home = org_luma.state.calendar_id
        inputs = {"event_api_id": event_id, "calendar_id": second["id"]}
        data = ok_data(await as_org("transfer_event", inputs, calendar_id=home))
        assert data == {"event": {"id": event_id, "calendar_id": second["id"]}}
        assert org_luma.event(event_id)["calendar_id"] == second["id"]
        moved = ok_data(await as_org("get_events", {"event_api_id": event_id}, calendar_id=second["id"]))
        assert moved["event"]["calendar_id"] == second["id"]
        failed(await as_org("get_events", {"event_api_id": event_id}, calendar_id=home), "404")

    async def test_lost_answer_is_confirmed_from_the_organizations_events(self, org_luma, second):
        org_luma.seed_events(120)  # the check pages past other events
        event_id = org_luma.seed_events(1)[0]["id"]
        org_luma.inject(f"POST {TRANSFER}", drop_after_work=True)
        inputs = {"event_api_id": event_id, "calendar_id": second["id"]}
        assert ok_data(await as_org("transfer_event", inputs))["event"]["calendar_id"] == second["id"]
        assert len(posts(org_luma, TRANSFER)) == 1

    async def test_refused_before_landing_is_not_confirmed(self, org_luma, second):
        event_id = org_luma.seed_events(1)[0]["id"]
        org_luma.inject(f"POST {TRANSFER}", status=502)
        inputs = {"event_api_id": event_id, "calendar_id": second["id"]}
        failed(await as_org("transfer_event", inputs), "not confirmed", "list_organization_events")
        assert org_luma.event(event_id)["calendar_id"] == org_luma.state.calendar_id

    async def test_unknown_calendar(self, org_luma):
        event_id = org_luma.seed_events(1)[0]["id"]
        failed(await as_org("transfer_event", {"event_api_id": event_id, "calendar_id": "cal-nope"}), "cal-nope")


class TestOrganizationKey:
    async def test_calendar_actions_act_on_the_connections_calendar(self, org_luma, second):
        add_tier(org_luma.state.calendars[second["id"]], "Second's members")
        tiers = ok_data(await as_org("list_membership_tiers", {}, calendar_id=second["id"]))["membership_tiers"]
        assert [t["name"] for t in tiers] == ["Community Member", "Second's members"]
        tier_id = tiers[1]["id"]
        inputs = {"email": "ana@example.com", "membership_tier_id": tier_id}
        ok_data(await as_org("add_member", inputs, calendar_id=second["id"]))
        assert [p["email"] for p in org_luma.contacts(calendar_id=second["id"])] == ["ana@example.com"]
        assert org_luma.contacts() == []
        assert {r.headers.get("x-luma-calendar-id") for r in org_luma.requests} == {second["id"]}

    async def test_without_calendar_id_says_to_set_it(self, org_luma):
        message = failed(await as_org("list_webhooks", {}), "x-luma-calendar-id", "set the connection's Calendar ID")
        assert ORG_KEY not in message

    async def test_a_calendar_outside_the_organization(self, org_luma):
        failed(await as_org("list_webhooks", {}, calendar_id="cal-elsewhere"), "403", "Calendar ID (cal-elsewhere)")

    async def test_local_commands_take_the_calendar_from_the_environment(self, org_luma, second, monkeypatch):
        monkeypatch.setenv("LUMA_API_KEY", ORG_KEY)
        monkeypatch.setenv("LUMA_CALENDAR_ID", second["id"])
        async with luma_session() as session:
            assert ok_data(await session.run("list_webhooks", {})) == {
                "webhooks": [],
                "has_more": False,
                "next_cursor": None,
            }
        assert org_luma.requests[-1].headers["x-luma-calendar-id"] == second["id"]

    async def test_a_calendar_key_naming_its_own_calendar_still_works(self, org_luma):
        auth = production_auth()
        auth["credentials"]["calendar_id"] = org_luma.state.calendar_id
        async with ExecutionContext(auth=auth) as context:
            assert (await run("list_webhooks", {}, context)).type == ResultType.ACTION


class TestOrganizationRateLimit:
    async def test_the_pacer_adopts_the_500_a_minute_luma_announces(self, org_luma):
        ok_data(await as_org("list_organization_admins", {}))
        assert helpers.limiter_for(ORG_KEY).limit == 500
        async with ExecutionContext(auth=production_auth()) as context:
            ok_data(await run("get_self", {}, context))
        assert helpers.limiter_for(TEST_API_KEY).limit == 200

    async def test_never_exceeds_the_organizations_announced_limit(self, monkeypatch):
        async with LumaEmulator(api_key=TEST_API_KEY, org_api_key=ORG_KEY, org_rate_limit=5) as emulator:
            monkeypatch.setenv(helpers.LUMA_API_BASE_ENV, emulator.base_url)
            results = [await as_org("list_organization_admins", {}) for _ in range(7)]
        assert [r.type for r in results[:5]] == [ResultType.ACTION] * 5
        for refused in results[5:]:
            failed(refused, "stay under Luma's rate limit", "Retry in")
        assert len(emulator.requests_to("/v1/organizations/admins/list")) == 5

    async def test_without_headers_the_environment_sets_the_limit(self, monkeypatch):
        async with LumaEmulator(org_api_key=ORG_KEY, org_rate_limit=500, rate_limit_headers=False) as emulator:
            monkeypatch.setenv(helpers.LUMA_API_BASE_ENV, emulator.base_url)
            monkeypatch.setenv(helpers.RATE_LIMIT_ENV, "3")
            results = [await as_org("list_organization_admins", {}) for _ in range(4)]
        assert [r.type for r in results] == [ResultType.ACTION] * 3 + [ResultType.ACTION_ERROR]
        assert helpers.limiter_for(ORG_KEY).limit == 3
        assert len(emulator.requests_to("/v1/organizations/admins/list")) == 3
