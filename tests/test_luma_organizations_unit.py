"""Organization actions (calendars, events, admins, create_calendar, transfer_event) and organization keys (the
connection's calendar_id, the 500/min limit) with a mocked context.fetch."""

import pytest
from autohive_integrations_sdk.integration import ResultType

import helpers
from helpers import LumaClient
from luma import luma
from tests.support.fakes import assert_input_error, assert_schema_error, failed, lost, luma_error, methods, ok, ok_data
from tests.support.fakes import TEST_API_KEY, page, production_auth, requests, run, unavailable
from tests.support.samples import EVENT, USER
from tests.support.samples import ORGANIZATION_CALENDAR as CALENDAR

pytestmark = [pytest.mark.unit, pytest.mark.usefixtures("fixed_now")]

CALENDARS = "/v1/organizations/calendars/list"
EVENTS = "/v1/organizations/events/list"
ADMINS = "/v1/organizations/admins/list"
CREATE = "/v2/organizations/calendars/create"
TRANSFER = "/v1/organizations/events/transfer-calendar"
HOME = dict(CALENDAR, id="cal-main", name="Main", slug="main", url="https://luma.com/main")


def org_event(event_id: str = "evt-abc123", calendar: dict = HOME) -> dict:
    """An event as organizations/events/list returns it: owned by `calendar`, which manages it."""
    return dict(EVENT, id=event_id, calendar_id=calendar["id"], managing_calendars=[dict(calendar, status="approved")])


def org_auth(calendar_id: str | None = "cal-second") -> dict:
    auth = production_auth()
    if calendar_id is not None:
        auth["credentials"]["calendar_id"] = calendar_id
    return auth


# ---- list_organization_calendars ---------------------------------------------------------------------------


class TestListOrganizationCalendars:
    async def test_summary(self, mock_context):
        mock_context.fetch.return_value = page([HOME, CALENDAR])
        data = ok_data(await run("list_organization_calendars", {}, mock_context))
        assert data == {
            "calendars": [
                {"id": "cal-main", "name": "Main", "slug": "main", "url": "https://luma.com/main"},
                {
                    "id": "cal-second",
                    "name": "Second City",
                    "slug": "second-city",
                    "url": "https://luma.com/second-city",
                },
            ],
            "has_more": False,
            "next_cursor": None,
        }
        assert requests(mock_context) == [("GET", CALENDARS, [("pagination_limit", "100")], None)]

    async def test_full_with_cursor(self, mock_context):
        mock_context.fetch.return_value = page([CALENDAR], "c2")
        inputs = {"detail": "full", "limit": 1, "cursor": "c1"}
        data = ok_data(await run("list_organization_calendars", inputs, mock_context))
        assert data == {"calendars": [CALENDAR], "has_more": True, "next_cursor": "c2"}

    async def test_never_names_a_calendar_in_a_header(self, make_context):
        ctx = make_context(org_auth())
        ctx.fetch.return_value = page([CALENDAR])
        await run("list_organization_calendars", {}, ctx)
        assert "x-luma-calendar-id" not in ctx.fetch.call_args.kwargs["headers"]

    async def test_a_calendar_key_refused_is_told_what_key_it_needs(self, mock_context):
        mock_context.fetch.side_effect = luma_error(403, "This route requires an organization API key")
        failed(await run("list_organization_calendars", {}, mock_context), "need an organization API key")


# ---- list_organization_events ------------------------------------------------------------------------------


class TestListOrganizationEvents:
    async def test_summary_says_which_calendar_manages_each(self, mock_context):
        mock_context.fetch.return_value = page([org_event()])
        (event,) = ok_data(await run("list_organization_events", {}, mock_context))["events"]
        assert event["calendar_id"] == "cal-main"
        assert event["managing_calendars"] == [{"id": "cal-main", "name": "Main", "status": "approved"}]
        assert (event["id"], event["name"], event["start_at"]) == ("evt-abc123", EVENT["name"], EVENT["start_at"])
        assert requests(mock_context) == [("GET", EVENTS, [("pagination_limit", "50")], None)]

    async def test_window_and_order_are_sent_in_utc(self, mock_context):
        mock_context.fetch.return_value = page([])
        inputs = {"after": "2026-03-01T00:00:00+13:00", "before": "2026-04-01", "sort_direction": "desc", "limit": 5}
        await run("list_organization_events", inputs, mock_context)
        assert requests(mock_context)[0][2] == [
            ("after", "2026-02-28T11:00:00.000Z"),
            ("before", "2026-04-01T00:00:00.000Z"),
            ("sort_direction", "desc"),
            ("pagination_limit", "5"),
        ]

    async def test_full_is_lumas_event(self, mock_context):
        mock_context.fetch.return_value = page([org_event()])
        data = ok_data(await run("list_organization_events", {"detail": "full"}, mock_context))
        assert data["events"] == [org_event()]

    @pytest.mark.parametrize(
        ("inputs", "words"),
        [
            ({"after": "2026-04-01T00:00:00Z", "before": "2026-03-01T00:00:00Z"}, ["after", "earlier than before"]),
            ({"after": "next week"}, ["after"]),
        ],
    )
    async def test_bad_window_is_refused(self, mock_context, inputs, words):
        assert_input_error(await run("list_organization_events", inputs, mock_context), mock_context, *words)

    async def test_limit_at_most_200(self, mock_context):
        assert_schema_error(await run("list_organization_events", {"limit": 201}, mock_context), mock_context)


# ---- list_organization_admins ------------------------------------------------------------------------------


class TestListOrganizationAdmins:
    async def test_lists_all_at_once_without_the_deprecated_id(self, mock_context):
        mock_context.fetch.return_value = ok({"entries": [dict(USER, api_id=USER["id"])]})
        data = ok_data(await run("list_organization_admins", {"detail": "full"}, mock_context))
        assert data == {"admins": [USER], "has_more": False, "next_cursor": None}
        assert requests(mock_context) == [("GET", ADMINS, [], None)]

    async def test_summary_by_default(self, mock_context):
        mock_context.fetch.return_value = ok({"entries": [dict(USER, api_id=USER["id"])]})
        data = ok_data(await run("list_organization_admins", {}, mock_context))
        assert data["admins"] == [{"id": USER["id"], "name": USER["name"], "email": USER["email"]}]
        assert requests(mock_context) == [("GET", ADMINS, [], None)]

    async def test_takes_only_detail(self, mock_context):
        assert_schema_error(await run("list_organization_admins", {"limit": 5}, mock_context), mock_context)
        assert_schema_error(await run("list_organization_admins", {"detail": "all"}, mock_context), mock_context)


# ---- create_calendar ---------------------------------------------------------------------------------------


class TestCreateCalendar:
    INPUTS = {"name": " Second City ", "slug": "second-city", "description": "Builders", "tint_color": "#E3CBEF"}

    async def test_reads_what_exists_then_creates(self, mock_context):
        mock_context.fetch.side_effect = [page([HOME]), ok(CALENDAR)]
        data = ok_data(await run("create_calendar", self.INPUTS, mock_context))
        assert data == {"calendar": CALENDAR}
        assert requests(mock_context) == [
            ("GET", CALENDARS, [("pagination_limit", "100")], None),
            (
                "POST",
                CREATE,
                [],
                {"name": "Second City", "slug": "second-city", "description": "Builders", "tint_color": "#E3CBEF"},
            ),
        ]

    async def test_only_a_name(self, mock_context):
        mock_context.fetch.side_effect = [page([]), ok(CALENDAR)]
        await run("create_calendar", {"name": "Second City"}, mock_context)
        assert requests(mock_context)[1][3] == {"name": "Second City"}

    async def test_lost_answer_finds_the_new_calendar_among_those_not_there_before(self, mock_context, no_sleep):
        made = dict(CALENDAR, description="Builders")
        namesake = dict(made, id="cal-namesake")  # same name and slug, but there before the request
        mock_context.fetch.side_effect = [page([HOME, namesake]), lost(), page([HOME, namesake], "c1"), page([made])]
        data = ok_data(await run("create_calendar", self.INPUTS, mock_context))
        assert data == {"calendar": made}
        assert methods(mock_context) == ["GET", "POST", "GET", "GET"]

    async def test_lost_answer_with_another_new_calendar_is_not_confirmed(self, mock_context, no_sleep):
        other = dict(CALENDAR, id="cal-other", name="Other", slug="other")
        mock_context.fetch.side_effect = [page([HOME]), unavailable(), page([HOME, other]), page([HOME, other])]
        failed(await run("create_calendar", self.INPUTS, mock_context), "not confirmed", "list_organization_calendars")
        assert methods(mock_context).count("POST") == 1

    async def test_taken_slug_keeps_lumas_words(self, mock_context):
        mock_context.fetch.side_effect = [page([HOME]), luma_error(400, "Slug 'main' is already taken")]
        failed(await run("create_calendar", {"name": "X", "slug": "main"}, mock_context), "already taken")

    @pytest.mark.parametrize(
        "inputs",
        [
            {"name": ""},
            {"name": "   "},
            {"name": "X", "slug": "no spaces"},
            {"name": "X", "slug": "ab"},
            {"name": "X", "tint_color": "purple"},
            {"name": "X", "avatar_url": "https://example.com/a.png"},
            {"slug": "only-slug"},
        ],
    )
    async def test_schema_rejects(self, mock_context, inputs):
        assert_schema_error(await run("create_calendar", inputs, mock_context), mock_context)

    async def test_invisible_name_is_refused(self, mock_context):
        assert_input_error(await run("create_calendar", {"name": "\u200b"}, mock_context), mock_context, "name")


# ---- transfer_event ----------------------------------------------------------------------------------------


class TestTransferEvent:
    INPUTS = {"event_api_id": "evt-abc123", "calendar_id": "cal-second"}

    async def test_transfers(self, mock_context):
        mock_context.fetch.return_value = ok({})
        data = ok_data(await run("transfer_event", self.INPUTS, mock_context))
        assert data == {"event": {"id": "evt-abc123", "calendar_id": "cal-second"}}
        assert requests(mock_context) == [
            ("POST", TRANSFER, [], {"event_id": "evt-abc123", "calendar_id": "cal-second"})
        ]

    async def test_lost_answer_reads_which_calendar_owns_the_event(self, mock_context, no_sleep):
        others = [org_event(f"evt-{n}") for n in range(3)]
        mock_context.fetch.side_effect = [lost(), page(others, "c1"), page([org_event(calendar=CALENDAR)])]
        data = ok_data(await run("transfer_event", self.INPUTS, mock_context))
        assert data["event"] == {"id": "evt-abc123", "calendar_id": "cal-second"}
        assert methods(mock_context) == ["POST", "GET", "GET"]

    async def test_lost_answer_with_the_event_still_at_home_is_not_confirmed(self, mock_context, no_sleep):
        # The destination shares manage access, but the event still belongs to its old calendar.
        shared = dict(
            org_event(), managing_calendars=[dict(HOME, status="approved"), dict(CALENDAR, status="approved")]
        )
        mock_context.fetch.side_effect = [unavailable(), page([shared]), page([shared])]
        failed(await run("transfer_event", self.INPUTS, mock_context), "not confirmed", "list_organization_events")
        assert methods(mock_context) == ["POST", "GET", "GET"]

    async def test_unknown_calendar_keeps_lumas_words(self, mock_context):
        mock_context.fetch.side_effect = luma_error(404, "Calendar cal-x not found")
        result = await run("transfer_event", dict(self.INPUTS, calendar_id="cal-x"), mock_context)
        failed(result, "Calendar cal-x not found")


# ---- organization keys -------------------------------------------------------------------------------------


class TestOrganizationKey:
    @pytest.mark.parametrize(
        "auth",
        [
            org_auth(),
            production_auth(),
            {"auth_type": "Custom", "credentials": {"api_key": TEST_API_KEY, "calendar_id": ""}},
        ],
    )
    async def test_the_connection_accepts_an_optional_calendar_id(self, make_context, auth):
        ctx = make_context(auth)
        ctx.fetch.return_value = page([])
        assert (await run("list_webhooks", {}, ctx)).type == ResultType.ACTION

    async def test_calendar_actions_name_the_calendar_and_organization_actions_do_not(self, make_context):
        ctx = make_context(org_auth(" cal-second "))
        ctx.fetch.side_effect = [page([]), page([]), ok(USER)]
        await run("list_webhooks", {}, ctx)
        await run("list_organization_events", {}, ctx)
        await run("get_self", {}, ctx)
        headers = [call.kwargs["headers"] for call in ctx.fetch.call_args_list]
        assert headers[0]["x-luma-calendar-id"] == "cal-second"
        assert "x-luma-calendar-id" not in headers[1] and "x-luma-calendar-id" not in headers[2]

    async def test_a_calendar_key_sends_no_calendar_header(self, mock_context):
        mock_context.fetch.return_value = page([])
        await run("list_webhooks", {}, mock_context)
        assert "x-luma-calendar-id" not in mock_context.fetch.call_args.kwargs["headers"]

    async def test_an_organization_key_without_calendar_id_is_told_to_set_it(self, mock_context):
        said = "An organization API key must name the calendar in the x-luma-calendar-id header"
        mock_context.fetch.side_effect = luma_error(400, said)
        message = failed(await run("list_webhooks", {}, mock_context), said, "set the connection's Calendar ID")
        assert "list_organization_calendars" in message

    async def test_a_calendar_outside_the_organization_is_told_to_check_calendar_id(self, make_context):
        ctx = make_context(org_auth("cal-elsewhere"))
        ctx.fetch.side_effect = luma_error(403, "This API key cannot act for calendar cal-elsewhere")
        failed(await run("list_webhooks", {}, ctx), "Calendar ID (cal-elsewhere)", "with a calendar key leave it empty")

    async def test_other_refusals_keep_their_usual_advice(self, mock_context):
        mock_context.fetch.side_effect = luma_error(403, "You don't have access to this event.")
        message = failed(await run("get_webhook", {"webhook_id": "wh-1"}, mock_context), "use a key of the calendar")
        assert "Calendar ID" not in message

    @pytest.mark.parametrize(
        ("header", "limit"), [("500", 500), ("500;w=60", 500), (" 200", 200), ("x", 200), ("0", 200)]
    )
    async def test_the_pacer_follows_the_limit_luma_announces(self, mock_context, header, limit):
        mock_context.fetch.return_value = ok(USER, {"X-RateLimit-Limit": header, "X-RateLimit-Remaining": "400"})
        client = LumaClient(mock_context)
        await client.get("/v1/users/get-self")
        assert client.limiter.limit == limit

    async def test_the_environment_sets_the_limit_until_luma_announces_one(self, make_context, monkeypatch, clock):
        monkeypatch.setenv(helpers.RATE_LIMIT_ENV, "500")
        ctx = make_context(org_auth())
        ctx.fetch.return_value = ok(USER)
        client = LumaClient(ctx, budget_seconds=120)
        for _ in range(500):
            await client.get("/v1/users/get-self")
        assert clock.sleeps == [] and client.limiter.limit == 500
        await client.get("/v1/users/get-self")
        assert len(clock.sleeps) == 1, "the 501st request in a minute waits"

    async def test_an_organization_key_paced_at_500_after_lumas_first_answer(self, make_context, clock):
        ctx = make_context(org_auth())
        announced = {"X-RateLimit-Limit": "500", "X-RateLimit-Remaining": "499"}
        ctx.fetch.return_value = ok(USER, announced)
        client = LumaClient(ctx, budget_seconds=120)
        for _ in range(500):
            await client.get("/v1/users/get-self")
        assert clock.sleeps == [], "200 is the calendar key's limit, not the organization key's"


def test_the_connection_field_is_optional_and_explained():
    fields = luma.config.auth["fields"]
    assert "required" not in fields
    calendar_id = fields["properties"]["calendar_id"]
    assert calendar_id["type"] == ["string", "null"], "an empty optional field may arrive as null"
    assert "organization" in calendar_id["help_text"] and "calendar key" in calendar_id["help_text"]
