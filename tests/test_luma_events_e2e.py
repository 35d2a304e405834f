"""Event actions (get_events, create_event, update_event) end to end: the SDK's real ExecutionContext over HTTP
against the local Luma."""

from datetime import datetime, timedelta, timezone

import pytest
from autohive_integrations_sdk.integration import ResultType

from tests.support.fakes import failed, ok_data, run
from tests.support.live import UNUSABLE_2XX, apply_late, posts, work_then_answer

pytestmark = pytest.mark.e2e


def instant(value):
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


class TestGetEvents:
    async def test_one_event_with_hosts(self, luma_emulator, live_context, event):
        data = ok_data(await run("get_events", {"event_api_id": event["id"]}, live_context))
        assert data == {"event": luma_emulator.event(event["id"])}
        assert data["event"]["hosts"][0]["email"] == "owner@example.com"

    async def test_one_event_with_guest_counts_spots_registration_and_price(self, luma_emulator, live_context):
        event = luma_emulator.seed_events(1, max_capacity=10, waitlist_status="enabled")[0]
        luma_emulator.seed_guests(event["id"], 3)
        luma_emulator.seed_guests(event["id"], 2, approval_status="invited")
        free = luma_emulator.ticket_types(event["id"])[0]
        paid = {"event_id": event["id"], "name": "Supporter", "type": "paid", "cents": 1999, "currency": "eur"}
        luma_emulator.call("POST", "/v1/events/ticket-types/create", body=paid)
        hide = {"event_ticket_type_id": free["id"], "is_hidden": True}
        luma_emulator.call("POST", "/v1/events/ticket-types/update", body=hide)
        got = ok_data(await run("get_events", {"event_api_id": event["id"]}, live_context))["event"]
        assert got == luma_emulator.event(event["id"])
        assert got["guest_counts"]["approved"] == {"guests": 3, "tickets": 3}
        assert got["guest_counts"]["invited"] == {"guests": 2, "tickets": 0}
        assert (got["spots_remaining"], got["registration_open"], got["waitlist_status"]) == (7, True, "enabled")
        # 19.99 EUR in minor units, as Luma shows the starting price.
        assert got["display_price"] == {"amount": 1999, "currency": "eur", "is_flexible": False}

    async def test_more_than_100_events_with_limit_and_cursor(self, luma_emulator, live_context):
        seeded = [e["id"] for e in luma_emulator.seed_events(120)]
        first = ok_data(await run("get_events", {"limit": 110}, live_context))
        assert len(first["events"]) == 110 and first["has_more"] is True and first["next_cursor"]
        rest = ok_data(await run("get_events", {"cursor": first["next_cursor"]}, live_context))
        assert rest["has_more"] is False and rest["next_cursor"] is None
        assert [e["id"] for e in first["events"] + rest["events"]] == seeded
        sent = luma_emulator.requests_to("/v1/calendars/events/list")
        assert [r.query_values("pagination_limit") for r in sent] == [["100"], ["10"], ["50"]]

    async def test_window_sort_and_platforms(self, luma_emulator, live_context):
        seeded = luma_emulator.seed_events(8)
        after = (instant(seeded[2]["start_at"]) - timedelta(hours=1)).isoformat()
        before = (instant(seeded[5]["start_at"]) - timedelta(hours=1)).astimezone(timezone(timedelta(hours=13)))
        inputs = {
            "after": after,
            "before": before.isoformat(),
            "sort_direction": "desc",
            "platforms": ["luma", "external"],
        }
        data = ok_data(await run("get_events", inputs, live_context))
        assert [e["id"] for e in data["events"]] == [seeded[i]["id"] for i in (4, 3, 2)]
        sent = luma_emulator.requests_to("/v1/calendars/events/list")[-1]
        assert sent.query_values("platforms") == ["luma", "external"]
        assert sent.query_values("before")[0].endswith("Z")

    async def test_limit_above_200_is_refused_before_sending(self, luma_emulator, live_context):
        result = await run("get_events", {"limit": 201}, live_context)
        assert result.type == ResultType.VALIDATION_ERROR
        assert luma_emulator.requests == []

    async def test_unknown_event(self, luma_emulator, live_context):
        failed(await run("get_events", {"event_api_id": "evt-doesnotexist"}, live_context), "404")

    async def test_event_without_id_is_a_clear_error(self, luma_emulator, live_context, event):
        luma_emulator.inject("GET /v1/events/get", body={})
        failed(await run("get_events", {"event_api_id": event["id"]}, live_context), "/v1/events/get", "no id")


class TestLookupEvent:
    async def test_an_event_the_calendar_manages(self, luma_emulator, live_context, event):
        by_id = ok_data(await run("lookup_event", {"event_api_id": event["id"]}, live_context))
        assert (by_id["event"]["id"], by_id["event"]["status"]) == (event["id"], "approved")
        assert by_id["event"]["submitted_by"]["email"] == "owner@example.com"
        # Its page, as people paste it: lu.ma, a tracking query, a trailing slash.
        slug = event["url"].rsplit("/", 1)[1]
        by_url = ok_data(await run("lookup_event", {"url": f"https://lu.ma/{slug}/?utm_source=x"}, live_context))
        assert by_url == by_id
        sent = luma_emulator.requests_to("/v1/calendars/events/lookup")[-1]
        assert (sent.query_values("platform"), sent.query_values("url")) == (["luma"], [event["url"]])

    async def test_lumas_links_by_event_id(self, luma_emulator, live_context, event):
        by_id = ok_data(await run("lookup_event", {"event_api_id": event["id"]}, live_context))
        for url in (f"https://luma.com/event/{event['id']}", f"https://lu.ma/event/manage/{event['id']}/"):
            assert ok_data(await run("lookup_event", {"url": url}, live_context)) == by_id

    async def test_an_external_event_submitted_to_the_calendar(self, luma_emulator, live_context):
        url = "https://www.meetup.com/python-akl/events/301/"
        submitted = luma_emulator.submit_calendar_event(name="Python AKL", start_at="2030-05-01T06:00:00Z", url=url)
        data = ok_data(await run("lookup_event", {"url": url}, live_context))
        assert (data["event"]["id"], data["event"]["status"]) == (submitted["id"], "pending")
        assert data["event"]["id"].startswith("calev-")
        assert data["event"]["submitted_by"]["email"] == "submitter@example.com"
        sent = luma_emulator.requests_to("/v1/calendars/events/lookup")[-1]
        assert sent.query_values("platform") == ["external"]
        # Its calendar entry's id is the only id it has: taken as its event id.
        again = ok_data(await run("lookup_event", {"event_api_id": submitted["id"]}, live_context))
        assert again["event"]["id"] == submitted["id"]

    async def test_a_luma_event_of_another_calendar_submitted_here(self, luma_emulator, live_context):
        other = luma_emulator.call("POST", "/v2/organizations/calendars/create", body={"name": "Partner Calendar"})
        theirs = luma_emulator.seed_events(1, name="Partner Night")[0]
        move = {"event_id": theirs["id"], "calendar_id": other["id"]}
        luma_emulator.call("POST", "/v1/organizations/events/transfer-calendar", body=move)
        assert ok_data(await run("lookup_event", {"event_api_id": theirs["id"]}, live_context)) == {"event": None}
        submitted = luma_emulator.submit_calendar_event(event_id=theirs["id"])
        data = ok_data(await run("lookup_event", {"event_api_id": theirs["id"]}, live_context))
        assert (data["event"]["id"], data["event"]["status"]) == (submitted["id"], "pending")

    async def test_not_on_the_calendar_is_null(self, luma_emulator, live_context):
        for inputs in ({"url": "https://www.eventbrite.com/e/unknown-1"}, {"event_api_id": "evt-unknown"}):
            assert ok_data(await run("lookup_event", inputs, live_context)) == {"event": None}

    async def test_both_or_neither_is_refused_before_sending(self, luma_emulator, live_context, event):
        failed(await run("lookup_event", {}, live_context), "url", "event_api_id")
        both = {"url": event["url"], "event_api_id": event["id"]}
        failed(await run("lookup_event", both, live_context), "not both")
        assert luma_emulator.requests == []


class TestCreateEvent:
    INPUTS = {
        "name": "Founders Breakfast",
        "start_at": "2030-05-01T07:30:00",
        "timezone": "Pacific/Auckland",
        "duration_minutes": 90,
        "geo_address_json": {"type": "manual", "address": "GridAKL, 101 Pakenham Street West, Auckland"},
        "registration_questions": [
            {"id": "role", "label": "Role", "required": True, "question_type": "dropdown", "options": ["Founder"]}
        ],
        "feedback_email": {"enabled": True, "delay": "PT2H"},
        "slug": "founders-breakfast",
    }

    async def test_creates_and_returns_the_full_event(self, luma_emulator, live_context):
        data = ok_data(await run("create_event", self.INPUTS, live_context))
        stored = luma_emulator.event(data["event"]["id"])
        assert data["event"] == stored
        # 07:30 in Auckland (NZST, UTC+12) on 1 May.
        assert stored["start_at"] == "2030-04-30T19:30:00.000Z" and stored["end_at"] == "2030-04-30T21:00:00.000Z"
        assert stored["url"] == "https://luma.com/founders-breakfast"
        assert stored["registration_questions"] == self.INPUTS["registration_questions"]
        assert stored["geo_address_json"]["address"] == self.INPUTS["geo_address_json"]["address"]

    async def test_registration_settings_and_capacity(self, luma_emulator, live_context):
        settings = {"registration_open": False, "waitlist_status": "enabled", "location_visibility": "guests-only"}
        data = ok_data(await run("create_event", dict(self.INPUTS, max_capacity=50, **settings), live_context))
        stored = luma_emulator.event(data["event"]["id"])
        assert data["event"] == stored and {key: stored[key] for key in settings} == settings
        # Luma does not return max_capacity: the answer carries what was set, and Luma the places left.
        assert data["max_capacity_set"] == 50 and stored["spots_remaining"] == 50
        assert "max_capacity" not in stored

    async def test_a_new_event_comes_with_a_free_ticket_type(self, luma_emulator, live_context):
        # What create_event's description warns about: a paid event must hide or delete this one.
        data = ok_data(await run("create_event", self.INPUTS, live_context))
        assert data["max_capacity_set"] is None and data["event"]["spots_remaining"] is None
        (ticket,) = luma_emulator.ticket_types(data["event"]["id"])
        assert (ticket["type"], ticket["is_hidden"]) == ("free", False)

    async def test_lost_answer_with_registration_settings_creates_exactly_one(self, luma_emulator, live_context):
        settings = {"registration_open": False, "waitlist_status": "enabled", "location_visibility": "guests-only"}
        luma_emulator.inject("POST /v1/events/create", drop_after_work=True)
        data = ok_data(await run("create_event", dict(self.INPUTS, **settings), live_context))
        assert [e["id"] for e in luma_emulator.events()] == [data["event"]["id"]]
        assert data["event"]["registration_open"] is False
        assert len(posts(luma_emulator, "/v1/events/create")) == 1

    async def test_lost_answer_with_a_feedback_email_luma_gives_its_default_delay(self, luma_emulator, live_context):
        luma_emulator.inject("POST /v1/events/create", drop_after_work=True)
        data = ok_data(await run("create_event", dict(self.INPUTS, feedback_email={"enabled": True}), live_context))
        assert [e["id"] for e in luma_emulator.events()] == [data["event"]["id"]]
        assert data["event"]["feedback_email"] == {"enabled": True, "delay": "PT0M"}

    async def test_lost_response_creates_exactly_one(self, luma_emulator, live_context):
        luma_emulator.inject("POST /v1/events/create", drop_after_work=True)
        data = ok_data(await run("create_event", self.INPUTS, live_context))
        matching = [e for e in luma_emulator.events() if e["name"] == "Founders Breakfast"]
        assert [e["id"] for e in matching] == [data["event"]["id"]]
        assert len(posts(luma_emulator, "/v1/events/create")) == 1
        assert len(luma_emulator.requests_to("/v1/calendars/events/list")) == 1

    async def test_server_error_is_checked_twice_and_never_resent(self, luma_emulator, live_context):
        luma_emulator.inject("POST /v1/events/create", status=503)
        failed(await run("create_event", self.INPUTS, live_context), "not confirmed", "get_events")
        assert luma_emulator.events() == []
        assert len(posts(luma_emulator, "/v1/events/create")) == 1
        assert len(luma_emulator.requests_to("/v1/calendars/events/list")) == 2

    async def test_slow_write_applied_after_the_timeout_is_found_not_duplicated(
        self, luma_emulator, live_context, monkeypatch
    ):
        apply_late(monkeypatch, luma_emulator, live_context, "/v1/events/create")
        data = ok_data(await run("create_event", self.INPUTS, live_context))
        assert [e["id"] for e in luma_emulator.events()] == [data["event"]["id"]]
        assert len(posts(luma_emulator, "/v1/events/create")) == 0, "the one POST timed out before reaching Luma"

    async def test_same_name_and_start_created_earlier_is_not_mistaken(self, luma_emulator, live_context):
        earlier = luma_emulator.seed_events(1, name="Founders Breakfast", start_at="2030-04-30T19:30:00.000Z")[0]
        luma_emulator.state.events[earlier["id"]]["created_at"] = "2026-01-01T00:00:00.000Z"
        luma_emulator.inject("POST /v1/events/create", status=503)
        inputs = dict(self.INPUTS, slug="founders-breakfast-2")
        message = failed(await run("create_event", inputs, live_context), "not confirmed")
        assert earlier["id"] not in message
        assert len([e for e in luma_emulator.events() if e["name"] == "Founders Breakfast"]) == 1

    @pytest.mark.parametrize(
        ("start_at", "minutes", "start_utc"),
        [
            ("2026-03-08T01:00", 120, "2026-03-08T06:00:00.000Z"),  # clocks spring forward at 02:00
            ("2026-11-01T00:30", 120, "2026-11-01T04:30:00.000Z"),  # clocks fall back at 02:00
        ],
    )
    async def test_duration_is_elapsed_time_across_dst(self, luma_emulator, live_context, start_at, minutes, start_utc):
        inputs = {"name": "Night", "start_at": start_at, "timezone": "America/New_York", "duration_minutes": minutes}
        data = ok_data(await run("create_event", inputs, live_context))
        stored = luma_emulator.event(data["event"]["id"])
        assert stored["start_at"] == start_utc
        assert instant(stored["end_at"]) - instant(stored["start_at"]) == timedelta(minutes=minutes)
        assert stored["duration_interval"] == f"PT{minutes // 60}H"

    async def test_local_time_skipped_by_dst_is_refused(self, luma_emulator, live_context):
        inputs = {"name": "Night", "start_at": "2026-03-08T02:30", "timezone": "America/New_York"}
        failed(await run("create_event", inputs, live_context), "does not exist")
        assert luma_emulator.requests == []

    @pytest.mark.parametrize("answer", UNUSABLE_2XX)
    async def test_accepted_with_unusable_answer_returns_the_one_event(
        self, luma_emulator, live_context, monkeypatch, answer
    ):
        work_then_answer(monkeypatch, luma_emulator, live_context, "/v1/events/create")
        luma_emulator.inject("POST /v1/events/create", status=200, **answer)
        data = ok_data(await run("create_event", self.INPUTS, live_context))
        assert luma_emulator.events() == [data["event"]]
        assert len(posts(luma_emulator, "/v1/events/create")) == 1

    @pytest.mark.parametrize("answer", UNUSABLE_2XX)
    async def test_accepted_with_unusable_answer_not_found_is_never_resent(self, luma_emulator, live_context, answer):
        luma_emulator.inject("POST /v1/events/create", status=200, **answer)
        failed(await run("create_event", self.INPUTS, live_context), "accepted")
        assert luma_emulator.events() == []
        assert len(posts(luma_emulator, "/v1/events/create")) == 1

    async def test_lost_answer_ignores_another_runs_event_with_another_end(self, luma_emulator, live_context):
        # Same name and start, created moments ago by another run, but ending at another time.
        theirs = ok_data(
            await run(
                "create_event", dict(self.INPUTS, duration_minutes=30, slug="founders-breakfast-early"), live_context
            )
        )
        luma_emulator.inject("POST /v1/events/create", drop_after_work=True)
        mine = ok_data(await run("create_event", self.INPUTS, live_context))
        assert mine["event"]["id"] != theirs["event"]["id"]
        assert len(luma_emulator.events()) == 2
        assert len(posts(luma_emulator, "/v1/events/create")) == 2

    async def test_two_rooms_same_name_and_start_never_swap_events(self, luma_emulator, live_context):
        # "Office Hours" in two rooms: the second create's answer is lost; the first room's event is not adopted.
        room_a = dict(self.INPUTS, slug="office-a", geo_address_json={"type": "manual", "address": "Room A"})
        room_b = dict(self.INPUTS, slug="office-b", geo_address_json={"type": "manual", "address": "Room B"})
        first = ok_data(await run("create_event", room_a, live_context))["event"]
        luma_emulator.inject("POST /v1/events/create", drop_after_work=True)
        second = ok_data(await run("create_event", room_b, live_context))["event"]
        assert second["id"] != first["id"]
        assert second["geo_address_json"]["address"] == "Room B"

    async def test_start_without_time_of_day_is_refused(self, luma_emulator, live_context):
        inputs = dict(self.INPUTS, start_at="2030-05-01")
        failed(await run("create_event", inputs, live_context), "start_at", "no time of day")
        assert luma_emulator.requests == []

    async def test_timezone_is_stored_canonical(self, luma_emulator, live_context):
        data = ok_data(await run("create_event", dict(self.INPUTS, timezone=" pacific/AUCKLAND "), live_context))
        assert luma_emulator.event(data["event"]["id"])["timezone"] == "Pacific/Auckland"

    async def test_read_back_failing_still_reports_the_created_event(self, luma_emulator, live_context, no_sleep):
        luma_emulator.inject("GET /v1/events/get", status=503, times=3)
        data = ok_data(await run("create_event", self.INPUTS, live_context))
        (stored,) = luma_emulator.events()
        assert data["event"]["id"] == stored["id"]
        assert (data["event"]["name"], data["event"]["start_at"]) == (stored["name"], stored["start_at"])
        assert len(posts(luma_emulator, "/v1/events/create")) == 1
        assert len(luma_emulator.requests_to("/v1/events/get")) == 3

    async def test_read_back_without_id_still_reports_the_created_event(self, luma_emulator, live_context):
        luma_emulator.inject("GET /v1/events/get", body={})
        data = ok_data(await run("create_event", self.INPUTS, live_context))
        assert [e["id"] for e in luma_emulator.events()] == [data["event"]["id"]]

    async def test_taken_slug_is_reported(self, luma_emulator, live_context):
        luma_emulator.seed_events(1, slug="founders-breakfast")
        failed(await run("create_event", self.INPUTS, live_context), "400", "already taken")
        assert len(luma_emulator.events()) == 1


class TestUpdateEvent:
    async def test_changes_only_what_was_given(self, luma_emulator, live_context, event):
        inputs = {
            "event_api_id": event["id"],
            "name": "Renamed",
            "visibility": "private",
            "suppress_notifications": True,
        }
        data = ok_data(await run("update_event", inputs, live_context))
        stored = luma_emulator.event(event["id"])
        assert data["event"] == stored
        assert (stored["name"], stored["visibility"]) == ("Renamed", "private")
        assert (stored["start_at"], stored["description_md"]) == (event["start_at"], event["description_md"])

    async def test_a_lost_answer_to_lines_made_of_one_line_is_confirmed_by_the_new_lines(
        self, luma_emulator, live_context, event
    ):
        # The same words on other lines (a list instead of a sentence) are a change a reader sees: it must be read
        # back, not taken as already there.
        luma_emulator.call(
            "POST", "/v1/events/update", body={"event_id": event["id"], "description_md": "- laptop - doors at 6"}
        )
        luma_emulator.inject("POST /v1/events/update", drop_after_work=True)
        inputs = {"event_api_id": event["id"], "description_md": "- laptop\n- doors at 6"}
        data = ok_data(await run("update_event", inputs, live_context))
        assert data["event"]["description_md"] == luma_emulator.event(event["id"])["description_md"]
        assert data["event"]["description_md"].splitlines() == ["- laptop", "- doors at 6"]

    async def test_lowering_capacity_below_the_guests_is_not_called_a_full_event(
        self, luma_emulator, live_context, event
    ):
        luma_emulator.seed_guests(event["id"], 3, approval_status="approved")
        message = failed(
            await run("update_event", {"event_api_id": event["id"], "max_capacity": 2}, live_context), "max_capacity"
        )
        assert "no room left" not in message, message

    async def test_close_registration_and_set_capacity(self, luma_emulator, live_context, event):
        luma_emulator.seed_guests(event["id"], 4)
        inputs = {
            "event_api_id": event["id"],
            "registration_open": False,
            "location_visibility": "guests-only",
            "max_capacity": 30,
        }
        data = ok_data(await run("update_event", inputs, live_context))
        stored = luma_emulator.event(event["id"])
        assert data == {"event": stored, "max_capacity_set": 30}
        assert (stored["registration_open"], stored["location_visibility"], stored["spots_remaining"]) == (
            False,
            "guests-only",
            26,
        )

    async def test_capacity_below_the_guests_going_is_refused(self, luma_emulator, live_context, event):
        luma_emulator.seed_guests(event["id"], 4)
        failed(await run("update_event", {"event_api_id": event["id"], "max_capacity": 3}, live_context), "400")
        assert luma_emulator.event(event["id"])["spots_remaining"] is None

    async def test_lost_answer_reopening_registration_is_applied_once(self, luma_emulator, live_context):
        event = luma_emulator.seed_events(1, registration_open=False)[0]
        luma_emulator.inject("POST /v1/events/update", drop_after_work=True)
        inputs = {"event_api_id": event["id"], "registration_open": True, "waitlist_status": "enabled"}
        data = ok_data(await run("update_event", inputs, live_context))
        assert (data["event"]["registration_open"], data["event"]["waitlist_status"]) == (True, "enabled")
        assert len(posts(luma_emulator, "/v1/events/update")) == 1

    async def test_lost_answer_of_a_capacity_change_alone_is_not_confirmed(self, luma_emulator, live_context, event):
        luma_emulator.inject("POST /v1/events/update", drop_after_work=True)
        failed(
            await run("update_event", {"event_api_id": event["id"], "max_capacity": 30}, live_context),
            "not confirmed",
        )
        assert luma_emulator.event(event["id"])["spots_remaining"] == 30, "Luma applied it; the check cannot see it"
        assert len(posts(luma_emulator, "/v1/events/update")) == 1

    async def test_lone_start_moves_the_whole_event(self, luma_emulator, live_context, event):
        # The seeded event is 2 hours long, in Pacific/Auckland.
        inputs = {"event_api_id": event["id"], "start_at": "2030-01-10T19:00:00"}
        data = ok_data(await run("update_event", inputs, live_context))
        # 19:00 in Auckland summer time (UTC+13).
        assert data["event"]["start_at"] == "2030-01-10T06:00:00.000Z"
        assert data["event"]["end_at"] == "2030-01-10T08:00:00.000Z"

    async def test_lone_start_keeps_the_length_across_dst(self, luma_emulator, live_context):
        event = luma_emulator.seed_events(
            1, start_at="2026-03-01T23:00:00.000Z", end_at="2026-03-02T02:00:00.000Z", timezone="America/New_York"
        )[0]
        # 00:30 EST on the night clocks spring forward; the event stays 3 hours long.
        data = ok_data(
            await run("update_event", {"event_api_id": event["id"], "start_at": "2026-03-08T00:30"}, live_context)
        )
        stored = luma_emulator.event(event["id"])
        assert data["event"] == stored
        assert (stored["start_at"], stored["end_at"]) == ("2026-03-08T05:30:00.000Z", "2026-03-08T08:30:00.000Z")
        assert stored["duration_interval"] == "PT3H"

    async def test_new_start_with_duration_across_dst(self, luma_emulator, live_context, event):
        inputs = {
            "event_api_id": event["id"],
            "start_at": "2026-03-08T01:30",
            "duration_minutes": 60,
            "timezone": "america/new_york",
        }
        ok_data(await run("update_event", inputs, live_context))
        stored = luma_emulator.event(event["id"])
        # 01:30 EST + 60 min of elapsed time is 03:30 EDT.
        assert (stored["start_at"], stored["end_at"]) == ("2026-03-08T06:30:00.000Z", "2026-03-08T07:30:00.000Z")
        assert stored["timezone"] == "America/New_York"

    async def test_end_without_time_of_day_is_refused(self, luma_emulator, live_context, event):
        failed(await run("update_event", {"event_api_id": event["id"], "end_at": "2030-01-10"}, live_context), "end_at")
        assert luma_emulator.requests_to("/v1/events/update") == []

    async def test_read_back_failing_reports_what_was_sent(
        self, luma_emulator, live_context, no_sleep, event, monkeypatch
    ):
        send = live_context.fetch

        async def fetch(url, *args, **kwargs):
            answer = await send(url, *args, **kwargs)
            if kwargs.get("method") == "POST":  # Luma fails every read after the update landed
                luma_emulator.inject("GET /v1/events/get", status=503, times=3)
            return answer

        monkeypatch.setattr(live_context, "fetch", fetch)
        data = ok_data(await run("update_event", {"event_api_id": event["id"], "name": "Renamed"}, live_context))
        assert data == {"event": {"id": event["id"], "name": "Renamed"}}
        assert luma_emulator.event(event["id"])["name"] == "Renamed"
        assert len(posts(luma_emulator, "/v1/events/update")) == 1

    async def test_end_before_start_is_refused_before_any_write(self, luma_emulator, live_context, event):
        before_start = (instant(event["start_at"]) - timedelta(hours=1)).isoformat()
        inputs = {"event_api_id": event["id"], "end_at": before_start}
        failed(await run("update_event", inputs, live_context), "end_at")
        assert posts(luma_emulator, "/v1/events/update") == []

    @pytest.mark.parametrize("answer", UNUSABLE_2XX[1:])
    async def test_accepted_with_unreadable_answer_is_applied_once(
        self, luma_emulator, live_context, monkeypatch, answer, event
    ):
        work_then_answer(monkeypatch, luma_emulator, live_context, "/v1/events/update")
        luma_emulator.inject("POST /v1/events/update", status=200, **answer)
        data = ok_data(await run("update_event", {"event_api_id": event["id"], "name": "Renamed"}, live_context))
        assert data["event"] == luma_emulator.event(event["id"]) and data["event"]["name"] == "Renamed"
        assert len(posts(luma_emulator, "/v1/events/update")) == 1

    async def test_lost_response_is_applied_once(self, luma_emulator, live_context, event):
        luma_emulator.inject("POST /v1/events/update", drop_after_work=True)
        inputs = {"event_api_id": event["id"], "name": "After the outage", "duration_minutes": 30}
        data = ok_data(await run("update_event", inputs, live_context))
        assert data["event"]["name"] == "After the outage"
        assert data["event"] == luma_emulator.event(event["id"])
        assert instant(data["event"]["end_at"]) - instant(data["event"]["start_at"]) == timedelta(minutes=30)
        assert len(posts(luma_emulator, "/v1/events/update")) == 1


def paid_guest(emulator, event_id, email="payer@example.com"):
    """A guest who paid for a ticket through the event page."""
    paid = {"event_id": event_id, "name": "Supporter", "type": "paid", "cents": 2000, "currency": "usd"}
    ticket = emulator.call("POST", "/v1/events/ticket-types/create", body=paid)
    return emulator.register_guest(event_id, email, "Payer", ticket_type_id=ticket["id"])


class TestCancelEvent:
    async def test_cancels_a_free_event_in_one_call(self, luma_emulator, live_context, event):
        luma_emulator.seed_guests(event["id"], 3)
        luma_emulator.seed_guests(event["id"], 1, approval_status="invited")
        data = ok_data(await run("cancel_event", {"event_api_id": event["id"]}, live_context))
        assert data == {
            "event_api_id": event["id"],
            "cancelled": True,
            "already_absent": False,
            "guest_count": 3,
            "is_paid": False,
        }
        assert luma_emulator.event(event["id"]) is None
        assert [r.path for r in luma_emulator.requests] == ["/v1/events/cancel/request", "/v1/events/cancel"]

    async def test_paid_event_needs_should_refund_and_is_left_as_it_was(self, luma_emulator, live_context, event):
        luma_emulator.seed_guests(event["id"], 2)
        paid_guest(luma_emulator, event["id"])
        message = failed(await run("cancel_event", {"event_api_id": event["id"]}, live_context), "should_refund")
        assert "3 approved guests" in message and "Nothing was cancelled" in message
        assert luma_emulator.event(event["id"]) is not None
        assert posts(luma_emulator, "/v1/events/cancel") == []

    async def test_paid_event_with_refunds(self, luma_emulator, live_context, event):
        paid_guest(luma_emulator, event["id"])
        inputs = {"event_api_id": event["id"], "should_refund": True}
        data = ok_data(await run("cancel_event", inputs, live_context))
        assert (data["cancelled"], data["is_paid"], data["should_refund"], data["guest_count"]) == (True, True, True, 1)
        assert luma_emulator.event(event["id"]) is None
        (cancel,) = posts(luma_emulator, "/v1/events/cancel")
        assert cancel.json["should_refund"] is True

    async def test_twice_is_already_absent(self, luma_emulator, live_context, event):
        ok_data(await run("cancel_event", {"event_api_id": event["id"]}, live_context))
        again = ok_data(await run("cancel_event", {"event_api_id": event["id"]}, live_context))
        assert again == {"event_api_id": event["id"], "cancelled": False, "already_absent": True}
        assert len(posts(luma_emulator, "/v1/events/cancel")) == 1

    async def test_only_the_named_event_is_cancelled(self, luma_emulator, live_context):
        keep, doomed = luma_emulator.seed_events(2)
        ok_data(await run("cancel_event", {"event_api_id": doomed["id"]}, live_context))
        assert [e["id"] for e in luma_emulator.events()] == [keep["id"]]

    async def test_lost_answer_to_the_cancel_is_found_done(self, luma_emulator, live_context, event):
        luma_emulator.inject("POST /v1/events/cancel", drop_after_work=True)
        data = ok_data(await run("cancel_event", {"event_api_id": event["id"]}, live_context))
        assert (data["cancelled"], data["already_absent"]) == (True, False)
        assert luma_emulator.event(event["id"]) is None
        assert len(posts(luma_emulator, "/v1/events/cancel")) == 1
        assert len(luma_emulator.requests_to("/v1/events/get")) == 1

    async def test_slow_cancel_applied_after_the_timeout_is_found(
        self, luma_emulator, live_context, monkeypatch, event
    ):
        apply_late(monkeypatch, luma_emulator, live_context, "/v1/events/cancel")
        data = ok_data(await run("cancel_event", {"event_api_id": event["id"]}, live_context))
        assert data["cancelled"] is True and luma_emulator.event(event["id"]) is None

    async def test_server_error_on_the_cancel_is_not_confirmed_and_never_resent(
        self, luma_emulator, live_context, event
    ):
        luma_emulator.inject("POST /v1/events/cancel", status=503)
        failed(await run("cancel_event", {"event_api_id": event["id"]}, live_context), "not confirmed", "get_events")
        assert luma_emulator.event(event["id"]) is not None
        assert len(posts(luma_emulator, "/v1/events/cancel")) == 1

    async def test_lost_token_cancels_nothing_and_running_again_works(self, luma_emulator, live_context, event):
        luma_emulator.inject("POST /v1/events/cancel/request", drop_after_work=True)
        failed(
            await run("cancel_event", {"event_api_id": event["id"]}, live_context), "not confirmed", "did not happen"
        )
        assert luma_emulator.event(event["id"]) is not None and posts(luma_emulator, "/v1/events/cancel") == []
        assert ok_data(await run("cancel_event", {"event_api_id": event["id"]}, live_context))["cancelled"] is True
        assert luma_emulator.event(event["id"]) is None

    async def test_unknown_event_is_already_absent(self, luma_emulator, live_context):
        data = ok_data(await run("cancel_event", {"event_api_id": "evt-neverwas"}, live_context))
        assert data["already_absent"] is True and posts(luma_emulator, "/v1/events/cancel") == []


class TestIdsOfAnotherKind:
    """An id with another kind's prefix is refused before anything is sent: Luma would answer "not found", which
    a delete took for already deleted."""

    @pytest.mark.parametrize(
        ("action", "name", "of", "expected"),
        [
            ("cancel_event", "event_api_id", "guest", "input 'event_api_id' is a guest id (gst-…); an event id"),
            ("delete_ticket_type", "event_ticket_type_id", "event", "is an event id (evt-…); a ticket type id"),
            ("delete_webhook", "webhook_id", "event", "is an event id (evt-…); a webhook id comes from list_webhooks"),
        ],
    )
    async def test_a_delete_is_refused_and_nothing_changes(
        self, luma_emulator, live_context, action, name, of, expected
    ):
        event = luma_emulator.seed_events(1)[0]
        guest = luma_emulator.register_guest(event["id"], "ana@example.com", "Ana")
        webhook = luma_emulator.call(
            "POST", "/v2/webhooks/create", body={"url": "https://hooks.example.com/luma", "event_types": ["*"]}
        )
        ids = {"guest": guest["id"], "event": event["id"]}
        before = (luma_emulator.events(), luma_emulator.webhooks(), luma_emulator.ticket_types(event["id"]))
        result = await run(action, {name: ids[of]}, live_context)
        assert result.type == ResultType.VALIDATION_ERROR and expected in result.result["message"]
        assert [r.path for r in luma_emulator.requests if r.method == "POST"] == []
        assert (luma_emulator.events(), luma_emulator.webhooks(), luma_emulator.ticket_types(event["id"])) == before
        assert webhook in luma_emulator.webhooks()

    async def test_an_id_without_a_known_prefix_is_still_sent(self, luma_emulator, live_context):
        data = ok_data(await run("delete_webhook", {"webhook_id": "hook-123"}, live_context))
        assert data["already_absent"] is True


class TestWhatIsNotAnId:
    """A link, a name or a slug given for an id: Luma answers "not found", which a delete took for already deleted
    while the thing meant stayed. A link or a name is refused before anything is sent; a 404 is already absent only
    for a value in the form of the input's ids."""

    @pytest.fixture
    def things(self, luma_emulator):
        event = luma_emulator.seed_events(1)[0]
        luma_emulator.call(
            "POST", "/v2/webhooks/create", body={"url": "https://hooks.example.com/luma", "event_types": ["*"]}
        )
        contact = luma_emulator.seed_contacts(1)[0]
        return event, contact

    def state(self, luma_emulator, event):
        return (
            luma_emulator.events(),
            luma_emulator.webhooks(),
            luma_emulator.ticket_types(event["id"]),
            luma_emulator.contacts(),
        )

    @pytest.mark.parametrize(
        ("action", "inputs", "expected"),
        [
            ("cancel_event", {"event_api_id": "https://luma.com/autohive-builders"}, "lookup_event, whose url input"),
            ("delete_ticket_type", {"event_ticket_type_id": "General Admission"}, "is a name ('General Admission')"),
            ("delete_webhook", {"webhook_id": "https://hooks.example.com/luma"}, "is a link"),
            ("remove_person", {"contact_id": "Aroha Anderson"}, "not a person's id (usr-…)"),
        ],
    )
    async def test_a_link_or_a_name_is_refused_and_nothing_is_sent(
        self, luma_emulator, live_context, things, action, inputs, expected
    ):
        before = self.state(luma_emulator, things[0])
        result = await run(action, inputs, live_context)
        assert result.type == ResultType.VALIDATION_ERROR and expected in result.result["message"]
        assert luma_emulator.requests == []
        assert self.state(luma_emulator, things[0]) == before

    @pytest.mark.parametrize(
        ("action", "inputs", "expected"),
        [
            ("cancel_event", {"event_api_id": "autohive-builders"}, "an event id (evt-…)"),
            ("cancel_event", {"event_api_id": "evt_b7c1"}, "an event id (evt-…)"),
            # Luma's ids are case-sensitive and hold only letters and digits after the prefix.
            ("cancel_event", {"event_api_id": "EVT-kg3RBYmNeLsJBN"}, "an event id (evt-…)"),
            ("delete_ticket_type", {"event_ticket_type_id": "ttype-2N0Tzstj0cm4LI."}, "a ticket type id (ttype-…)"),
            ("delete_ticket_type", {"event_ticket_type_id": "ttype-2N0Tzstj0cm4LI\u200b"}, "(ttype-…)"),
            ("remove_person", {"contact_id": "USR-nothere"}, "a person's id (usr-…)"),
            ("delete_ticket_type", {"event_ticket_type_id": "general-admission"}, "a ticket type id (ttype-…)"),
            ("remove_person", {"contact_id": "aroha"}, "a person's id (usr-…)"),
        ],
    )
    async def test_a_slug_luma_does_not_know_is_not_found_and_nothing_changes(
        self, luma_emulator, live_context, things, action, inputs, expected
    ):
        before = self.state(luma_emulator, things[0])
        value = next(iter(inputs.values()))
        failed(await run(action, inputs, live_context), f"Luma knows nothing with the id '{value}'", expected)
        assert self.state(luma_emulator, things[0]) == before

    @pytest.mark.parametrize(
        ("action", "inputs"),
        [
            ("cancel_event", {"event_api_id": "evt-neverwas"}),
            ("delete_ticket_type", {"event_ticket_type_id": "ttype-neverwas"}),
            ("delete_webhook", {"webhook_id": "wh-neverwas"}),
            ("remove_person", {"contact_id": "usr-neverwas"}),
        ],
    )
    async def test_an_unknown_id_in_its_kinds_form_is_still_already_absent(
        self, luma_emulator, live_context, things, action, inputs
    ):
        assert ok_data(await run(action, inputs, live_context))["already_absent"] is True
