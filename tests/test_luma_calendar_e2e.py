"""The calendar's actions end to end: the SDK's real ExecutionContext over HTTP against the local Luma."""

import pytest

from tests.support.examples import submitted_event
from tests.support.fakes import failed, ok_data, run
from tests.support.live import posts

pytestmark = pytest.mark.e2e

EXTERNAL = {
    "url": "https://www.meetup.com/python-nz/events/301234567/",
    "name": "Python NZ: Async Patterns",
    "start_at": "2026-12-03T18:00",
    "timezone": "Pacific/Auckland",
    "duration_minutes": 90,
    "geo_address_json": {"type": "manual", "address": "12 Queen St, Auckland"},
    "host": "Python NZ",
}


def entries(emulator, status="approved", platforms=("luma", "external")):
    """The calendar's events, as calendars/events/list shows them (its own and those it lists)."""
    query = {"status": status, "platforms": list(platforms), "access": ["manage", "view"]}
    return emulator.call("GET", "/v1/calendars/events/list", query=query)["entries"]


class TestGetCalendar:
    async def test_the_keys_calendar(self, luma_emulator, live_context):
        data = ok_data(await run("get_calendar", {}, live_context))
        assert data["calendar"]["id"] == luma_emulator.state.calendar_id
        assert data["calendar"]["url"] == f"https://luma.com/{data['calendar']['slug']}"


class TestUpdateCalendar:
    async def test_changes_only_the_fields_given(self, luma_emulator, live_context):
        before = luma_emulator.call("GET", "/v1/calendars/get")
        inputs = {"name": "Autohive Builders", "slug": "autohive-builders-nz", "tint_color": "#E3CBEF"}
        data = ok_data(await run("update_calendar", inputs, live_context))
        after = luma_emulator.call("GET", "/v1/calendars/get")
        assert data["calendar"] == after
        assert (after["name"], after["slug"], after["url"]) == (
            "Autohive Builders",
            "autohive-builders-nz",
            "https://luma.com/autohive-builders-nz",
        )
        assert after["description"] == before["description"] and after["avatar_url"] == before["avatar_url"]
        assert luma_emulator.state.calendar["_tint_color"] == "#E3CBEF"
        found = ok_data(await run("lookup_entity", {"slug": "https://luma.com/autohive-builders-nz"}, live_context))
        assert (found["type"], found["calendar"]["id"]) == ("calendar", after["id"])

    async def test_a_lost_answer_is_read_back_and_sent_once(self, luma_emulator, live_context):
        luma_emulator.inject("POST /v1/calendars/update", drop_after_work=True)
        data = ok_data(await run("update_calendar", {"description": "Monthly meetups."}, live_context))
        assert data["calendar"]["description"] == "Monthly meetups."
        assert len(posts(luma_emulator, "/v1/calendars/update")) == 1

    async def test_a_slug_taken_by_an_event_is_refused_with_lumas_words(self, luma_emulator, live_context, event):
        taken = event["url"].rsplit("/", 1)[-1]
        failed(await run("update_calendar", {"slug": taken}, live_context), "already taken")

    async def test_another_calendars_id_is_refused(self, luma_emulator, live_context):
        failed(await run("update_calendar", {"calendar_id": "cal-elsewhere", "name": "X"}, live_context), "404")
        assert posts(luma_emulator, "/v1/calendars/update")[0].json == {"calendar_id": "cal-elsewhere", "name": "X"}


class TestListCalendarAdmins:
    async def test_the_keys_user_is_the_admin(self, luma_emulator, live_context):
        data = ok_data(await run("list_calendar_admins", {}, live_context))
        assert [admin["id"] for admin in data["admins"]] == [luma_emulator.state.user_id]
        assert (data["has_more"], data["next_cursor"]) == (False, None)

    async def test_summary_or_full(self, luma_emulator, live_context):
        user = luma_emulator.state.user
        (summary,) = ok_data(await run("list_calendar_admins", {}, live_context))["admins"]
        assert summary == {"id": user["id"], "name": user["name"], "email": user["email"]}
        (full,) = ok_data(await run("list_calendar_admins", {"detail": "full"}, live_context))["admins"]
        assert full["avatar_url"] and full["first_name"] == user["first_name"]


class TestLookupEntity:
    async def test_an_events_address(self, luma_emulator, live_context, event):
        data = ok_data(await run("lookup_entity", {"slug": event["url"] + "?tk=x"}, live_context))
        assert (data["found"], data["type"], data["event"]["id"]) == (True, "event", event["id"])

    async def test_a_free_slug(self, luma_emulator, live_context):
        data = ok_data(await run("lookup_entity", {"slug": "nobody-has-this-slug"}, live_context))
        assert (data["found"], data["type"]) == (False, None) and "nobody-has-this-slug" in data["message"]

    async def test_an_event_id_is_told_apart_from_a_slug(self, luma_emulator, live_context, event):
        data = ok_data(await run("lookup_entity", {"slug": event["id"]}, live_context))
        assert (data["found"], data["type"]) == (False, None)
        assert data["message"].startswith(f"'{event['id']}' is an event id, not a slug: read the event with get_events")
        assert "lookup_event" in data["message"]


class TestAddEventToCalendar:
    async def test_a_luma_page_as_an_event_elsewhere_is_refused(self, luma_emulator, live_context):
        event = luma_emulator.seed_events(1)[0]
        inputs = {**EXTERNAL, "url": f"https://Lu.ma/{event['url'].rsplit('/', 1)[-1]}/"}
        failed(await run("add_event_to_calendar", inputs, live_context), "is a page on Luma", "event_api_id")
        assert entries(luma_emulator, platforms=["external"]) == []
        assert luma_emulator.requests == []

    async def test_an_event_elsewhere_is_listed_once(self, luma_emulator, live_context):
        first = ok_data(await run("add_event_to_calendar", EXTERNAL, live_context))
        assert first["already_on_calendar"] is False and first["calendar_event"]["status"] == "approved"
        listed = [e for e in entries(luma_emulator, platforms=["external"]) if e["url"] == EXTERNAL["url"]]
        assert [(e["id"], e["start_at"], e["duration_interval"], e["end_at"]) for e in listed] == [
            (first["calendar_event"]["id"], "2026-12-03T05:00:00.000Z", "PT1H30M", "2026-12-03T06:30:00.000Z")
        ]
        again = ok_data(await run("add_event_to_calendar", EXTERNAL, live_context))
        assert again["already_on_calendar"] is True and again["calendar_event"]["id"] == first["calendar_event"]["id"]
        assert len(posts(luma_emulator, "/v1/calendars/events/add")) == 1

    async def test_a_lost_answer_adds_exactly_one(self, luma_emulator, live_context):
        luma_emulator.inject("POST /v1/calendars/events/add", drop_after_work=True)
        data = ok_data(await run("add_event_to_calendar", {**EXTERNAL, "submission_mode": "pending"}, live_context))
        assert data["calendar_event"]["status"] == "pending" and data["already_on_calendar"] is False
        pending = [e for e in entries(luma_emulator, "pending", ["external"]) if e["url"] == EXTERNAL["url"]]
        assert [e["id"] for e in pending] == [data["calendar_event"]["id"]]
        assert len(posts(luma_emulator, "/v1/calendars/events/add")) == 1

    async def test_a_luma_event_of_another_calendar_then_approved(self, luma_emulator, live_context):
        partner = luma_emulator.call("POST", "/v2/organizations/calendars/create", body={"name": "Partner"})
        body = {"name": "Partner Night", "start_at": "2026-12-01T06:00:00.000Z", "timezone": "Pacific/Auckland"}
        event_id = luma_emulator.call("POST", "/v1/events/create", body=body, calendar_id=partner["id"])["id"]
        inputs = {"event_api_id": event_id, "submission_mode": "pending"}
        added = ok_data(await run("add_event_to_calendar", inputs, live_context))
        assert added["calendar_event"]["status"] == "pending"
        assert event_id not in [e["id"] for e in entries(luma_emulator)]
        approved = ok_data(await run("approve_calendar_event", {"calendar_event_id": event_id}, live_context))
        assert approved["calendar_event"]["status"] == "approved" and approved["already_approved"] is False
        assert event_id in [e["id"] for e in entries(luma_emulator)]

    async def test_the_calendars_own_event_is_already_on_it(self, luma_emulator, live_context, event):
        data = ok_data(await run("add_event_to_calendar", {"event_api_id": event["id"]}, live_context))
        assert data == {"calendar_event": data["calendar_event"], "already_on_calendar": True}
        assert data["calendar_event"]["status"] == "approved"
        assert posts(luma_emulator, "/v1/calendars/events/add") == []

    async def test_an_incomplete_event_is_refused_before_sending(self, luma_emulator, live_context):
        inputs = {key: value for key, value in EXTERNAL.items() if key != "duration_minutes"}
        failed(await run("add_event_to_calendar", inputs, live_context), "missing: duration_minutes")
        assert luma_emulator.requests == []


class TestApproveCalendarEvent:
    async def test_a_submission_is_approved_once(self, luma_emulator, live_context):
        event_id = submitted_event(luma_emulator)
        data = ok_data(await run("approve_calendar_event", {"calendar_event_id": event_id}, live_context))
        assert (data["calendar_event"]["status"], data["already_approved"]) == ("approved", False)
        assert data["calendar_event"]["id"].startswith("calev-")
        again = ok_data(await run("approve_calendar_event", {"calendar_event_id": event_id}, live_context))
        assert again["already_approved"] is True
        assert len(posts(luma_emulator, "/v1/calendars/events/approve")) == 1

    async def test_an_external_submission_by_its_calev_id(self, luma_emulator, live_context):
        submitted = luma_emulator.submit_calendar_event(
            name="Rust Night", start_at="2026-12-05T06:00:00.000Z", url="https://rust.example/night"
        )
        data = ok_data(await run("approve_calendar_event", {"calendar_event_id": submitted["id"]}, live_context))
        assert data["calendar_event"] == {**data["calendar_event"], "id": submitted["id"], "status": "approved"}
        assert "https://rust.example/night" in [e["url"] for e in entries(luma_emulator, platforms=["external"])]

    async def test_a_lost_answer_is_confirmed_by_the_status(self, luma_emulator, live_context):
        event_id = submitted_event(luma_emulator)
        luma_emulator.inject("POST /v1/calendars/events/approve", drop_after_work=True)
        data = ok_data(await run("approve_calendar_event", {"calendar_event_id": event_id}, live_context))
        assert data["calendar_event"]["status"] == "approved"
        assert len(posts(luma_emulator, "/v1/calendars/events/approve")) == 1

    async def test_an_unknown_id_is_a_clear_error(self, luma_emulator, live_context):
        failed(await run("approve_calendar_event", {"calendar_event_id": "calev-nothing"}, live_context), "404")


class TestRejectCalendarEvent:
    async def test_an_event_the_calendar_manages_is_not_a_submission_and_nothing_is_sent(
        self, luma_emulator, live_context
    ):
        own = luma_emulator.seed_events(1)[0]
        result = await run("reject_calendar_event", {"calendar_event_id": own["id"]}, live_context)
        failed(result, "is an event this calendar manages, not a submission", "cancel_event")
        assert posts(luma_emulator, "/v1/calendars/events/reject") == []

    async def test_a_submission_is_rejected_with_a_message(self, luma_emulator, live_context):
        event_id = submitted_event(luma_emulator)
        inputs = {"calendar_event_id": event_id, "message": "Outside our city, sorry."}
        data = ok_data(await run("reject_calendar_event", inputs, live_context))
        assert (data["calendar_event"]["status"], data["already_rejected"]) == ("rejected", False)
        assert posts(luma_emulator, "/v1/calendars/events/reject")[0].json == inputs
        assert event_id not in [e["id"] for e in entries(luma_emulator, "pending")]
        again = ok_data(await run("reject_calendar_event", {"calendar_event_id": event_id}, live_context))
        assert again["already_rejected"] is True
