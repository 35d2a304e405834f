"""The calendar's actions (get_calendar, update_calendar, list_calendar_admins, lookup_entity, add_event_to_calendar,
approve_calendar_event, reject_calendar_event) with a mocked context.fetch."""

import pytest
from autohive_integrations_sdk.integration import ResultType

from luma import luma
from operations.calendar import is_luma_page, iso_duration
from tests.support.fakes import assert_input_error, assert_schema_error, endpoints, failed, lost, luma_error, methods
from tests.support.fakes import ok, ok_data, requests, run, unavailable
from tests.support.samples import CALENDAR, USER, submission

pytestmark = pytest.mark.unit

GET_CALENDAR = ("GET", "/v1/calendars/get")
UPDATE = ("POST", "/v1/calendars/update")
LOOKUP = ("GET", "/v1/calendars/events/lookup")
ADD = ("POST", "/v1/calendars/events/add")


# ---- get_calendar -------------------------------------------------------------------------------------------


class TestGetCalendar:
    async def test_returns_the_calendar(self, mock_context):
        mock_context.fetch.return_value = ok(CALENDAR)
        data = ok_data(await run("get_calendar", {}, mock_context))
        assert data == {"calendar": CALENDAR}
        assert requests(mock_context) == [("GET", "/v1/calendars/get", [], None)]

    async def test_an_answer_without_id_is_a_clear_error(self, mock_context):
        mock_context.fetch.return_value = ok({"name": "x"})
        failed(await run("get_calendar", {}, mock_context), "no id")

    async def test_auth_error_is_explained(self, mock_context):
        mock_context.fetch.side_effect = luma_error(401, "Invalid API key")
        failed(await run("get_calendar", {}, mock_context), "401", "Invalid API key")

    async def test_takes_no_inputs(self, mock_context):
        assert_schema_error(await run("get_calendar", {"calendar_id": "cal-x"}, mock_context), mock_context)


# ---- update_calendar ----------------------------------------------------------------------------------------


class TestUpdateCalendar:
    CHANGES = {"name": "New Name", "description": "Monthly meetups.", "tint_color": "#E3CBEF"}

    async def test_reads_the_calendar_id_then_sends_only_the_fields_given(self, mock_context):
        updated = dict(CALENDAR, name="New Name")
        mock_context.fetch.side_effect = [ok(CALENDAR), ok(updated)]
        data = ok_data(await run("update_calendar", self.CHANGES, mock_context))
        assert data == {"calendar": updated}
        assert requests(mock_context) == [
            ("GET", "/v1/calendars/get", [], None),
            ("POST", "/v1/calendars/update", [], {"calendar_id": "cal-main", **self.CHANGES}),
        ]

    async def test_the_calendar_is_read_first_even_with_its_id(self, mock_context):
        # What it was before is what a check after a lost answer compares with: a field that already held the
        # sent value proves nothing.
        mock_context.fetch.return_value = ok(CALENDAR)
        inputs = {"calendar_id": " cal-main ", "slug": " autohive-builders ", "avatar_url": CALENDAR["avatar_url"]}
        ok_data(await run("update_calendar", inputs, mock_context))
        body = {"calendar_id": "cal-main", "slug": "autohive-builders", "avatar_url": CALENDAR["avatar_url"]}
        assert requests(mock_context) == [
            ("GET", "/v1/calendars/get", [], None),
            ("POST", "/v1/calendars/update", [], body),
        ]

    @pytest.mark.parametrize("inputs", [{}, {"calendar_id": "cal-main"}])
    async def test_nothing_to_change_is_refused_before_sending(self, mock_context, inputs):
        assert_input_error(await run("update_calendar", inputs, mock_context), mock_context, "Nothing to update")

    async def test_an_invisible_name_is_refused_before_sending(self, mock_context):
        result = await run("update_calendar", {"name": "\u200b\u200b"}, mock_context)
        assert_input_error(result, mock_context, "name", "invisible")

    @pytest.mark.parametrize(
        "inputs",
        [
            {"slug": "two words"},
            {"slug": "-leading-hyphen"},
            {"avatar_url": "https://example.com/a.png"},
            {"tint_color": "purple"},
            {"name": "   "},
            {"colour": "#fff"},
        ],
    )
    async def test_schema_rejects_bad_input_before_sending(self, mock_context, inputs):
        assert_schema_error(await run("update_calendar", inputs, mock_context), mock_context)

    async def test_a_taken_slug_carries_lumas_words(self, mock_context):
        mock_context.fetch.side_effect = [ok(CALENDAR), luma_error(400, "Slug 'x' is invalid or already taken")]
        failed(await run("update_calendar", {"slug": "x-y"}, mock_context), "already taken", "400")

    async def test_lost_answer_is_confirmed_by_reading_the_calendar_back(self, mock_context, no_sleep):
        updated = dict(CALENDAR, name="New Name", slug="New-Slug")
        inputs = {"calendar_id": "cal-main", "name": "New Name", "slug": "new-slug", "tint_color": "#abc"}
        mock_context.fetch.side_effect = [ok(CALENDAR), lost(), ok(updated)]
        data = ok_data(await run("update_calendar", inputs, mock_context))
        assert data == {"calendar": updated}
        assert endpoints(mock_context) == [GET_CALENDAR, UPDATE, GET_CALENDAR]

    async def test_lost_answer_not_shown_is_not_confirmed_and_never_resent(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = [ok(CALENDAR), lost(), ok(CALENDAR), ok(CALENDAR)]
        message = failed(await run("update_calendar", {"name": "New Name"}, mock_context), "not confirmed")
        assert "get_calendar" in message
        assert endpoints(mock_context) == [GET_CALENDAR, UPDATE, GET_CALENDAR, GET_CALENDAR]

    async def test_a_tint_color_alone_cannot_be_confirmed(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = [ok(CALENDAR), unavailable(), ok(CALENDAR), ok(CALENDAR)]
        inputs = {"calendar_id": "cal-main", "tint_color": "#E3CBEF"}
        failed(await run("update_calendar", inputs, mock_context), "not confirmed")
        assert methods(mock_context).count("POST") == 1

    async def test_another_calendar_read_back_is_never_taken_for_this_one(self, mock_context, no_sleep):
        other = dict(CALENDAR, id="cal-other", name="New Name")
        mock_context.fetch.side_effect = [ok(CALENDAR), lost(), ok(other), ok(other)]
        inputs = {"calendar_id": "cal-main", "name": "New Name"}
        failed(await run("update_calendar", inputs, mock_context), "not confirmed")

    async def test_a_field_that_already_held_the_value_confirms_nothing(self, mock_context, no_sleep):
        # The name is unchanged, the slug is new: after a 503 (Luma did nothing) the calendar shows the old slug.
        inputs = {"calendar_id": "cal-main", "name": CALENDAR["name"], "slug": "renamed"}
        mock_context.fetch.side_effect = [ok(CALENDAR), unavailable(), ok(CALENDAR), ok(CALENDAR)]
        failed(await run("update_calendar", inputs, mock_context), "not confirmed")
        assert methods(mock_context).count("POST") == 1

    async def test_an_answer_without_the_calendar_is_checked_by_reading_it(self, mock_context, no_sleep):
        updated = dict(CALENDAR, description="")
        mock_context.fetch.side_effect = [ok(CALENDAR), ok({}), ok(dict(updated, description=None))]
        inputs = {"calendar_id": "cal-main", "description": ""}
        data = ok_data(await run("update_calendar", inputs, mock_context))
        assert data["calendar"]["description"] is None


# ---- list_calendar_admins -----------------------------------------------------------------------------------


class TestListCalendarAdmins:
    async def test_every_admin_in_one_answer(self, mock_context):
        other = dict(USER, id="usr-two", email="two@example.com")
        mock_context.fetch.return_value = ok({"entries": [USER, other], "has_more": False})
        data = ok_data(await run("list_calendar_admins", {"detail": "full"}, mock_context))
        assert data == {"admins": [USER, other], "has_more": False, "next_cursor": None}
        assert requests(mock_context) == [("GET", "/v1/calendars/admins/list", [], None)]

    async def test_summary_by_default(self, mock_context):
        mock_context.fetch.return_value = ok({"entries": [USER], "has_more": False})
        data = ok_data(await run("list_calendar_admins", {}, mock_context))
        assert data == {
            "admins": [{"id": USER["id"], "name": USER["name"], "email": USER["email"]}],
            "has_more": False,
            "next_cursor": None,
        }

    async def test_an_answer_without_entries_is_a_clear_error(self, mock_context):
        mock_context.fetch.return_value = ok({"has_more": False})
        failed(await run("list_calendar_admins", {}, mock_context), "no list of entries")

    async def test_takes_only_detail(self, mock_context):
        assert_schema_error(await run("list_calendar_admins", {"limit": 5}, mock_context), mock_context)
        assert_schema_error(await run("list_calendar_admins", {"detail": "all"}, mock_context), mock_context)


# ---- lookup_entity ------------------------------------------------------------------------------------------

ENTITY_CALENDAR = {"id": "cal-main", "name": "Autohive Builders", "slug": "autohive-builders", "avatar_url": None}
ENTITY_EVENT = {
    "id": "evt-abc123",
    "name": "Python Meetup",
    "slug": "python-meetup",
    "cover_url": "https://images.lumacdn.com/c.png",
    "start_at": "2026-03-01T23:00:00.000Z",
    "end_at": "2026-03-02T01:00:00.000Z",
}


@pytest.mark.parametrize("action", ["lookup_event", "add_event_to_calendar"])
def test_an_action_for_any_event_is_not_told_the_event_must_be_this_calendars(action):
    description = luma.config.actions[action].input_schema["properties"]["event_api_id"]["description"]
    assert "must belong to the connected calendar" not in description
    assert "lookup_event and add_event_to_calendar take any Luma event's id, also another calendar's" in description


class TestLookupEntity:
    async def test_an_event_id_is_not_called_a_free_slug(self, mock_context):
        mock_context.fetch.return_value = ok({"entity": None})
        data = ok_data(await run("lookup_entity", {"slug": "evt-abc123"}, mock_context))
        assert "is an event id, not a slug" in data["message"] and "get_events" in data["message"]
        assert "Nothing on Luma" not in data["message"]

    async def test_a_calendar(self, mock_context):
        mock_context.fetch.return_value = ok({"entity": {"type": "calendar", "calendar": ENTITY_CALENDAR}})
        data = ok_data(await run("lookup_entity", {"slug": "autohive-builders"}, mock_context))
        assert data == {"slug": "autohive-builders", "found": True, "type": "calendar", "calendar": ENTITY_CALENDAR}
        assert requests(mock_context) == [("GET", "/v1/entities/lookup", [("slug", "autohive-builders")], None)]

    async def test_an_event(self, mock_context):
        mock_context.fetch.return_value = ok({"entity": {"type": "event", "event": ENTITY_EVENT}})
        data = ok_data(await run("lookup_entity", {"slug": "python-meetup"}, mock_context))
        assert data == {"slug": "python-meetup", "found": True, "type": "event", "event": ENTITY_EVENT}

    async def test_nothing_is_a_clear_answer_not_an_error(self, mock_context):
        mock_context.fetch.return_value = ok({"entity": None})
        data = ok_data(await run("lookup_entity", {"slug": "no-such-thing"}, mock_context))
        assert data["found"] is False and data["type"] is None and data["slug"] == "no-such-thing"
        assert "no-such-thing" in data["message"] and "no calendar and no event" in data["message"]

    @pytest.mark.parametrize(
        "given",
        [
            "https://luma.com/autohive-builders",
            "https://www.luma.com/autohive-builders/",
            "http://lu.ma/autohive-builders?tk=abc#top",
            "luma.com/autohive-builders",
            "Lu.ma/autohive-builders",
            "  /autohive-builders  ",
        ],
    )
    async def test_an_address_is_read_as_its_slug(self, mock_context, given):
        mock_context.fetch.return_value = ok({"entity": None})
        ok_data(await run("lookup_entity", {"slug": given}, mock_context))
        assert requests(mock_context)[0][2] == [("slug", "autohive-builders")]

    @pytest.mark.parametrize(
        ("given", "words"),
        [
            ("https://example.com/autohive", ["example.com", "not on luma.com"]),
            ("https://luma.com/event/evt-abc123", ["not the address of a calendar or event page"]),
            ("https://luma.com/", ["not the address of a calendar or event page"]),
            ("two words", ["not a luma.com slug"]),
            ("/", ["not a luma.com slug"]),
            ("https://[::1/event", ["not a readable address"]),
        ],
    )
    async def test_what_is_not_a_slug_is_refused_before_sending(self, mock_context, given, words):
        assert_input_error(await run("lookup_entity", {"slug": given}, mock_context), mock_context, *words)

    @pytest.mark.parametrize(
        "answer", [{}, {"entity": {"type": "organization", "organization": {"id": "org-1"}}}, {"entity": "x"}]
    )
    async def test_an_answer_it_cannot_read_is_a_clear_error(self, mock_context, answer):
        mock_context.fetch.return_value = ok(answer)
        failed(await run("lookup_entity", {"slug": "x-y"}, mock_context), "/v1/entities/lookup")

    async def test_slug_is_required(self, mock_context):
        assert_schema_error(await run("lookup_entity", {}, mock_context), mock_context)


# ---- add_event_to_calendar ----------------------------------------------------------------------------------


class TestAddEventToCalendar:
    EXTERNAL = {
        "url": " https://www.meetup.com/python-nz/events/301234567/ ",
        "name": " Python NZ: Async Patterns ",
        "start_at": "2026-12-03T18:00",
        "timezone": "pacific/auckland",
        "duration_minutes": 90,
    }

    @pytest.mark.parametrize(
        "url",
        [
            "https://luma.com/autohive-builders",
            "https://WWW.Luma.com/autohive-builders/",
            "https://lu.ma/autohive-builders?tk=abc",
            "http://www.lu.ma/event/evt-1",
        ],
    )
    async def test_a_luma_page_is_not_an_event_elsewhere(self, mock_context, url):
        # Luma would list the Luma event a second time, as an external one.
        result = await run("add_event_to_calendar", {**self.EXTERNAL, "url": url}, mock_context)
        # A link by id names the id to give; a page by slug needs lookup_entity to find it.
        hint = "give event_api_id evt-1" if "/event/evt-1" in url else "lookup_entity"
        assert_input_error(result, mock_context, "is a page on Luma", "event_api_id alone", hint)
        result = await run("add_event_to_calendar", {"url": url}, mock_context)
        assert_input_error(result, mock_context, "is a page on Luma")

    def test_a_site_whose_name_only_ends_like_lumas_is_elsewhere(self):
        assert not is_luma_page("https://notluma.com/x") and not is_luma_page("https://lu.ma.example.org/x")
        assert is_luma_page("lu.ma/autohive-builders") and is_luma_page("https://LUMA.COM./x")

    URL = "https://www.meetup.com/python-nz/events/301234567/"
    SENT = {
        "platform": "external",
        "url": URL,
        "name": "Python NZ: Async Patterns",
        "start_at": "2026-12-03T05:00:00.000Z",
        "duration_interval": "PT1H30M",
        "timezone": "Pacific/Auckland",
    }

    async def test_an_event_elsewhere_is_looked_for_then_added(self, mock_context):
        mock_context.fetch.side_effect = [ok({"event": None}), ok({"id": "calev-new", "status": "approved"})]
        data = ok_data(await run("add_event_to_calendar", self.EXTERNAL, mock_context))
        assert data == {"calendar_event": {"id": "calev-new", "status": "approved"}, "already_on_calendar": False}
        assert requests(mock_context) == [
            ("GET", "/v1/calendars/events/lookup", [("platform", "external"), ("url", self.URL)], None),
            ("POST", "/v1/calendars/events/add", [], self.SENT),
        ]

    async def test_every_optional_field_is_sent(self, mock_context):
        mock_context.fetch.side_effect = [ok({"event": None}), ok({"id": "calev-new", "status": "pending"})]
        geo = {"type": "manual", "address": "12 Queen St, Auckland"}
        inputs = {**self.EXTERNAL, "geo_address_json": geo, "host": " Python NZ ", "submission_mode": "PENDING"}
        ok_data(await run("add_event_to_calendar", inputs, mock_context))
        sent = {**self.SENT, "geo_address_json": geo, "host": "Python NZ", "submission_mode": "pending"}
        assert requests(mock_context)[1][3] == sent

    async def test_a_luma_event_is_added_by_its_id(self, mock_context):
        mock_context.fetch.side_effect = [ok({"event": None}), ok({"id": "calev-lu", "status": "approved"})]
        ok_data(await run("add_event_to_calendar", {"event_api_id": "evt-abc123"}, mock_context))
        assert requests(mock_context) == [
            ("GET", "/v1/calendars/events/lookup", [("platform", "luma"), ("event_id", "evt-abc123")], None),
            ("POST", "/v1/calendars/events/add", [], {"platform": "luma", "event_id": "evt-abc123"}),
        ]

    @pytest.mark.parametrize("status", ["approved", "pending", "rejected"])
    async def test_an_event_already_on_the_calendar_is_not_added_again(self, mock_context, status):
        mock_context.fetch.return_value = ok({"event": submission(status)})
        data = ok_data(await run("add_event_to_calendar", {"event_api_id": "evt-abc123"}, mock_context))
        assert data == {"calendar_event": submission(status), "already_on_calendar": True}
        assert methods(mock_context) == ["GET"]

    @pytest.mark.parametrize(
        ("inputs", "words"),
        [
            ({}, ["event_api_id", "url, name, start_at, timezone and duration_minutes"]),
            ({"submission_mode": "auto"}, ["Give the event to add"]),
            ({"event_api_id": "evt-1", "url": "https://x.example/e", "host": "Me"}, ["url, host cannot be given"]),
            ({"url": "https://x.example/e", "name": "E"}, ["missing: start_at, timezone, duration_minutes"]),
            ({**EXTERNAL, "timezone": "Mars/Olympus"}, ["Mars/Olympus", "IANA"]),
            ({**EXTERNAL, "start_at": "2026-12-03"}, ["no time of day"]),
            ({**EXTERNAL, "start_at": "next friday"}, ["ISO 8601"]),
            ({**EXTERNAL, "name": "\u200b"}, ["name", "invisible"]),
        ],
    )
    async def test_combinations_are_checked_before_sending(self, mock_context, inputs, words):
        assert_input_error(await run("add_event_to_calendar", inputs, mock_context), mock_context, *words)

    @pytest.mark.parametrize(
        "extra",
        [
            {"url": "meetup.com/e/1"},
            {"duration_minutes": 0},
            {"duration_minutes": 1.5},
            {"submission_mode": "later"},
            {"geo_address_json": {"address": "1 Main St"}},
            {"platform": "external"},
        ],
    )
    async def test_schema_rejects_bad_input_before_sending(self, mock_context, extra):
        assert_schema_error(await run("add_event_to_calendar", {**self.EXTERNAL, **extra}, mock_context), mock_context)

    async def test_lost_answer_finds_the_entry_and_never_resends(self, mock_context, no_sleep):
        found = submission("approved", "calev-new")
        mock_context.fetch.side_effect = [ok({"event": None}), lost(), ok({"event": found})]
        data = ok_data(await run("add_event_to_calendar", self.EXTERNAL, mock_context))
        assert data == {"calendar_event": found, "already_on_calendar": False}
        assert endpoints(mock_context) == [LOOKUP, ADD, LOOKUP]

    async def test_lost_answer_not_found_is_not_confirmed_and_sent_once(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = [ok({"event": None}), unavailable(), ok({"event": None}), ok({"event": None})]
        message = failed(await run("add_event_to_calendar", self.EXTERNAL, mock_context), "not confirmed")
        assert "add_event_to_calendar again" in message
        assert endpoints(mock_context) == [LOOKUP, ADD, LOOKUP, LOOKUP]

    async def test_a_pending_submission_is_not_taken_for_an_approved_one(self, mock_context, no_sleep):
        # submission_mode pending: an approved entry found after a lost answer is not what this call made.
        approved = submission("approved", "calev-x")
        mock_context.fetch.side_effect = [ok({"event": None}), lost(), ok({"event": approved}), ok({"event": approved})]
        inputs = {**self.EXTERNAL, "submission_mode": "pending"}
        failed(await run("add_event_to_calendar", inputs, mock_context), "not confirmed")

    async def test_an_answer_without_id_is_checked_on_the_calendar(self, mock_context, no_sleep):
        found = submission("approved", "calev-new")
        mock_context.fetch.side_effect = [ok({"event": None}), ok({}), ok({"event": found})]
        data = ok_data(await run("add_event_to_calendar", {"event_api_id": "evt-abc123"}, mock_context))
        assert data["calendar_event"] == found

    async def test_lumas_refusal_carries_its_words(self, mock_context):
        refusal = luma_error(400, "Event evt-x is managed by this calendar")
        mock_context.fetch.side_effect = [ok({"event": None}), refusal]
        failed(await run("add_event_to_calendar", {"event_api_id": "evt-x"}, mock_context), "managed by this calendar")


@pytest.mark.parametrize(
    ("minutes", "interval"),
    [(1, "PT1M"), (59, "PT59M"), (60, "PT1H"), (90, "PT1H30M"), (1440, "PT24H"), (1501, "PT25H1M")]
    + [(525600, "PT8760H")],
)
def test_durations_are_elapsed_hours_and_minutes(minutes, interval):
    assert iso_duration(minutes) == interval


# ---- approve_calendar_event / reject_calendar_event ---------------------------------------------------------

APPROVE = ("POST", "/v1/calendars/events/approve")
REJECT = ("POST", "/v1/calendars/events/reject")


class TestApproveCalendarEvent:
    async def test_a_pending_event_is_approved(self, mock_context):
        mock_context.fetch.side_effect = [ok({"event": submission("pending")}), ok({})]
        data = ok_data(await run("approve_calendar_event", {"calendar_event_id": "evt-abc123"}, mock_context))
        assert data == {"calendar_event": submission("approved"), "already_approved": False}
        assert requests(mock_context) == [
            ("GET", "/v1/calendars/events/lookup", [("event_id", "evt-abc123")], None),
            ("POST", "/v1/calendars/events/approve", [], {"calendar_event_id": "evt-abc123"}),
        ]

    async def test_an_approved_event_is_reported_and_not_sent_again(self, mock_context):
        mock_context.fetch.return_value = ok({"event": submission("approved")})
        data = ok_data(await run("approve_calendar_event", {"calendar_event_id": "evt-abc123"}, mock_context))
        assert data == {"calendar_event": submission("approved"), "already_approved": True}
        assert methods(mock_context) == ["GET"]

    @pytest.mark.parametrize("lookup", [ok({"event": None}), luma_error(400, "Invalid event id")])
    async def test_a_calev_id_luma_cannot_look_up_is_still_sent(self, mock_context, lookup):
        mock_context.fetch.side_effect = [lookup, ok({})]
        data = ok_data(await run("approve_calendar_event", {"calendar_event_id": "calev-abc"}, mock_context))
        assert data == {"calendar_event": {"id": "calev-abc", "status": "approved"}, "already_approved": False}
        assert endpoints(mock_context) == [LOOKUP, APPROVE]

    async def test_an_evt_id_lookup_refused_is_an_error(self, mock_context):
        mock_context.fetch.side_effect = luma_error(403, "You don't have access")
        failed(await run("approve_calendar_event", {"calendar_event_id": "evt-abc"}, mock_context), "403")
        assert methods(mock_context) == ["GET"]

    async def test_an_unknown_submission_is_a_clear_error(self, mock_context):
        mock_context.fetch.side_effect = [ok({"event": None}), luma_error(404, "Calendar event calev-x not found")]
        message = failed(await run("approve_calendar_event", {"calendar_event_id": "calev-x"}, mock_context), "404")
        assert "calev-x" in message and "get_events" in message

    async def test_lost_answer_confirmed_by_the_status(self, mock_context, no_sleep):
        approved = submission("approved")
        mock_context.fetch.side_effect = [ok({"event": submission("pending")}), lost(), ok({"event": approved})]
        data = ok_data(await run("approve_calendar_event", {"calendar_event_id": "evt-abc123"}, mock_context))
        assert data == {"calendar_event": approved, "already_approved": False}
        assert endpoints(mock_context) == [LOOKUP, APPROVE, LOOKUP]

    async def test_lost_answer_still_pending_is_not_confirmed_and_sent_once(self, mock_context, no_sleep):
        pending = ok({"event": submission("pending")})
        mock_context.fetch.side_effect = [pending, lost(), pending, pending]
        failed(await run("approve_calendar_event", {"calendar_event_id": "evt-abc123"}, mock_context), "not confirmed")
        assert methods(mock_context).count("POST") == 1

    async def test_lost_answer_for_a_calev_id_luma_cannot_look_up_is_not_confirmed(self, mock_context, no_sleep):
        none = ok({"event": None})
        mock_context.fetch.side_effect = [none, lost(), none, none]
        failed(await run("approve_calendar_event", {"calendar_event_id": "calev-abc"}, mock_context), "not confirmed")
        assert methods(mock_context).count("POST") == 1

    @pytest.mark.parametrize("inputs", [{}, {"calendar_event_id": ""}, {"calendar_event_id": "evt-1", "message": "x"}])
    async def test_bad_input_is_refused_before_sending(self, mock_context, inputs):
        result = await run("approve_calendar_event", inputs, mock_context)
        assert result.type in (ResultType.VALIDATION_ERROR, ResultType.ACTION_ERROR)
        mock_context.fetch.assert_not_called()


class TestRejectCalendarEvent:
    async def test_a_pending_event_is_rejected_with_a_message(self, mock_context):
        mock_context.fetch.side_effect = [ok({"event": submission("pending", "calev-p")}), ok({})]
        inputs = {"calendar_event_id": "calev-p", "message": "Outside our city, sorry."}
        data = ok_data(await run("reject_calendar_event", inputs, mock_context))
        assert data == {"calendar_event": submission("rejected", "calev-p"), "already_rejected": False}
        assert requests(mock_context)[1] == (*REJECT, [], {"calendar_event_id": "calev-p", **inputs})

    async def test_without_a_message_none_is_sent(self, mock_context):
        mock_context.fetch.side_effect = [ok({"event": submission("approved")}), ok({})]
        ok_data(await run("reject_calendar_event", {"calendar_event_id": "evt-abc123"}, mock_context))
        assert requests(mock_context)[1][3] == {"calendar_event_id": "evt-abc123"}

    async def test_a_rejected_event_is_reported_and_not_sent_again(self, mock_context):
        mock_context.fetch.return_value = ok({"event": submission("rejected")})
        data = ok_data(await run("reject_calendar_event", {"calendar_event_id": "evt-abc123"}, mock_context))
        assert data["already_rejected"] is True and methods(mock_context) == ["GET"]

    async def test_lost_answer_confirmed_by_the_status(self, mock_context, no_sleep):
        rejected = submission("rejected")
        mock_context.fetch.side_effect = [ok({"event": submission("pending")}), unavailable(), ok({"event": rejected})]
        data = ok_data(await run("reject_calendar_event", {"calendar_event_id": "evt-abc123"}, mock_context))
        assert data == {"calendar_event": rejected, "already_rejected": False}
        assert endpoints(mock_context) == [LOOKUP, REJECT, LOOKUP]

    @pytest.mark.parametrize("message", ["", "   ", "x" * 2001])
    async def test_schema_rejects_a_bad_message(self, mock_context, message):
        inputs = {"calendar_event_id": "evt-abc123", "message": message}
        assert_schema_error(await run("reject_calendar_event", inputs, mock_context), mock_context)
