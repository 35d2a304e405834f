"""Event actions (get_events, create_event, update_event) with a mocked context.fetch (Autohive conventions)."""

import pytest
from autohive_integrations_sdk import HTTPError, RateLimitError
from autohive_integrations_sdk.integration import ResultType

from tests.support.fakes import assert_input_error, assert_schema_error, endpoints, failed, lost, luma_error, methods
from tests.support.fakes import ok, page
from tests.support.fakes import ok_data, requests, run, unavailable
from tests.support.samples import EVENT, USER

pytestmark = [pytest.mark.unit, pytest.mark.usefixtures("fixed_now")]


# ---- get_events --------------------------------------------------------------------------------------------


class TestGetEvents:
    async def test_one_event_by_id(self, mock_context):
        mock_context.fetch.return_value = ok(EVENT)
        result = await run("get_events", {"event_api_id": "evt-abc123"}, mock_context)
        assert result.type == ResultType.ACTION
        assert result.result.data == {"event": EVENT}
        assert requests(mock_context) == [("GET", "/v1/events/get", [("event_id", "evt-abc123")], None)]

    async def test_one_event_carries_lumas_counts_spots_and_price(self, mock_context):
        mock_context.fetch.return_value = ok(EVENT)
        event = ok_data(await run("get_events", {"event_api_id": "evt-abc123"}, mock_context))["event"]
        assert event["guest_counts"]["approved"] == {"guests": 2, "tickets": 2}
        assert (event["spots_remaining"], event["registration_open"]) == (38, True)
        assert event["display_price"] == {"amount": 2500, "currency": "usd", "is_flexible": False}

    @pytest.mark.parametrize(
        "luma_shows",
        [
            {"spots_remaining": None, "display_price": None},  # no capacity limit; registration can be free
            {"spots_remaining": 0, "registration_open": False, "require_approval": True},
            {"display_price": {"amount": 1500, "currency": "jpy", "is_flexible": True}},
        ],
    )
    async def test_the_output_schema_takes_every_form_luma_documents(self, mock_context, luma_shows):
        mock_context.fetch.return_value = ok(dict(EVENT, **luma_shows))
        event = ok_data(await run("get_events", {"event_api_id": "evt-abc123"}, mock_context))["event"]
        assert event == dict(EVENT, **luma_shows)

    async def test_list_defaults_to_50(self, mock_context):
        mock_context.fetch.return_value = page([EVENT])
        result = await run("get_events", {"detail": "full"}, mock_context)
        assert result.type == ResultType.ACTION
        assert result.result.data == {"events": [EVENT], "has_more": False, "next_cursor": None}
        assert requests(mock_context) == [("GET", "/v1/calendars/events/list", [("pagination_limit", "50")], None)]

    async def test_filters_are_normalised_and_sent(self, mock_context):
        mock_context.fetch.return_value = page([])
        inputs = {
            "after": "2026-03-01T18:00:00-05:00",
            "before": "2026-04-01T00:00:00",
            "status": "pending",
            "platforms": ["luma", "external"],
            "sort_direction": "desc",
        }
        result = await run("get_events", inputs, mock_context)
        assert result.type == ResultType.ACTION
        method, path, query, _ = requests(mock_context)[0]
        assert (method, path) == ("GET", "/v1/calendars/events/list")
        assert sorted(query) == sorted(
            [
                ("after", "2026-03-01T23:00:00.000Z"),
                ("before", "2026-04-01T00:00:00.000Z"),
                ("status", "pending"),
                ("platforms", "luma"),
                ("platforms", "external"),
                ("sort_column", "start_at"),
                ("sort_direction", "desc"),
                ("pagination_limit", "50"),
            ]
        )

    async def test_follows_pages_up_to_limit(self, mock_context):
        first = [dict(EVENT, id=f"evt-{i}") for i in range(100)]
        second = [dict(EVENT, id=f"evt-{i}") for i in range(100, 150)]
        mock_context.fetch.side_effect = [page(first, "c1"), page(second, "c2")]
        result = await run("get_events", {"limit": 150}, mock_context)
        data = result.result.data
        assert [e["id"] for e in data["events"]] == [f"evt-{i}" for i in range(150)]
        assert data["has_more"] is True and data["next_cursor"] == "c2"
        sent = requests(mock_context)
        assert sent[0][2] == [("pagination_limit", "100")]
        assert sent[1][2] == [("pagination_limit", "50"), ("pagination_cursor", "c1")]

    async def test_continues_from_cursor(self, mock_context):
        mock_context.fetch.return_value = page([EVENT])
        await run("get_events", {"cursor": "abc/+=", "limit": 10}, mock_context)
        assert requests(mock_context)[0][2] == [("pagination_limit", "10"), ("pagination_cursor", "abc/+=")]

    async def test_id_with_list_filters_is_refused(self, mock_context):
        result = await run("get_events", {"event_api_id": "evt-1", "status": "approved", "limit": 5}, mock_context)
        assert_input_error(result, mock_context, "event_api_id", "status", "limit")

    async def test_after_must_be_before_before(self, mock_context):
        inputs = {"after": "2026-05-01T00:00:00Z", "before": "2026-04-01T00:00:00Z"}
        assert_input_error(await run("get_events", inputs, mock_context), mock_context, "after", "before")

    async def test_malformed_date_time(self, mock_context):
        result = await run("get_events", {"after": "next tuesday"}, mock_context)
        assert_input_error(result, mock_context, "next tuesday", "ISO 8601")

    @pytest.mark.parametrize(
        "inputs",
        [{"limit": 201}, {"limit": 0}, {"platforms": ["meetup"]}, {"status": "rejected"}, {"sort": "asc"}],
    )
    async def test_schema_rejects(self, mock_context, inputs):
        assert_schema_error(await run("get_events", inputs, mock_context), mock_context)

    async def test_limit_up_to_200(self, mock_context):
        # Luma events carry full descriptions: 200 of them stay well inside the platform's response cap.
        mock_context.fetch.side_effect = [page([EVENT] * 100, "c1"), page([EVENT] * 100, "c2")]
        result = await run("get_events", {"limit": 200}, mock_context)
        assert result.type == ResultType.ACTION
        assert len(result.result.data["events"]) == 200 and result.result.data["next_cursor"] == "c2"

    async def test_unknown_event(self, mock_context):
        mock_context.fetch.side_effect = luma_error(404, "Event evt-x not found")
        result = await run("get_events", {"event_api_id": "evt-x"}, mock_context)
        assert result.type == ResultType.ACTION_ERROR
        assert "404" in result.result.message and "Event evt-x not found" in result.result.message

    @pytest.mark.parametrize("answer", [{}, {"id": ""}, {"id": 42, "name": "X"}, {"event": {"id": "evt-abc123"}}])
    async def test_event_without_id_is_a_clear_error(self, mock_context, answer):
        mock_context.fetch.return_value = ok(answer)
        result = await run("get_events", {"event_api_id": "evt-abc123"}, mock_context)
        assert result.type == ResultType.ACTION_ERROR, result.result
        assert "/v1/events/get" in result.result.message and "no id" in result.result.message

    @pytest.mark.parametrize("inputs", [{"after": "2026-03-01"}, {"before": "2026-03-01"}])
    async def test_window_may_be_a_date(self, mock_context, inputs):
        mock_context.fetch.return_value = page([])
        assert (await run("get_events", inputs, mock_context)).type == ResultType.ACTION
        assert ("after" if "after" in inputs else "before", "2026-03-01T00:00:00.000Z") in requests(mock_context)[0][2]

    async def test_rate_limited_beyond_budget(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = RateLimitError(30, 429, "Rate limit exceeded", "")
        result = await run("get_events", {}, mock_context)
        assert result.type == ResultType.ACTION_ERROR
        assert "429" in result.result.message and "Retry in 30 seconds" in result.result.message


# ---- lookup_event ------------------------------------------------------------------------------------------


class TestLookupEvent:
    SUBMITTED = {"id": "calev-123", "status": "pending", "submitted_by": USER}

    @pytest.mark.parametrize(
        "url",
        [
            "https://luma.com/event/evt-abc123",
            "https://lu.ma/event/manage/evt-abc123",
            "https://www.luma.com/event/manage/evt-abc123/guests?tab=all",
        ],
    )
    async def test_lumas_links_by_event_id_are_looked_up_by_that_id(self, mock_context, url):
        # The lookup by url does not know these links: it answered {"event": null} for an event on the calendar.
        mock_context.fetch.return_value = ok(
            {"event": {"id": "evt-abc123", "status": "approved", "submitted_by": None}}
        )
        data = ok_data(await run("lookup_event", {"url": url}, mock_context))
        assert data["event"]["id"] == "evt-abc123"
        assert requests(mock_context) == [("GET", "/v1/calendars/events/lookup", [("event_id", "evt-abc123")], None)]

    async def test_by_event_id(self, mock_context):
        mock_context.fetch.return_value = ok(
            {"event": {"id": "evt-abc123", "status": "approved", "submitted_by": None}}
        )
        data = ok_data(await run("lookup_event", {"event_api_id": "evt-abc123"}, mock_context))
        assert data == {"event": {"id": "evt-abc123", "status": "approved", "submitted_by": None}}
        assert requests(mock_context) == [("GET", "/v1/calendars/events/lookup", [("event_id", "evt-abc123")], None)]

    @pytest.mark.parametrize(
        ("url", "sent"),
        [
            ("https://luma.com/ai-night", "https://luma.com/ai-night"),
            (" https://lu.ma/ai-night/?tk=abc#top ", "https://luma.com/ai-night"),
            ("http://WWW.Luma.com/ai-night", "https://luma.com/ai-night"),
        ],
    )
    async def test_a_luma_page_is_sent_as_luma_spells_it(self, mock_context, url, sent):
        mock_context.fetch.return_value = ok({"event": None})
        assert ok_data(await run("lookup_event", {"url": url}, mock_context)) == {"event": None}
        assert requests(mock_context)[0][2] == [("platform", "luma"), ("url", sent)]

    async def test_another_sites_page_is_an_external_event_sent_as_given(self, mock_context):
        mock_context.fetch.return_value = ok({"event": self.SUBMITTED})
        url = "https://www.eventbrite.com/e/ai-night-tickets-123?aff=x"
        data = ok_data(await run("lookup_event", {"url": f" {url} "}, mock_context))
        assert data == {"event": self.SUBMITTED}
        assert requests(mock_context)[0][2] == [("platform", "external"), ("url", url)]

    @pytest.mark.parametrize(
        ("inputs", "words"),
        [
            ({}, ["url", "event_api_id"]),
            ({"url": "https://luma.com/x", "event_api_id": "evt-1"}, ["not both"]),
            ({"url": "https://luma.com/"}, ["home page"]),
            ({"url": "https://lu.ma"}, ["home page"]),
            ({"url": "https://[::1/x"}, ["not a web address"]),
        ],
    )
    async def test_inputs_refused_before_sending(self, mock_context, inputs, words):
        assert_input_error(await run("lookup_event", inputs, mock_context), mock_context, *words)

    @pytest.mark.parametrize("url", ["luma.com/x", "ftp://luma.com/x", "https://luma.com/a b", ""])
    async def test_schema_rejects_what_is_not_a_web_address(self, mock_context, url):
        assert_schema_error(await run("lookup_event", {"url": url}, mock_context), mock_context)

    @pytest.mark.parametrize("answer", [{}, {"event": {}}, {"event": {"status": "approved"}}, {"entries": []}])
    async def test_an_answer_without_the_entry_is_a_clear_error_not_absence(self, mock_context, answer):
        mock_context.fetch.return_value = ok(answer)
        failed(await run("lookup_event", {"event_api_id": "evt-1"}, mock_context), "no event entry")

    async def test_is_retried_as_a_read(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = [unavailable(), ok({"event": None})]
        assert ok_data(await run("lookup_event", {"event_api_id": "evt-1"}, mock_context)) == {"event": None}
        assert methods(mock_context) == ["GET", "GET"]


# ---- create_event ------------------------------------------------------------------------------------------


class TestCreateEvent:
    BASIC = {"name": "Python Meetup", "start_at": "2026-03-01T18:00:00", "timezone": "America/New_York"}

    async def test_creates_then_returns_full_event(self, mock_context):
        mock_context.fetch.side_effect = [ok({"id": "evt-abc123"}), ok(EVENT)]
        result = await run("create_event", dict(self.BASIC, end_at="2026-03-01T20:00:00"), mock_context)
        assert result.type == ResultType.ACTION
        assert result.result.data == {"event": EVENT, "max_capacity_set": None}
        assert requests(mock_context) == [
            (
                "POST",
                "/v1/events/create",
                [],
                {
                    "name": "Python Meetup",
                    # A time without offset is read in the event's timezone (EST, UTC-5).
                    "start_at": "2026-03-01T23:00:00.000Z",
                    "end_at": "2026-03-02T01:00:00.000Z",
                    "timezone": "America/New_York",
                },
            ),
            ("GET", "/v1/events/get", [("event_id", "evt-abc123")], None),
        ]

    async def test_duration_sets_end(self, mock_context):
        mock_context.fetch.side_effect = [ok({"id": "evt-abc123"}), ok(EVENT)]
        inputs = {"name": "X", "start_at": "2026-07-01T09:30:00+12:00", "timezone": "Pacific/Auckland"}
        await run("create_event", dict(inputs, duration_minutes=90), mock_context)
        body = requests(mock_context)[0][3]
        assert body["start_at"] == "2026-06-30T21:30:00.000Z" and body["end_at"] == "2026-06-30T23:00:00.000Z"

    @pytest.mark.parametrize(
        ("start_at", "minutes", "start_utc", "end_utc"),
        [
            # Spring forward (02:00 EST -> 03:00 EDT): two hours of elapsed time, not one.
            ("2026-03-08T01:00:00", 120, "2026-03-08T06:00:00.000Z", "2026-03-08T08:00:00.000Z"),
            # Fall back (02:00 EDT -> 01:00 EST): two hours, not three.
            ("2026-11-01T00:30:00", 120, "2026-11-01T04:30:00.000Z", "2026-11-01T06:30:00.000Z"),
        ],
    )
    async def test_duration_is_elapsed_time_across_dst(self, mock_context, start_at, minutes, start_utc, end_utc):
        mock_context.fetch.side_effect = [ok({"id": "evt-abc123"}), ok(EVENT)]
        inputs = dict(self.BASIC, start_at=start_at, duration_minutes=minutes)
        assert (await run("create_event", inputs, mock_context)).type == ResultType.ACTION
        body = requests(mock_context)[0][3]
        assert (body["start_at"], body["end_at"]) == (start_utc, end_utc)

    async def test_timezone_is_sent_canonical(self, mock_context):
        mock_context.fetch.side_effect = [ok({"id": "evt-abc123"}), ok(EVENT)]
        result = await run("create_event", dict(self.BASIC, timezone="  america/new_york "), mock_context)
        assert result.type == ResultType.ACTION
        body = requests(mock_context)[0][3]
        assert body["timezone"] == "America/New_York" and body["start_at"] == "2026-03-01T23:00:00.000Z"

    async def test_read_back_failing_still_reports_the_created_event(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = [ok({"id": "evt-new"}), unavailable(), unavailable(), unavailable()]
        result = await run("create_event", dict(self.BASIC, duration_minutes=60, slug="py-meetup"), mock_context)
        assert result.type == ResultType.ACTION, result.result
        assert result.result.data == {
            "event": {
                "id": "evt-new",
                "name": "Python Meetup",
                "start_at": "2026-03-01T23:00:00.000Z",
                "end_at": "2026-03-02T00:00:00.000Z",
                "timezone": "America/New_York",
                "slug": "py-meetup",
            },
            "max_capacity_set": None,
        }
        assert methods(mock_context) == ["POST", "GET", "GET", "GET"]

    async def test_read_back_without_id_still_reports_the_created_event(self, mock_context):
        mock_context.fetch.side_effect = [ok({"id": "evt-new"}), ok({})]
        result = await run("create_event", self.BASIC, mock_context)
        assert result.type == ResultType.ACTION, result.result
        assert result.result.data["event"]["id"] == "evt-new"
        assert result.result.data["event"]["name"] == "Python Meetup"

    async def test_without_end_leaves_length_to_luma(self, mock_context):
        mock_context.fetch.side_effect = [ok({"id": "evt-abc123"}), ok(EVENT)]
        await run("create_event", self.BASIC, mock_context)
        assert "end_at" not in requests(mock_context)[0][3]

    async def test_every_optional_field_is_sent_as_given(self, mock_context):
        mock_context.fetch.side_effect = [ok({"id": "evt-abc123"}), ok(EVENT)]
        extras = {
            "description_md": "**Talks** and pizza",
            "geo_address_json": {"type": "google", "place_id": "ChIJ123", "description": "GridAKL"},
            "coordinate": {"latitude": -36.85, "longitude": 174.76},
            "meeting_url": "https://zoom.us/j/1",
            "visibility": "members-only",
            "max_capacity": 80,
            "cover_url": "https://images.lumacdn.com/covers/a.png",
            "slug": "py-meetup",
            "tint_color": "#bb2dc7",
            "can_register_for_multiple_tickets": True,
            "show_guest_list": False,
            "reminders_disabled": True,
            "name_requirement": "first-last",
            "phone_number_requirement": "required",
            "feedback_email": {"enabled": True, "delay": "PT2H"},
            "registration_open": False,
            "waitlist_status": "enabled",
            "location_visibility": "guests-only",
            "registration_questions": [
                {
                    "id": "co",
                    "label": "Company",
                    "required": True,
                    "question_type": "company",
                    "collect_job_title": True,
                },
                {"id": "diet", "label": "Diet", "required": False, "question_type": "dropdown", "options": ["veg"]},
                {
                    "id": "tos",
                    "label": "Terms",
                    "required": True,
                    "question_type": "terms",
                    "terms": {"content_type": "link", "url": "https://example.com/tos", "collect_signature": False},
                },
            ],
        }
        result = await run("create_event", dict(self.BASIC, **extras), mock_context)
        assert result.type == ResultType.ACTION, result.result
        body = requests(mock_context)[0][3]
        assert body == dict(
            extras, name="Python Meetup", start_at="2026-03-01T23:00:00.000Z", timezone="America/New_York"
        )

    @pytest.mark.parametrize(
        ("extra", "words"),
        [
            ({"timezone": "Mars/Olympus"}, ["Mars/Olympus", "IANA"]),
            ({"end_at": "2026-03-01T17:00:00"}, ["end_at", "after start_at"]),
            ({"end_at": "2026-03-01T18:00:00"}, ["end_at", "after start_at"]),
            ({"end_at": "2026-03-01T20:00:00", "duration_minutes": 60}, ["end_at", "duration_minutes", "not both"]),
            ({"start_at": "01/03/2026 6pm"}, ["start_at", "ISO 8601"]),
            ({"start_at": "2026-03-01"}, ["start_at", "no time of day"]),
            ({"start_at": " 2026-03-01 "}, ["start_at", "no time of day"]),
            ({"end_at": "2026-03-02"}, ["end_at", "no time of day"]),
        ],
    )
    async def test_invalid_input_is_refused_before_sending(self, mock_context, extra, words):
        result = await run("create_event", dict(self.BASIC, **extra), mock_context)
        assert_input_error(result, mock_context, *words)

    @pytest.mark.parametrize(
        "extra",
        [
            {"geo_address_json": {"type": "manual"}},
            {"geo_address_json": {"type": "google", "address": "x"}},
            {"slug": "ab"},
            {"tint_color": "purple"},
            {"cover_url": "https://example.com/a.png"},
            {"visibility": "hidden"},
            {"max_capacity": 0},
            {"max_capacity": 1000001},
            {"duration_minutes": 0},
            {"coordinate": {"latitude": 95, "longitude": 0}},
            {"feedback_email": {"enabled": True, "delay": "2 hours"}},
            {"registration_questions": [{"id": "d", "label": "D", "required": True, "question_type": "dropdown"}]},
            {
                "registration_questions": [
                    {"id": "t", "label": "T", "required": True, "question_type": "text", "options": ["a"]}
                ]
            },
            {"name": "   "},
            {"location": "somewhere"},
            {"registration_open": "no"},
            {"waitlist_status": "on"},
            {"location_visibility": "private"},
        ],
    )
    async def test_schema_rejects(self, mock_context, extra):
        assert_schema_error(await run("create_event", dict(self.BASIC, **extra), mock_context), mock_context)

    async def test_capacity_sent_is_returned_beside_the_event(self, mock_context):
        # Luma's event object has no max_capacity, only spots_remaining.
        mock_context.fetch.side_effect = [ok({"id": "evt-abc123"}), ok(dict(EVENT, spots_remaining=80))]
        result = await run("create_event", dict(self.BASIC, max_capacity=80), mock_context)
        data = ok_data(result)
        assert data["max_capacity_set"] == 80 and data["event"]["spots_remaining"] == 80
        assert "max_capacity" not in data["event"]
        assert requests(mock_context)[0][3]["max_capacity"] == 80

    async def test_enum_settings_in_another_case_are_sent_as_luma_spells_them(self, mock_context):
        mock_context.fetch.side_effect = [ok({"id": "evt-abc123"}), ok(EVENT)]
        inputs = dict(self.BASIC, waitlist_status="Enabled", location_visibility=" GUESTS-ONLY ")
        assert ok_data(await run("create_event", inputs, mock_context))["event"] == EVENT
        body = requests(mock_context)[0][3]
        assert (body["waitlist_status"], body["location_visibility"]) == ("enabled", "guests-only")

    async def test_missing_required(self, mock_context):
        result = await run("create_event", {"name": "X", "start_at": "2026-03-01T18:00:00Z"}, mock_context)
        assert_schema_error(result, mock_context)

    async def test_lost_response_finds_the_created_event(self, mock_context, no_sleep):
        listed = dict(EVENT, created_at="2026-02-01T12:00:00.400Z")
        older = dict(EVENT, id="evt-older", created_at="2026-01-01T00:00:00.000Z")
        mock_context.fetch.side_effect = [lost(), page([older, listed]), ok(EVENT)]
        result = await run("create_event", self.BASIC, mock_context)
        assert result.type == ResultType.ACTION
        assert result.result.data == {"event": EVENT, "max_capacity_set": None}
        sent = requests(mock_context)
        assert [(m, p) for m, p, _, _ in sent] == [
            ("POST", "/v1/events/create"),
            ("GET", "/v1/calendars/events/list"),
            ("GET", "/v1/events/get"),
        ]
        assert dict(sent[1][2]) == {
            "after": "2026-03-01T22:59:00.000Z",
            "before": "2026-03-01T23:01:00.000Z",
            "pagination_limit": "100",
        }
        assert sent[2][2] == [("event_id", "evt-abc123")]

    async def test_lost_response_matches_start_at_luma_precision(self, mock_context, no_sleep):
        listed = dict(EVENT, start_at="2026-03-01T23:00:00.123Z", created_at="2026-02-01T12:00:00.400Z")
        mock_context.fetch.side_effect = [lost(), page([listed]), ok(listed)]
        inputs = dict(self.BASIC, start_at="2026-03-01T18:00:00.123456-05:00")
        result = await run("create_event", inputs, mock_context)
        assert result.type == ResultType.ACTION
        assert methods(mock_context) == ["POST", "GET", "GET"]

    async def test_lost_response_not_landed_is_unconfirmed_and_never_resent(self, mock_context, no_sleep):
        same_but_old = dict(EVENT, created_at="2026-02-01T11:00:00.000Z")
        other_name = dict(EVENT, id="evt-other", name="Other", created_at="2026-02-01T12:00:02.000Z")
        mock_context.fetch.side_effect = [
            HTTPError(502, "Bad Gateway", "<html>bad gateway</html>"),
            page([same_but_old, other_name]),
            page([same_but_old, other_name]),
        ]
        result = await run("create_event", self.BASIC, mock_context)
        assert result.type == ResultType.ACTION_ERROR
        message = result.result.message
        assert "not confirmed" in message and "not sent again" in message and "get_events" in message
        assert methods(mock_context) == ["POST", "GET", "GET"]

    async def test_slow_write_found_on_the_second_look(self, mock_context, no_sleep):
        # Luma applied the create after the gateway gave up: the first look is too early, the second sees it.
        landed = dict(EVENT, created_at="2026-02-01T12:00:01.000Z")
        mock_context.fetch.side_effect = [HTTPError(504, "Gateway Timeout", None), page([]), page([landed]), ok(EVENT)]
        result = await run("create_event", self.BASIC, mock_context)
        assert result.type == ResultType.ACTION
        assert result.result.data == {"event": EVENT, "max_capacity_set": None}
        assert methods(mock_context) == ["POST", "GET", "GET", "GET"]

    async def test_two_matching_candidates_are_reported_not_picked(self, mock_context, no_sleep):
        one = dict(EVENT, id="evt-one", created_at="2026-02-01T12:00:00.400Z")
        two = dict(EVENT, id="evt-two", created_at="2026-02-01T12:00:00.900Z")
        mock_context.fetch.side_effect = [lost(), page([one, two]), ok(one), ok(two)]
        result = await run("create_event", self.BASIC, mock_context)
        assert result.type == ResultType.ACTION_ERROR
        assert "found 2 matching candidates" in result.result.message
        # Each candidate is read in full (the list hides the description and the capacity), none is picked.
        assert endpoints(mock_context) == [
            ("POST", "/v1/events/create"),
            ("GET", "/v1/calendars/events/list"),
            ("GET", "/v1/events/get"),
            ("GET", "/v1/events/get"),
        ]

    async def test_lost_response_compares_what_only_the_full_event_shows(self, mock_context, no_sleep):
        # The list shows neither the description nor the capacity; the event read in full shows both.
        full = dict(EVENT, created_at="2026-02-01T12:00:00.400Z", description_md="Team B", spots_remaining=198)
        listed = {k: v for k, v in full.items() if k not in ("description", "description_md", "guest_counts")}
        other = full  # capacity 200: 198 spots remaining and 2 approved guests
        mock_context.fetch.side_effect = [lost(), page([listed]), ok(other), page([listed]), ok(other)]
        inputs = dict(self.BASIC, description_md="Team A", max_capacity=200)
        failed(await run("create_event", inputs, mock_context), "not confirmed")
        inputs = dict(self.BASIC, description_md="Team B", max_capacity=10)
        mock_context.fetch.reset_mock()
        mock_context.fetch.side_effect = [lost(), page([listed]), ok(other), page([listed]), ok(other)]
        failed(await run("create_event", inputs, mock_context), "not confirmed")
        assert methods(mock_context).count("POST") == 1

    async def test_lost_response_confirmed_before_luma_shows_the_spots_remaining(self, mock_context, no_sleep):
        # Luma fills spots_remaining by a background job that lags a few seconds, and writes the markdown anew from
        # its own format: right after the create the event shows no spots remaining and reflowed spacing.
        full = dict(
            EVENT,
            created_at="2026-02-01T12:00:00.400Z",
            description_md="Bring your laptop.\r\n\r\nDoors   open at 6.\n",
            spots_remaining=None,
            guest_counts={"approved": {"guests": 0, "tickets": 0}},
        )
        listed = {k: v for k, v in full.items() if k not in ("description", "description_md", "guest_counts")}
        mock_context.fetch.side_effect = [lost(), page([listed]), ok(full)]
        inputs = dict(self.BASIC, description_md="Bring your laptop.\n\nDoors open at 6.", max_capacity=50)
        result = await run("create_event", inputs, mock_context)
        assert result.type == ResultType.ACTION, result.result
        assert result.result.data["event"]["id"] == EVENT["id"]
        assert methods(mock_context) == ["POST", "GET", "GET"]

    @pytest.mark.parametrize(
        ("shown", "sent"),
        [
            ({"spots_remaining": 40}, {"max_capacity": 50}),
            (
                {"description_md": "Bring your laptop. Doors open at 7."},
                {"description_md": "Bring your laptop. Doors open at 6."},
            ),
            ({"description_md": "Bringyour laptop."}, {"description_md": "Bring your laptop."}),
        ],
        ids=["known-spots-differ", "other-words", "other-spacing-within-words"],
    )
    async def test_lost_response_still_rules_out_a_known_difference(self, mock_context, no_sleep, shown, sent):
        full = {
            **EVENT,
            "created_at": "2026-02-01T12:00:00.400Z",
            "description_md": "Bring your laptop.",
            "spots_remaining": None,
            "guest_counts": {"approved": {"guests": 0, "tickets": 0}},
            **shown,
        }
        listed = {k: v for k, v in full.items() if k not in ("description", "description_md", "guest_counts")}
        mock_context.fetch.side_effect = [lost(), page([listed]), ok(full), page([listed]), ok(full)]
        failed(await run("create_event", dict(self.BASIC, **sent), mock_context), "not confirmed")
        assert methods(mock_context).count("POST") == 1

    async def test_luma_rejection_is_not_retried(self, mock_context):
        mock_context.fetch.side_effect = luma_error(400, "Slug 'py' is already taken")
        result = await run("create_event", dict(self.BASIC, slug="py-meetup"), mock_context)
        assert result.type == ResultType.ACTION_ERROR
        assert "Slug 'py' is already taken" in result.result.message
        assert mock_context.fetch.call_count == 1

    @pytest.mark.parametrize("answer", [{}, {"id": None}, {"id": ""}, {"ok": True}])
    async def test_answer_without_id_finds_the_created_event(self, mock_context, answer):
        landed = dict(EVENT, created_at="2026-02-01T12:00:00.400Z")
        mock_context.fetch.side_effect = [ok(answer), page([landed]), ok(EVENT)]
        result = await run("create_event", self.BASIC, mock_context)
        assert result.type == ResultType.ACTION, result.result
        assert result.result.data == {"event": EVENT, "max_capacity_set": None}
        assert endpoints(mock_context) == [
            ("POST", "/v1/events/create"),
            ("GET", "/v1/calendars/events/list"),
            ("GET", "/v1/events/get"),
        ]

    @pytest.mark.parametrize("lookup", [[page([]), page([])], [unavailable()] * 6])
    async def test_answer_without_id_not_found_is_unconfirmed(self, mock_context, no_sleep, lookup):
        mock_context.fetch.side_effect = [ok({}), *lookup]
        result = await run("create_event", self.BASIC, mock_context)
        assert result.type == ResultType.ACTION_ERROR
        message = result.result.message
        assert "accepted the request (2xx)" in message and "not confirmed" in message and "get_events" in message
        assert methods(mock_context).count("POST") == 1

    @pytest.mark.parametrize("answer", ["<html>ok</html>", ["evt-abc123"]])
    async def test_unreadable_2xx_finds_the_created_event(self, mock_context, no_sleep, answer):
        landed = dict(EVENT, created_at="2026-02-01T12:00:00.400Z")
        mock_context.fetch.side_effect = [ok(answer), page([landed]), ok(EVENT)]
        result = await run("create_event", self.BASIC, mock_context)
        assert result.type == ResultType.ACTION, result.result
        assert result.result.data == {"event": EVENT, "max_capacity_set": None}
        assert methods(mock_context) == ["POST", "GET", "GET"]

    async def test_unreadable_2xx_not_found_is_never_resent(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = [ok("<html>ok</html>"), page([]), page([])]
        result = await run("create_event", self.BASIC, mock_context)
        assert result.type == ResultType.ACTION_ERROR
        assert methods(mock_context) == ["POST", "GET", "GET"]

    @pytest.mark.parametrize(
        ("extra", "theirs"),
        [
            ({"end_at": "2026-03-01T19:00:00"}, {"end_at": "2026-03-02T01:00:00.000Z"}),
            ({}, {"timezone": "America/Chicago"}),
            ({"visibility": "private"}, {"visibility": "public"}),
            ({"description_md": "Room A"}, {"description_md": "Room B"}),
            ({"meeting_url": "https://meet.example/a"}, {"meeting_url": "https://meet.example/b"}),
            ({"max_capacity": 20}, {"max_capacity": 40}),
            ({"registration_open": False}, {"registration_open": True}),
            ({"waitlist_status": "enabled"}, {"waitlist_status": "disabled"}),
            ({"location_visibility": "guests-only"}, {"location_visibility": "public"}),
            (
                {"geo_address_json": {"type": "manual", "address": "Room A, 1 Main St"}},
                {"geo_address_json": {"address": "Room B, 1 Main St", "full_address": "Room B, 1 Main St"}},
            ),
        ],
    )
    async def test_lost_response_never_adopts_another_runs_event(self, mock_context, no_sleep, extra, theirs):
        # Same name and start, created seconds ago by another run ("Office Hours" for another room).
        other = dict(EVENT, id="evt-other", created_at="2026-02-01T12:00:00.400Z", **theirs)
        mock_context.fetch.side_effect = [lost(), page([other]), page([other])]
        result = await run("create_event", dict(self.BASIC, **extra), mock_context)
        assert result.type == ResultType.ACTION_ERROR
        assert "evt-other" not in result.result.message and "not confirmed" in result.result.message
        assert methods(mock_context) == ["POST", "GET", "GET"]

    async def test_lost_response_ignores_an_identical_event_created_before_the_request(self, mock_context, no_sleep):
        before = dict(EVENT, id="evt-before", created_at="2026-02-01T11:59:50.000Z")
        mock_context.fetch.side_effect = [lost(), page([before]), page([before])]
        result = await run("create_event", self.BASIC, mock_context)
        assert result.type == ResultType.ACTION_ERROR
        assert methods(mock_context) == ["POST", "GET", "GET"]

    async def test_lost_response_matches_when_luma_shows_no_value(self, mock_context, no_sleep):
        landed = dict(EVENT, created_at="2026-02-01T12:00:00.400Z", visibility=None)
        mock_context.fetch.side_effect = [lost(), page([landed]), ok(landed)]
        inputs = dict(self.BASIC, end_at="2026-03-01T20:00:00", visibility="private")
        result = await run("create_event", inputs, mock_context)
        assert result.type == ResultType.ACTION
        assert methods(mock_context) == ["POST", "GET", "GET"]

    async def test_lost_response_compares_the_registration_settings_luma_shows(self, mock_context, no_sleep):
        settings = {"registration_open": False, "waitlist_status": "enabled", "location_visibility": "guests-only"}
        landed = dict(EVENT, created_at="2026-02-01T12:00:00.400Z", **settings)
        mock_context.fetch.side_effect = [lost(), page([landed]), ok(landed)]
        data = ok_data(await run("create_event", dict(self.BASIC, **settings), mock_context))
        assert data["event"] == landed
        assert methods(mock_context) == ["POST", "GET", "GET"]

    async def test_time_skipped_by_dst_is_refused(self, mock_context):
        result = await run("create_event", dict(self.BASIC, start_at="2026-03-08T02:30:00"), mock_context)
        assert_input_error(result, mock_context, "does not exist", "America/New_York")


# ---- update_event ------------------------------------------------------------------------------------------


class TestUpdateEvent:
    RENAME = {"event_api_id": "evt-abc123", "name": "New name"}

    async def test_sends_only_the_changes(self, mock_context):
        renamed = dict(EVENT, name="New name")
        mock_context.fetch.side_effect = [ok(EVENT), ok({}), ok(renamed)]
        inputs = {"event_api_id": "evt-abc123", "name": "New name", "suppress_notifications": True}
        result = await run("update_event", inputs, mock_context)
        assert result.type == ResultType.ACTION
        assert result.result.data == {"event": renamed}
        # The event is read first: what a check after a lost answer compares with.
        assert requests(mock_context) == [
            ("GET", "/v1/events/get", [("event_id", "evt-abc123")], None),
            (
                "POST",
                "/v1/events/update",
                [],
                {"event_id": "evt-abc123", "name": "New name", "suppress_notifications": True},
            ),
            ("GET", "/v1/events/get", [("event_id", "evt-abc123")], None),
        ]

    async def test_registration_settings_are_sent_and_the_capacity_returned(self, mock_context):
        mock_context.fetch.side_effect = [ok(EVENT), ok({}), ok(dict(EVENT, registration_open=False))]
        inputs = {
            "event_api_id": "evt-abc123",
            "registration_open": False,
            "waitlist_status": "enabled",
            "location_visibility": "guests-only",
            "max_capacity": 120,
        }
        data = ok_data(await run("update_event", inputs, mock_context))
        assert data == {"event": dict(EVENT, registration_open=False), "max_capacity_set": 120}
        assert requests(mock_context)[1][3] == {
            "event_id": "evt-abc123",
            "registration_open": False,
            "waitlist_status": "enabled",
            "location_visibility": "guests-only",
            "max_capacity": 120,
        }

    async def test_no_capacity_key_when_capacity_was_not_changed(self, mock_context):
        mock_context.fetch.side_effect = [ok(EVENT), ok({}), ok(EVENT)]
        data = ok_data(
            await run("update_event", {"event_api_id": "evt-abc123", "registration_open": True}, mock_context)
        )
        assert data == {"event": EVENT}

    async def test_lost_answer_closing_registration_is_seen_on_the_event(self, mock_context, no_sleep):
        closed = dict(EVENT, registration_open=True)
        opened = dict(EVENT, registration_open=False)
        mock_context.fetch.side_effect = [ok(closed), lost(), ok(opened)]
        data = ok_data(
            await run("update_event", {"event_api_id": "evt-abc123", "registration_open": False}, mock_context)
        )
        assert data == {"event": opened}
        assert methods(mock_context) == ["GET", "POST", "GET"]

    @pytest.mark.parametrize(
        "sent",
        [{"registration_open": False}, {"waitlist_status": "enabled"}, {"location_visibility": "guests-only"}],
    )
    async def test_lost_answer_with_the_old_setting_is_unconfirmed(self, mock_context, no_sleep, sent):
        # Registration open, no waitlist, public location: the event still shows that after the lost answer.
        before = dict(EVENT, registration_open=True, waitlist_status="disabled", location_visibility="public")
        mock_context.fetch.side_effect = [ok(before), lost(), ok(before), ok(before)]
        result = await run("update_event", dict(sent, event_api_id="evt-abc123"), mock_context)
        failed(result, "not confirmed", "get_events")
        assert methods(mock_context) == ["GET", "POST", "GET", "GET"]

    async def test_lost_answer_of_a_capacity_change_alone_is_unconfirmed(self, mock_context, no_sleep):
        # Luma's event does not show max_capacity, so nothing on it can prove the change.
        mock_context.fetch.side_effect = [ok(EVENT), lost(), ok(EVENT), ok(EVENT)]
        result = await run("update_event", {"event_api_id": "evt-abc123", "max_capacity": 10}, mock_context)
        failed(result, "not confirmed")
        assert methods(mock_context).count("POST") == 1

    async def test_full_new_times_read_the_event_once(self, mock_context):
        mock_context.fetch.side_effect = [ok(EVENT), ok({}), ok(EVENT)]
        inputs = {
            "event_api_id": "evt-abc123",
            "start_at": "2026-06-01T09:00:00",
            "end_at": "2026-06-01T11:00:00",
            "timezone": "Europe/London",
        }
        await run("update_event", inputs, mock_context)
        sent = requests(mock_context)
        assert sent[1][3] == {
            "event_id": "evt-abc123",
            "timezone": "Europe/London",
            "start_at": "2026-06-01T08:00:00.000Z",
            "end_at": "2026-06-01T10:00:00.000Z",
        }
        assert len(sent) == 3

    async def test_lone_start_keeps_the_events_length(self, mock_context):
        mock_context.fetch.side_effect = [ok(EVENT), ok({}), ok(EVENT)]
        # No offset and no new timezone: read in the event's own timezone (America/New_York, EDT in June).
        await run("update_event", {"event_api_id": "evt-abc123", "start_at": "2026-06-01T18:00:00"}, mock_context)
        sent = requests(mock_context)
        assert sent[0] == ("GET", "/v1/events/get", [("event_id", "evt-abc123")], None)
        assert sent[1][3] == {
            "event_id": "evt-abc123",
            "start_at": "2026-06-01T22:00:00.000Z",
            "end_at": "2026-06-02T00:00:00.000Z",
        }

    async def test_lone_duration_counts_from_current_start(self, mock_context):
        mock_context.fetch.side_effect = [ok(EVENT), ok({}), ok(EVENT)]
        await run("update_event", {"event_api_id": "evt-abc123", "duration_minutes": 45}, mock_context)
        assert requests(mock_context)[1][3] == {"event_id": "evt-abc123", "end_at": "2026-03-01T23:45:00.000Z"}

    async def test_lone_start_keeps_the_length_across_dst(self, mock_context):
        three_hours = dict(EVENT, end_at="2026-03-02T02:00:00.000Z")
        mock_context.fetch.side_effect = [ok(three_hours), ok({}), ok(EVENT)]
        # 00:30 EST on the night clocks spring forward: the event still lasts 3 hours of elapsed time.
        await run("update_event", {"event_api_id": "evt-abc123", "start_at": "2026-03-08T00:30"}, mock_context)
        assert requests(mock_context)[1][3] == {
            "event_id": "evt-abc123",
            "start_at": "2026-03-08T05:30:00.000Z",
            "end_at": "2026-03-08T08:30:00.000Z",
        }

    @pytest.mark.parametrize(
        ("start_at", "minutes", "end_utc"),
        [
            ("2026-03-08T01:00:00", 120, "2026-03-08T08:00:00.000Z"),
            ("2026-11-01T00:30:00", 120, "2026-11-01T06:30:00.000Z"),
        ],
    )
    async def test_start_with_duration_is_elapsed_time_across_dst(self, mock_context, start_at, minutes, end_utc):
        mock_context.fetch.side_effect = [ok(EVENT), ok({}), ok(EVENT)]
        inputs = {
            "event_api_id": "evt-abc123",
            "start_at": start_at,
            "duration_minutes": minutes,
            "timezone": "America/New_York",
        }
        assert (await run("update_event", inputs, mock_context)).type == ResultType.ACTION
        assert requests(mock_context)[1][3]["end_at"] == end_utc

    async def test_lone_duration_in_the_events_timezone_across_dst(self, mock_context):
        before_change = dict(EVENT, start_at="2026-03-08T06:00:00.000Z", end_at="2026-03-08T07:00:00.000Z")
        mock_context.fetch.side_effect = [ok(before_change), ok({}), ok(EVENT)]
        await run("update_event", {"event_api_id": "evt-abc123", "duration_minutes": 120}, mock_context)
        assert requests(mock_context)[1][3] == {"event_id": "evt-abc123", "end_at": "2026-03-08T08:00:00.000Z"}

    async def test_timezone_is_sent_canonical(self, mock_context):
        mock_context.fetch.side_effect = [ok(EVENT), ok({}), ok(EVENT)]
        result = await run("update_event", {"event_api_id": "evt-abc123", "timezone": " europe/LONDON"}, mock_context)
        assert result.type == ResultType.ACTION
        assert requests(mock_context)[1][3] == {"event_id": "evt-abc123", "timezone": "Europe/London"}

    async def test_current_event_without_id_is_a_clear_error(self, mock_context):
        mock_context.fetch.side_effect = [ok({})]
        result = await run("update_event", {"event_api_id": "evt-abc123", "start_at": "2026-06-01T18:00"}, mock_context)
        assert result.type == ResultType.ACTION_ERROR and "no id" in result.result.message
        assert methods(mock_context) == ["GET"]

    async def test_read_back_failing_reports_what_was_sent(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = [ok(EVENT), ok({}), unavailable(), unavailable(), unavailable()]
        inputs = {"event_api_id": "evt-abc123", "name": "New name", "suppress_notifications": True}
        result = await run("update_event", inputs, mock_context)
        assert result.type == ResultType.ACTION, result.result
        assert result.result.data == {"event": {"id": "evt-abc123", "name": "New name"}}
        assert methods(mock_context) == ["GET", "POST", "GET", "GET", "GET"]

    async def test_lone_end_before_current_start_is_refused(self, mock_context):
        mock_context.fetch.side_effect = [ok(EVENT)]
        result = await run(
            "update_event", {"event_api_id": "evt-abc123", "end_at": "2026-03-01T22:00:00Z"}, mock_context
        )
        assert result.type == ResultType.ACTION_ERROR
        assert "end_at" in result.result.message and "2026-03-01T23:00:00.000Z" in result.result.message
        assert methods(mock_context) == ["GET"]

    @pytest.mark.parametrize(
        ("inputs", "words"),
        [
            ({}, ["Nothing to update"]),
            ({"suppress_notifications": True}, ["Nothing to update"]),
            ({"timezone": "Nowhere/City"}, ["Nowhere/City", "IANA"]),
            ({"end_at": "2026-03-01T22:00:00Z", "duration_minutes": 30}, ["not both"]),
            ({"start_at": "2026-06-01T20:00:00Z", "end_at": "2026-06-01T19:00:00Z", "timezone": "UTC"}, ["end_at"]),
            ({"start_at": "tomorrow"}, ["start_at", "ISO 8601"]),
            ({"start_at": "2026-06-01"}, ["start_at", "no time of day"]),
            ({"end_at": "2026-06-01", "timezone": "UTC"}, ["end_at", "no time of day"]),
            ({"end_at": "2026-06-01"}, ["end_at", "no time of day"]),
        ],
    )
    async def test_invalid_input_is_refused_before_sending(self, mock_context, inputs, words):
        result = await run("update_event", dict(inputs, event_api_id="evt-abc123"), mock_context)
        assert_input_error(result, mock_context, *words)

    @pytest.mark.parametrize(
        "extra", [{"visibility": "secret"}, {"slug": "x"}, {"api_id": "evt-1"}, {"max_capacity": 1000001}]
    )
    async def test_schema_rejects(self, mock_context, extra):
        result = await run("update_event", dict(extra, event_api_id="evt-abc123"), mock_context)
        assert_schema_error(result, mock_context)

    async def test_lost_response_that_landed_is_not_resent(self, mock_context, no_sleep):
        renamed = dict(EVENT, name="New name")
        mock_context.fetch.side_effect = [ok(EVENT), lost(), ok(renamed)]
        result = await run("update_event", self.RENAME, mock_context)
        assert result.type == ResultType.ACTION
        assert result.result.data == {"event": renamed}
        assert methods(mock_context) == ["GET", "POST", "GET"]

    async def test_lost_time_change_is_matched_by_instant(self, mock_context, no_sleep):
        # Luma may render the same instant differently (no milliseconds, offset); it still counts as landed.
        moved = dict(EVENT, start_at="2026-06-01T22:00:00Z", end_at="2026-06-02T00:00:00+00:00")
        mock_context.fetch.side_effect = [ok(EVENT), lost(), ok(moved)]
        inputs = {"event_api_id": "evt-abc123", "start_at": "2026-06-01T22:00:00Z", "end_at": "2026-06-02T00:00:00Z"}
        result = await run("update_event", inputs, mock_context)
        assert result.result.data == {"event": moved}
        assert methods(mock_context) == ["GET", "POST", "GET"]

    async def test_lost_response_not_landed_is_unconfirmed_not_resent(self, mock_context, no_sleep):
        # Re-sending an update repeats its guest notifications, so it is reported, not sent twice.
        mock_context.fetch.side_effect = [ok(EVENT), lost(), ok(EVENT), ok(EVENT)]
        result = await run("update_event", self.RENAME, mock_context)
        assert result.type == ResultType.ACTION_ERROR
        assert "not confirmed" in result.result.message and "get_events" in result.result.message
        assert methods(mock_context) == ["GET", "POST", "GET", "GET"]

    async def test_slow_update_seen_on_the_second_look(self, mock_context, no_sleep):
        renamed = dict(EVENT, name="New name")
        mock_context.fetch.side_effect = [ok(EVENT), TimeoutError(), ok(EVENT), ok(renamed)]
        result = await run("update_event", self.RENAME, mock_context)
        assert result.result.data == {"event": renamed}
        assert methods(mock_context) == ["GET", "POST", "GET", "GET"]

    async def test_lost_response_with_unreadable_field_is_unconfirmed(self, mock_context, no_sleep):
        # tint_color does not appear on the event, so the check cannot show the update landed.
        mock_context.fetch.side_effect = [ok(EVENT), lost()]
        result = await run("update_event", {"event_api_id": "evt-abc123", "tint_color": "#000000"}, mock_context)
        assert result.type == ResultType.ACTION_ERROR
        assert methods(mock_context) == ["GET", "POST"], "nothing on the event could show it: no read is worth making"

    async def test_unreadable_2xx_that_landed_is_returned(self, mock_context, no_sleep):
        renamed = dict(EVENT, name="New name")
        mock_context.fetch.side_effect = [ok(EVENT), ok("<html>ok</html>"), ok(renamed)]
        result = await run("update_event", self.RENAME, mock_context)
        assert result.type == ResultType.ACTION, result.result
        assert result.result.data == {"event": renamed}
        assert methods(mock_context) == ["GET", "POST", "GET"]

    async def test_unreadable_2xx_not_showing_is_never_resent(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = [ok(EVENT), ok(["updated"]), ok(EVENT), ok(EVENT)]
        result = await run("update_event", self.RENAME, mock_context)
        assert result.type == ResultType.ACTION_ERROR
        assert methods(mock_context) == ["GET", "POST", "GET", "GET"]

    async def test_time_skipped_by_dst_is_refused(self, mock_context):
        inputs = {"event_api_id": "evt-abc123", "start_at": "2026-03-08T02:30:00", "timezone": "America/New_York"}
        assert_input_error(await run("update_event", inputs, mock_context), mock_context, "does not exist")

    async def test_unknown_event(self, mock_context):
        mock_context.fetch.side_effect = luma_error(404, "Event evt-nope not found")
        result = await run("update_event", {"event_api_id": "evt-nope", "name": "X"}, mock_context)
        assert result.type == ResultType.ACTION_ERROR and "Event evt-nope not found" in result.result.message


# ---- cancel_event ------------------------------------------------------------------------------------------


class TestCancelEvent:
    CANCEL = {"event_api_id": "evt-abc123"}

    @pytest.mark.parametrize("event_id", ["autohive-builders", "evt_b7c1", "calev-1"])
    async def test_not_found_for_what_is_not_an_event_id_is_an_error(self, mock_context, event_id):
        # A slug or a misspelt id never named an event: "already absent" would hide that the event is still there.
        mock_context.fetch.side_effect = [luma_error(404, "Event not found")]
        message = failed(await run("cancel_event", {"event_api_id": event_id}, mock_context), "get_events")
        assert message.startswith(f"Luma knows nothing with the id '{event_id}', and event_api_id takes an event id")
        assert methods(mock_context) == ["POST"]

    # A fake token, as Luma's cancel/request issues it.
    TOKEN = "tok-123"  # nosec B105
    FREE = {"cancellation_token": TOKEN, "is_paid": False, "guest_count": 12}
    PAID = {"cancellation_token": TOKEN, "is_paid": True, "guest_count": 40}

    async def test_requests_a_token_then_cancels(self, mock_context):
        mock_context.fetch.side_effect = [ok(self.FREE), ok({})]
        data = ok_data(await run("cancel_event", self.CANCEL, mock_context))
        assert data == {
            "event_api_id": "evt-abc123",
            "cancelled": True,
            "already_absent": False,
            "guest_count": 12,
            "is_paid": False,
        }
        assert requests(mock_context) == [
            ("POST", "/v1/events/cancel/request", [], {"event_id": "evt-abc123"}),
            ("POST", "/v1/events/cancel", [], {"event_id": "evt-abc123", "cancellation_token": self.TOKEN}),
        ]
        assert self.TOKEN not in str(data)

    @pytest.mark.parametrize("refund", [True, False])
    async def test_paid_event_with_should_refund(self, mock_context, refund):
        mock_context.fetch.side_effect = [ok(self.PAID), ok({})]
        data = ok_data(await run("cancel_event", dict(self.CANCEL, should_refund=refund), mock_context))
        assert (data["cancelled"], data["is_paid"], data["should_refund"]) == (True, True, refund)
        assert requests(mock_context)[1][3] == {
            "event_id": "evt-abc123",
            "cancellation_token": self.TOKEN,
            "should_refund": refund,
        }

    async def test_paid_event_without_should_refund_is_refused_and_nothing_cancelled(self, mock_context):
        mock_context.fetch.side_effect = [ok(self.PAID)]
        result = await run("cancel_event", self.CANCEL, mock_context)
        message = failed(
            result, "paid guests", "40 approved guests", "should_refund true", "false", "Nothing was cancelled"
        )
        assert "evt-abc123" in message
        assert endpoints(mock_context) == [("POST", "/v1/events/cancel/request")]

    async def test_free_event_takes_should_refund_too(self, mock_context):
        mock_context.fetch.side_effect = [ok(self.FREE), ok({})]
        data = ok_data(await run("cancel_event", dict(self.CANCEL, should_refund=False), mock_context))
        assert data["should_refund"] is False and requests(mock_context)[1][3]["should_refund"] is False

    async def test_an_event_luma_does_not_have_is_already_absent(self, mock_context):
        mock_context.fetch.side_effect = [luma_error(404, "Event evt-abc123 not found")]
        data = ok_data(await run("cancel_event", self.CANCEL, mock_context))
        assert data == {"event_api_id": "evt-abc123", "cancelled": False, "already_absent": True}
        assert methods(mock_context) == ["POST"]

    async def test_cancelled_elsewhere_between_the_steps_is_already_absent(self, mock_context):
        mock_context.fetch.side_effect = [ok(self.FREE), luma_error(404, "Event evt-abc123 not found")]
        assert ok_data(await run("cancel_event", self.CANCEL, mock_context))["already_absent"] is True

    async def test_no_access_is_an_error_not_already_absent(self, mock_context):
        mock_context.fetch.side_effect = [luma_error(403, "You don't have access to this event.")]
        failed(await run("cancel_event", self.CANCEL, mock_context), "403", "don't have access")

    async def test_lost_answer_to_the_cancel_with_the_event_gone_is_done(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = [ok(self.FREE), lost(), luma_error(404, "Event evt-abc123 not found")]
        data = ok_data(await run("cancel_event", self.CANCEL, mock_context))
        assert (data["cancelled"], data["already_absent"], data["guest_count"]) == (True, False, 12)
        assert endpoints(mock_context) == [
            ("POST", "/v1/events/cancel/request"),
            ("POST", "/v1/events/cancel"),
            ("GET", "/v1/events/get"),
        ]

    async def test_slow_cancel_seen_on_the_second_look(self, mock_context, no_sleep):
        gone = luma_error(404, "Event evt-abc123 not found")
        mock_context.fetch.side_effect = [ok(self.FREE), TimeoutError(), ok(EVENT), gone]
        assert ok_data(await run("cancel_event", self.CANCEL, mock_context))["cancelled"] is True
        assert methods(mock_context) == ["POST", "POST", "GET", "GET"]

    async def test_lost_answer_with_the_event_still_there_is_unconfirmed_not_resent(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = [ok(self.FREE), unavailable(), ok(EVENT), ok(EVENT)]
        message = failed(await run("cancel_event", self.CANCEL, mock_context), "not confirmed", "not sent again")
        assert "get_events" in message and "'not found' means it was cancelled" in message
        assert methods(mock_context) == ["POST", "POST", "GET", "GET"]

    async def test_lost_answer_and_a_failing_check_is_unconfirmed(self, mock_context, no_sleep):
        # Three attempts at the first look, three at the second after the settle delay: Luma stays down.
        mock_context.fetch.side_effect = [ok(self.FREE), lost(), *[unavailable()] * 6]
        failed(await run("cancel_event", self.CANCEL, mock_context), "not confirmed", "failed too")
        assert methods(mock_context).count("POST") == 2

    @pytest.mark.parametrize(
        "first", [lost(), unavailable(), TimeoutError(), ok({}), ok({"is_paid": False}), ok("<html>ok</html>")]
    )
    async def test_no_token_means_nothing_was_cancelled(self, mock_context, no_sleep, first):
        mock_context.fetch.side_effect = [first]
        message = failed(await run("cancel_event", self.CANCEL, mock_context), "not confirmed", "did not happen")
        assert "never sent" in message and "run cancel_event again" in message
        assert endpoints(mock_context) == [("POST", "/v1/events/cancel/request")]

    async def test_luma_refusal_of_the_cancel_is_passed_on(self, mock_context):
        mock_context.fetch.side_effect = [ok(self.FREE), luma_error(400, "cancellation_token has expired")]
        failed(await run("cancel_event", self.CANCEL, mock_context), "400", "cancellation_token has expired")
        assert methods(mock_context) == ["POST", "POST"]

    @pytest.mark.parametrize("inputs", [{}, {"event_api_id": ""}, {"event_api_id": "evt-1", "should_refund": "yes"}])
    async def test_schema_rejects(self, mock_context, inputs):
        assert_schema_error(await run("cancel_event", inputs, mock_context), mock_context)
