"""Guest actions (get_guests, add_guests, update_guest_status, send_invites) with a mocked context.fetch."""

import asyncio
import json
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qsl, urlsplit

import aiohttp
import pytest
from autohive_integrations_sdk import RateLimitError
from autohive_integrations_sdk.integration import ResultType

import helpers
from operations import guests as guest_actions
from tests.support.fakes import BASE, assert_nothing_sent, counts, failed, luma_error, message_of, ok, ok_data, path_of
from tests.support.fakes import query_of, reported_once_each, run, sent_url
from tests.support.samples import emails, guest_record

pytestmark = pytest.mark.unit

EVENT_ID = "evt-TestEvent01"


async def batch(action, guests, ctx):
    """The data of a successful add_guests or send_invites of these guests to EVENT_ID."""
    return ok_data(await run(action, {"event_api_id": EVENT_ID, "guests": guests}, ctx))


class FakeLuma:
    """`fetch` is a routing side_effect for context.fetch: guests/get answers from `guests`; each POST follows `script`.

    Script steps, taken by POSTs in the order they arrive: "apply" (do it, answer {}), "drop" (do it, then lose the
    answer), "lost" (lose the request), "partial" (apply the first guest only, then lose the answer), "garbled" (do
    it, answer 200 with HTML), "garbled_unapplied" (answer 200 with HTML, do nothing), "garbled_partial" (apply the
    first guest only, answer 200 with HTML: a list that lags behind an accepted write), or an exception instance to
    raise. Each POST lets the others start before it is handled, as a round trip would, so batches sent together
    really overlap (`max_in_flight`). With `capacity`, a POST that would take the guest list past it is refused whole.
    """

    def __init__(
        self,
        existing=(),
        script=(),
        landed_status="approved",
        clock=None,
        post_seconds=0.0,
        reject=(),
        get_error=None,
        capacity=None,
    ):
        self.guests = {g["user_email"].lower(): g for g in existing}
        self.script = list(script)
        self.capacity = capacity
        self.in_flight = self.max_in_flight = 0
        self.applied = []  # every email a POST applied, in order
        # Emails Luma refuses: any request containing one is rejected whole with a 400 naming it.
        self.reject = {email.lower() for email in reject}
        self.landed_status = landed_status
        self.posts = []
        self.gets = []  # guests/get look-ups (query dicts)
        self.reads = []  # other GETs: events/get and guests/list pages (paths)
        self.clock = clock
        self.post_seconds = post_seconds
        # Raised by every guests/get look-up when set, and by reads of the guest list once a POST was made (the
        # checks after a lost answer; the pre-check before any POST still reads the list).
        self.get_error = get_error

    def answering(self, ctx):
        """Makes this fake Luma answer ctx.fetch; returns the fake, to inspect what was sent."""
        ctx.fetch.side_effect = self.fetch
        return self

    def _apply(self, body, only_first=False):
        if "status" in body:  # update-status
            self.guests[body["guest_id"].lower()]["approval_status"] = body["status"]
            return
        for entry in body["guests"][:1] if only_first else body["guests"]:
            self.applied.append(entry["email"].lower())
            status = body.get("approval_status") or self.landed_status
            now = datetime.now(timezone.utc).isoformat()
            self.guests[entry["email"].lower()] = guest_record(entry["email"], status, at=now)

    async def fetch(self, url, method="GET", json=None, **kwargs):
        query = dict(parse_qsl(urlsplit(url).query))
        path = urlsplit(url).path
        if method == "GET" and path == "/v1/events/get":
            self.reads.append(path)
            counts = {"approved": {"guests": len(self.guests), "tickets": len(self.guests)}}
            return ok({"id": query["event_id"], "guest_counts": counts})
        if method == "GET" and path == "/v1/events/guests/list":
            self.reads.append(path)
            if self.get_error is not None and self.posts:
                raise self.get_error
            ordered = sorted(self.guests.values(), key=lambda guest: guest["user_email"])
            start = int(query.get("pagination_cursor", "0"))
            end = start + int(query["pagination_limit"])
            more = end < len(ordered)
            return ok({"entries": ordered[start:end], "has_more": more, **({"next_cursor": str(end)} if more else {})})
        if method == "GET":
            self.gets.append(query)
            if self.get_error is not None:
                raise self.get_error
            record = self.guests.get(query["id"].lower())
            if record is None:
                raise luma_error(404, f"Guest {query['id']} not found")
            return ok(record)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await asyncio.sleep(0)
            return self._post(json)
        finally:
            self.in_flight -= 1

    def _post(self, json):
        self.posts.append(json)
        if self.clock is not None:
            self.clock.now += self.post_seconds
        for index, entry in enumerate(json.get("guests", [])):
            if entry["email"].lower() in self.reject:
                raise luma_error(400, f"Invalid guests[{index}].email: {entry['email']}")
        new = {entry["email"].lower() for entry in json.get("guests", [])} - set(self.guests)
        if self.capacity is not None and len(self.guests) + len(new) > self.capacity:
            raise luma_error(400, f"Event is at capacity ({len(self.guests)} approved guests)")
        step = self.script.pop(0) if self.script else "apply"
        if isinstance(step, Exception):
            raise step
        if step == "lost":
            raise aiohttp.ServerDisconnectedError()
        if step == "garbled_unapplied":
            return ok("<html>Bad gateway</html>")
        self._apply(json, only_first=step in ("partial", "garbled_partial"))
        if step in ("drop", "partial"):
            raise aiohttp.ServerDisconnectedError()
        return ok("<html>Bad gateway</html>" if step in ("garbled", "garbled_partial") else {})


def path_of_url(url):
    return urlsplit(url).path


def long_list_page():
    """The first page of a guest list that goes on, holding none of the emails a test uses: they are looked up."""
    return ok({"entries": [guest_record(e) for e in emails(100, "other")], "has_more": True, "next_cursor": "c1"})


def applied_at_most_once(fake):
    """Nobody added (or invited) twice: no email in two POSTs that Luma applied."""
    assert len(fake.applied) == len(set(fake.applied)), "an email was applied twice"


# --------------------------------------------------------------------------------------------- get_guests


class TestGetGuests:
    async def test_one_guest_by_email(self, mock_context):
        guest = guest_record("ana@example.com")
        mock_context.fetch.return_value = ok(guest)
        result = await run("get_guests", {"event_api_id": EVENT_ID, "email": " ana@example.com "}, mock_context)
        assert result.type == ResultType.ACTION
        assert result.result.data == {"guest": {**guest, "answers": {}}}
        call = mock_context.fetch.call_args
        assert call.kwargs["method"] == "GET"
        assert sent_url(call).startswith(f"{BASE}/v1/events/guests/get?")
        assert query_of(call) == [("event_id", EVENT_ID), ("id", "ana@example.com")]

    async def test_one_guest_by_guest_id(self, mock_context):
        guest = guest_record("bo@example.com", gid="gst-Bo123")
        mock_context.fetch.return_value = ok(guest)
        result = await run("get_guests", {"event_api_id": EVENT_ID, "guest_api_id": "gst-Bo123"}, mock_context)
        assert result.result.data["guest"]["id"] == "gst-Bo123"
        assert query_of(mock_context.fetch.call_args) == [("event_id", EVENT_ID), ("id", "gst-Bo123")]

    async def test_unknown_guest_gives_clear_error(self, mock_context):
        mock_context.fetch.side_effect = luma_error(404, "Guest not found")
        result = await run("get_guests", {"event_api_id": EVENT_ID, "email": "nobody@example.com"}, mock_context)
        assert result.type == ResultType.ACTION_ERROR
        message = result.result.message
        assert "No guest with email nobody@example.com is on event evt-TestEvent01" in message
        assert "Guest not found" in message
        assert mock_context.fetch.call_count == 1  # a 404 is an answer, not retried

    async def test_an_email_stored_with_the_other_domain_form_is_found(self, mock_context):
        stored = guest_record("j@xn--bcher-kva.example")
        mock_context.fetch.side_effect = [luma_error(404, "Guest not found"), ok(stored)]
        data = ok_data(await run("get_guests", {"event_api_id": EVENT_ID, "email": "j@bücher.example"}, mock_context))
        assert data["guest"]["id"] == stored["id"]
        ids = [dict(query_of(call))["id"] for call in mock_context.fetch.call_args_list]
        assert ids == ["j@bücher.example", "j@xn--bcher-kva.example"]

    async def test_another_mailbox_answered_for_the_other_form_is_not_the_guest(self, mock_context):
        mock_context.fetch.side_effect = [luma_error(404, "Guest not found"), ok(guest_record("x@strasse.de"))]
        result = await run("get_guests", {"event_api_id": EVENT_ID, "email": "x@straße.de"}, mock_context)
        failed(result, f"No guest with email x@straße.de is on event {EVENT_ID}", "Guest not found")
        assert dict(query_of(mock_context.fetch.call_args))["id"] == "x@xn--strae-oqa.de"

    async def test_both_email_and_guest_id_rejected_before_sending(self, mock_context):
        inputs = {"event_api_id": EVENT_ID, "email": "ana@example.com", "guest_api_id": "gst-1"}
        failed(await run("get_guests", inputs, mock_context), "either guest_api_id or email, not both")
        assert_nothing_sent(mock_context)

    async def test_malformed_email_rejected_before_sending(self, mock_context):
        result = await run("get_guests", {"event_api_id": EVENT_ID, "email": "ana@"}, mock_context)
        assert result.type == ResultType.ACTION_ERROR
        assert "'ana@'" in result.result.message and "not a valid email" in result.result.message
        assert_nothing_sent(mock_context)

    async def test_blank_guest_id_rejected_before_sending(self, mock_context):
        result = await run("get_guests", {"event_api_id": EVENT_ID, "guest_api_id": "  "}, mock_context)
        assert result.type == ResultType.VALIDATION_ERROR
        assert "'guest_api_id' is blank" in result.result["message"]
        assert_nothing_sent(mock_context)

    async def test_list_sends_filters_and_default_limit(self, mock_context):
        entries = [guest_record("a@example.com"), guest_record("b@example.com")]
        mock_context.fetch.return_value = ok({"entries": entries, "has_more": False})
        result = await run(
            "get_guests",
            {
                "event_api_id": EVENT_ID,
                "approval_status": "pending_approval",
                "sort_column": "registered_at",
                "sort_direction": "desc nulls last",
            },
            mock_context,
        )
        assert result.type == ResultType.ACTION
        summaries = [
            {
                "id": g["id"],
                "email": g["user_email"],
                "approval_status": "approved",
                "name": g["user_name"],
                "registered_at": g["registered_at"],
            }
            for g in entries
        ]
        assert result.result.data == {"guests": summaries, "has_more": False, "next_cursor": None}
        call = mock_context.fetch.call_args
        assert path_of(call) == "/v1/events/guests/list"
        assert call.kwargs["method"] == "GET"
        assert sorted(query_of(call)) == sorted(
            [
                ("event_id", EVENT_ID),
                ("approval_status", "pending_approval"),
                ("sort_column", "registered_at"),
                ("sort_direction", "desc nulls last"),
                ("pagination_limit", "100"),
            ]
        )

    async def test_list_follows_pages_up_to_limit(self, mock_context):
        page1 = [guest_record(e) for e in emails(100, "a")]
        page2 = [guest_record(e) for e in emails(50, "b")]
        mock_context.fetch.side_effect = [
            ok({"entries": page1, "has_more": True, "next_cursor": "cur-1"}),
            ok({"entries": page2, "has_more": True, "next_cursor": "cur-2"}),
        ]
        result = await run("get_guests", {"event_api_id": EVENT_ID, "limit": 150}, mock_context)
        data = result.result.data
        assert len(data["guests"]) == 150
        assert data["has_more"] is True and data["next_cursor"] == "cur-2"
        first, second = mock_context.fetch.call_args_list
        assert ("pagination_limit", "100") in query_of(first)
        assert ("pagination_cursor", "cur-1") in query_of(second)
        assert ("pagination_limit", "50") in query_of(second)

    async def test_list_continues_from_cursor(self, mock_context):
        mock_context.fetch.return_value = ok({"entries": [], "has_more": False})
        result = await run("get_guests", {"event_api_id": EVENT_ID, "cursor": "cur-9", "limit": 10}, mock_context)
        assert result.result.data == {"guests": [], "has_more": False, "next_cursor": None}
        query = query_of(mock_context.fetch.call_args)
        assert ("pagination_cursor", "cur-9") in query and ("pagination_limit", "10") in query

    @pytest.mark.parametrize(
        "inputs",
        [
            {"event_api_id": EVENT_ID, "approval_status": "going"},
            {"event_api_id": EVENT_ID, "sort_column": "user_email"},
            {"event_api_id": EVENT_ID, "limit": 1001},
            {"event_api_id": EVENT_ID, "limit": 0},
            {"event_api_id": EVENT_ID, "event_id": EVENT_ID},
            {"email": "ana@example.com"},
        ],
    )
    async def test_schema_rejects_bad_input_before_sending(self, mock_context, inputs):
        result = await run("get_guests", inputs, mock_context)
        assert result.type == ResultType.VALIDATION_ERROR
        assert_nothing_sent(mock_context)

    async def test_limit_of_1000_is_accepted(self, mock_context):
        mock_context.fetch.return_value = ok({"entries": [], "has_more": False})
        result = await run("get_guests", {"event_api_id": EVENT_ID, "limit": 1000}, mock_context)
        assert result.type == ResultType.ACTION

    @pytest.mark.parametrize("bad_id", [None, "", 42])
    async def test_guest_without_id_is_a_clear_error(self, mock_context, bad_id):
        guest = guest_record("ana@example.com")
        guest["id"] = bad_id
        mock_context.fetch.return_value = ok(guest)
        result = await run("get_guests", {"event_api_id": EVENT_ID, "email": "ana@example.com"}, mock_context)
        assert result.type == ResultType.ACTION_ERROR
        assert "no id" in result.result.message and "/v1/events/guests/get" in result.result.message

    async def test_auth_error_is_explained(self, mock_context):
        mock_context.fetch.side_effect = luma_error(401, "Invalid API key")
        result = await run("get_guests", {"event_api_id": EVENT_ID}, mock_context)
        assert result.type == ResultType.ACTION_ERROR
        assert "API key" in result.result.message and "Invalid API key" in result.result.message


# --------------------------------------------------------------------------------------------- add_guests


class TestAddGuests:
    async def test_small_list_prechecks_and_adds_only_new_people(self, mock_context):
        fake = FakeLuma(existing=[guest_record("old@example.com", "declined")]).answering(mock_context)
        result = await run(
            "add_guests",
            {"event_api_id": EVENT_ID, "guests": ["old@example.com", {"email": "new@example.com", "name": "New One"}]},
            mock_context,
        )
        assert result.type == ResultType.ACTION
        data = result.result.data
        assert data["results"][0]["email"] == "old@example.com"
        assert data["results"][0]["status"] == "already_guest"
        assert "declined" in message_of(data, data["results"][0])
        assert data["results"][1] == {"email": "new@example.com", "status": "added"}
        assert counts(data, "added", "already_guest", "failed") == (1, 1, 0)
        assert data["not_processed_count"] == 0
        assert fake.posts == [{"event_id": EVENT_ID, "guests": [{"email": "new@example.com", "name": "New One"}]}]
        assert fake.reads == ["/v1/events/guests/list"], "the list's first page (the whole list here) checks both"
        assert fake.gets == []

    async def test_one_email_is_looked_up(self, mock_context):
        fake = FakeLuma().answering(mock_context)
        await batch("add_guests", ["ana@example.com"], mock_context)
        assert [q["id"] for q in fake.gets] == ["ana@example.com"] and fake.reads == []

    async def test_a_guest_found_with_the_other_domain_form_counts_only_when_it_is_the_same_mailbox(self, mock_context):
        fake = FakeLuma(existing=[guest_record("x@strasse.de")])
        # A Luma that answered the second form with a different mailbox: straße.de is not strasse.de.
        fake.guests["x@xn--strae-oqa.de"] = fake.guests["x@strasse.de"]
        fake.answering(mock_context)
        data = await batch("add_guests", ["x@straße.de"], mock_context)
        assert data["results"] == [{"email": "x@straße.de", "status": "added"}]
        assert [q["id"] for q in fake.gets[:2]] == ["x@straße.de", "x@xn--strae-oqa.de"]
        assert fake.posts == [{"event_id": EVENT_ID, "guests": [{"email": "x@straße.de"}]}]

    async def test_emails_missing_from_the_first_page_of_a_long_list_are_looked_up(self, mock_context):
        fake = FakeLuma(existing=[guest_record(e) for e in emails(150, "old")]).answering(mock_context)
        data = await batch("add_guests", ["old005@example.com", "new1@example.com", "new2@example.com"], mock_context)
        assert fake.reads == ["/v1/events/guests/list"]
        assert sorted(q["id"] for q in fake.gets) == ["new1@example.com", "new2@example.com"]
        assert [r["status"] for r in data["results"]] == ["already_guest", "added", "added"]

    async def test_many_emails_missing_from_a_long_list_are_sought_on_its_next_pages_when_cheaper(self, mock_context):
        fake = FakeLuma(existing=[guest_record(e) for e in emails(250, "old")]).answering(mock_context)
        wanted = emails(20, "new") + ["old200@example.com"]
        data = await batch("add_guests", wanted, mock_context)
        # 21 emails not on the first page; the event says 250 guests: two more pages beat 21 look-ups.
        assert fake.reads == ["/v1/events/guests/list", "/v1/events/get"] + ["/v1/events/guests/list"] * 2
        assert fake.gets == []
        assert data["results"][20]["status"] == "already_guest" and data["added_count"] == 20

    async def test_many_emails_missing_from_a_huge_list_are_looked_up(self, mock_context):
        fake = FakeLuma(existing=[guest_record(e) for e in emails(2500, "old")]).answering(mock_context)
        data = await batch("add_guests", emails(15, "new"), mock_context)
        assert fake.reads == ["/v1/events/guests/list", "/v1/events/get"], "24 more pages would cost more than 15"
        assert len(fake.gets) == 15 and data["added_count"] == 15

    async def test_request_carries_status_email_flag_and_ticket(self, mock_context):
        mock_context.fetch.side_effect = FakeLuma().fetch
        await run(
            "add_guests",
            {
                "event_api_id": EVENT_ID,
                "guests": ["ana@example.com"],
                "approval_status": "waitlist",
                "send_email": False,
                "event_ticket_type_id": "ttype-vip",
            },
            mock_context,
        )
        post = next(c for c in mock_context.fetch.call_args_list if c.kwargs["method"] == "POST")
        assert sent_url(post) == f"{BASE}/v1/events/guests/add"
        assert post.kwargs["json"] == {
            "event_id": EVENT_ID,
            "guests": [{"email": "ana@example.com"}],
            "approval_status": "waitlist",
            "send_email": False,
            "ticket": {"event_ticket_type_id": "ttype-vip"},
        }

    async def test_invited_person_is_added(self, mock_context):
        fake = FakeLuma(existing=[guest_record("inv@example.com", "invited")]).answering(mock_context)
        result = await run("add_guests", {"event_api_id": EVENT_ID, "guests": ["inv@example.com"]}, mock_context)
        assert result.result.data["results"] == [{"email": "inv@example.com", "status": "added"}]
        assert len(fake.posts) == 1

    async def test_everyone_already_on_list_sends_nothing(self, mock_context):
        fake = FakeLuma(existing=[guest_record("a@example.com")]).answering(mock_context)
        result = await run("add_guests", {"event_api_id": EVENT_ID, "guests": ["a@example.com"]}, mock_context)
        assert result.result.data["already_guest_count"] == 1
        assert fake.posts == []

    async def test_repeated_emails_are_sent_once(self, mock_context):
        fake = FakeLuma().answering(mock_context)
        result = await run(
            "add_guests",
            {"event_api_id": EVENT_ID, "guests": ["Ana@Example.com", "ana@example.com", {"email": "ANA@example.com"}]},
            mock_context,
        )
        assert result.result.data["results"] == [{"email": "Ana@example.com", "status": "added"}]
        assert fake.posts[0]["guests"] == [{"email": "Ana@example.com"}]

    async def test_large_list_is_checked_with_one_read_of_the_guest_list(self, mock_context):
        fake = FakeLuma().answering(mock_context)
        result = await run("add_guests", {"event_api_id": EVENT_ID, "guests": emails(120)}, mock_context)
        assert [len(p["guests"]) for p in fake.posts] == [100, 20]
        assert fake.gets == [], "no per-email look-ups when one page of the guest list is cheaper"
        assert fake.reads == ["/v1/events/guests/list"], "an empty list says so on its first page"
        assert result.result.data["added_count"] == 120
        assert [r["email"] for r in result.result.data["results"]] == emails(120)

    async def test_every_batch_of_a_call_is_in_flight_at_once(self, mock_context):
        fake = FakeLuma().answering(mock_context)
        data = await batch("add_guests", emails(1000), mock_context)
        assert [len(p["guests"]) for p in fake.posts] == [100] * 10
        assert fake.max_in_flight == 10 == guest_actions.BATCHES_IN_FLIGHT
        assert data["added_count"] == 1000
        applied_at_most_once(fake)

    async def test_batches_in_flight_never_exceed_what_the_rate_window_has_left(self, mock_context):
        limiter = helpers.limiter_for(mock_context.auth["credentials"]["api_key"])
        limiter.slots = [[helpers._now()] for _ in range(limiter.limit - 4)]  # 4 requests left in this minute
        fake = FakeLuma().answering(mock_context)
        data = await batch("add_guests", emails(500), mock_context)
        # The pre-check took one of the four: three batches go together; the other two would wait a minute for the
        # window, which does not fit in the run, so they are not sent (and say when to retry).
        assert fake.max_in_flight == 3 and len(fake.posts) == 3
        assert counts(data, "added", "not_processed") == (300, 200)
        assert "Retry in" in message_of(data, data["results"][499])

    async def test_rejected_batch_is_resent_in_halves_and_other_batches_still_go(self, mock_context):
        fake = FakeLuma(script=["apply", luma_error(400, "Invalid guests[3].email")]).answering(mock_context)
        data = await batch("add_guests", emails(250), mock_context)
        # Three batches go together; the second is refused and its halves follow.
        assert [len(p["guests"]) for p in fake.posts] == [100, 100, 50, 50, 50]
        assert fake.posts[3]["guests"] + fake.posts[4]["guests"] == fake.posts[1]["guests"]
        assert counts(data, "added", "failed") == (250, 0)
        assert sorted(fake.guests) == emails(250)
        applied_at_most_once(fake)

    async def test_time_budget_reports_unsent_emails_as_not_processed(self, mock_context, clock, one_batch_at_a_time):
        fake = FakeLuma(clock=clock, post_seconds=8.0).answering(mock_context)
        data = await batch("add_guests", emails(250), mock_context)
        assert len(fake.posts) == 2
        assert counts(data, "added", "not_processed") == (200, 50)
        unsent = data["results"][200:]
        assert all(r["status"] == "not_processed" and "time budget" in message_of(data, r) for r in unsent)

    async def test_batches_sent_together_start_while_the_budget_lasts(self, mock_context, clock):
        fake = FakeLuma(clock=clock, post_seconds=8.0).answering(mock_context)
        data = await batch("add_guests", emails(250), mock_context)
        assert len(fake.posts) == 3 and data["added_count"] == 250

    async def test_lost_response_is_reconciled_without_resending(self, mock_context, no_sleep):
        fake = FakeLuma(script=["drop"]).answering(mock_context)
        result = await run("add_guests", {"event_api_id": EVENT_ID, "guests": emails(12)}, mock_context)
        assert len(fake.posts) == 1
        # The pre-check, then the batch's emails sought on the guest list: one read, not twelve look-ups.
        assert fake.reads == ["/v1/events/guests/list"] * 2 and fake.gets == []
        assert result.result.data["added_count"] == 12

    async def test_lost_response_on_a_long_list_looks_up_the_missing_emails(self, mock_context, no_sleep):
        fake = FakeLuma(existing=[guest_record(e) for e in emails(150, "old")], script=["drop"]).answering(mock_context)
        data = await batch("add_guests", emails(3), mock_context)
        assert len(fake.posts) == 1 and data["added_count"] == 3
        assert len(fake.gets) == 6, "the pre-check's and the check's look-ups of the three emails"

    async def test_lost_request_is_unconfirmed_and_never_resent(self, mock_context, no_sleep):
        fake = FakeLuma(script=["lost"]).answering(mock_context)
        data = await batch("add_guests", emails(12), mock_context)
        assert len(fake.posts) == 1
        assert fake.reads == ["/v1/events/guests/list"] * 3, "the pre-check, a look, once more after the settle delay"
        assert counts(data, "unconfirmed", "added", "failed") == (12, 0, 0)
        assert "not sent again" in message_of(data, data["results"][11])

    async def test_partly_landed_batch_reports_the_rest_unconfirmed(self, mock_context, no_sleep):
        fake = FakeLuma(script=["partial"]).answering(mock_context)
        data = await batch("add_guests", emails(12), mock_context)
        assert len(fake.posts) == 1
        assert counts(data, "added", "unconfirmed") == (1, 11)
        assert data["results"][0]["status"] == "added" and data["results"][1]["status"] == "unconfirmed"

    async def test_server_error_after_the_precheck_reports_unconfirmed_and_stops(
        self, mock_context, no_sleep, one_batch_at_a_time
    ):
        # Two people were on the list before; the first batch fails with a 500: it may have been applied, so its 100
        # emails are unconfirmed (never re-sent), the two old guests already_guest, and the rest is not sent.
        old = [guest_record("person000@example.com"), guest_record("person001@example.com")]
        fake = FakeLuma(existing=old, script=[luma_error(500, "oops")]).answering(mock_context)
        data = await batch("add_guests", emails(210), mock_context)
        assert [len(p["guests"]) for p in fake.posts] == [100]
        assert fake.posts[0]["guests"] == [{"email": e} for e in emails(102)[2:]]
        assert counts(data, "added", "already_guest", "unconfirmed", "not_processed") == (0, 2, 100, 108)
        assert [r["status"] for r in data["results"][:3]] == ["already_guest", "already_guest", "unconfirmed"]
        assert "approval_status: approved" in data["results"][0]["message"]
        assert "could not be fully confirmed" in message_of(data, data["results"][209])

    async def test_server_error_never_cancels_the_batches_already_in_flight(self, mock_context, no_sleep):
        # The same failure with the batches sent together: the other two were on their way and finish (a write
        # cancelled in flight would leave its outcome unknown), so they are reported added, not not_processed.
        old = [guest_record("person000@example.com"), guest_record("person001@example.com")]
        fake = FakeLuma(existing=old, script=[luma_error(500, "oops")]).answering(mock_context)
        data = await batch("add_guests", emails(210), mock_context)
        assert [len(p["guests"]) for p in fake.posts] == [100, 100, 8]
        assert counts(data, "added", "already_guest", "unconfirmed", "not_processed") == (108, 2, 100, 0)
        reported_once_each(data, emails(210))
        applied_at_most_once(fake)

    async def test_partial_then_capacity_is_never_reached_because_nothing_is_resent(
        self, mock_context, no_sleep, one_batch_at_a_time
    ):
        fake = FakeLuma(script=["partial", "partial"]).answering(mock_context)
        data = await batch("add_guests", emails(160), mock_context)
        assert [len(p["guests"]) for p in fake.posts] == [100]
        assert counts(data, "added", "unconfirmed", "not_processed") == (1, 99, 60)

    async def test_guest_seen_absent_by_the_precheck_is_added_whatever_its_timestamp(
        self, mock_context, no_sleep, monkeypatch
    ):
        # Our clock far ahead of Luma's: every timestamp looks old, but the pre-check saw these people absent.
        monkeypatch.setattr(helpers, "_utc_now", lambda: datetime(2030, 1, 1, tzinfo=timezone.utc))
        fake = FakeLuma(script=["drop"]).answering(mock_context)
        data = await batch("add_guests", emails(5), mock_context)
        assert len(fake.posts) == 1
        assert counts(data, "added", "already_guest") == (5, 0)

    async def test_guest_found_without_timestamps_after_an_absent_precheck_is_added(self, mock_context, no_sleep):
        fake = FakeLuma(script=["drop"])

        async def fetch(url, method="GET", json=None, **kwargs):
            answer = await fake.fetch(url, method=method, json=json, **kwargs)
            if method == "GET":
                return ok({**answer.data, "registered_at": None, "invited_at": None})
            return answer

        mock_context.fetch.side_effect = fetch
        data = await batch("add_guests", emails(12), mock_context)
        assert len(fake.posts) == 1 and data["added_count"] == 12
        assert all("message" not in r for r in data["results"]), "the pre-check saw them absent: a plain success"

    async def test_guest_registered_seconds_before_is_found_by_the_precheck(self, mock_context, no_sleep):
        recent = (datetime.now(timezone.utc) - timedelta(seconds=10)).isoformat()
        fake = FakeLuma(existing=[guest_record("person004@example.com", at=recent)], script=["lost"]).answering(
            mock_context
        )
        data = await batch("add_guests", emails(12), mock_context)
        assert [len(p["guests"]) for p in fake.posts] == [11]
        assert data["results"][4]["status"] == "already_guest"
        assert counts(data, "unconfirmed", "already_guest") == (11, 1)

    async def test_unreadable_2xx_confirmed_by_lookup_is_a_success(self, mock_context, no_sleep):
        fake = FakeLuma(script=["garbled"]).answering(mock_context)
        data = await batch("add_guests", emails(160), mock_context)
        assert [len(p["guests"]) for p in fake.posts] == [100, 60]
        assert counts(data, "added", "failed") == (160, 0)

    async def test_unreadable_2xx_partly_visible_is_never_resent(self, mock_context, no_sleep, one_batch_at_a_time):
        fake = FakeLuma(script=["garbled_partial"]).answering(mock_context)
        data = await batch("add_guests", emails(160), mock_context)
        # The 99 Luma does not show are reported unconfirmed, never emailed a second time, never called failed.
        assert [len(p["guests"]) for p in fake.posts] == [100]
        assert counts(data, "added", "unconfirmed", "failed") == (1, 99, 0)
        assert data["not_processed_count"] == 60
        assert "was not sent again" in message_of(data, data["results"][1])

    async def test_unreadable_2xx_not_found_is_never_resent(self, mock_context, no_sleep, one_batch_at_a_time):
        # A 2xx HTML page is no proof Luma applied anything: what does not show is unconfirmed, not added.
        fake = FakeLuma(script=["garbled_unapplied"]).answering(mock_context)
        data = await batch("add_guests", emails(160), mock_context)
        assert [len(p["guests"]) for p in fake.posts] == [100]
        assert counts(data, "added", "unconfirmed", "not_processed") == (0, 100, 60)

    async def test_unreadable_2xx_with_one_existing_guest_adds_nobody_else(self, mock_context, no_sleep):
        old = (datetime.now(timezone.utc) - timedelta(days=3)).isoformat()
        FakeLuma(existing=[guest_record("person003@example.com", at=old)], script=["garbled_unapplied"]).answering(
            mock_context
        )
        data = await batch("add_guests", emails(12), mock_context)
        assert counts(data, "added", "already_guest", "unconfirmed") == (0, 1, 11)

    async def test_repeated_messages_are_spelled_out_once(self, mock_context, one_batch_at_a_time):
        quota = luma_error(400, "Weekly email limit reached")
        FakeLuma(script=[quota]).answering(mock_context)
        data = await batch("add_guests", emails(1000), mock_context)
        assert counts(data, "failed", "not_processed") == (100, 900)
        assert "retry next week" in data["results"][0]["message"]
        assert data["results"][1]["message"] == "Same as for person000@example.com."
        assert "retry next week" in data["results"][100]["message"]  # the stop reason, spelled out once
        assert {r["message"] for r in data["results"][101:]} == {"Same as for person100@example.com."}
        assert len(json.dumps(data)) < 150_000  # about 110 bytes per email

    async def test_repeated_messages_of_batches_refused_together_are_spelled_out_once(self, mock_context):
        quota = luma_error(400, "Weekly email limit reached")
        FakeLuma(script=[quota] * 10).answering(mock_context)
        data = await batch("add_guests", emails(1000), mock_context)
        assert counts(data, "failed", "not_processed") == (1000, 0)
        assert "retry next week" in data["results"][0]["message"]
        assert {r["message"] for r in data["results"][1:]} == {"Same as for person000@example.com."}
        assert len(json.dumps(data)) < 150_000

    async def test_unconfirmed_batch_fails_and_stops_the_rest(self, mock_context, no_sleep, one_batch_at_a_time):
        fake = FakeLuma(script=["lost"], get_error=luma_error(503, "down")).answering(mock_context)
        data = await batch("add_guests", emails(160), mock_context)
        assert len(fake.posts) == 1
        assert counts(data, "unconfirmed", "not_processed", "added") == (100, 60, 0)
        assert data["failed_count"] == 0, "a retry of failures must never add anyone twice"
        assert "not sent again" in message_of(data, data["results"][0])
        assert "lost" in message_of(data, data["results"][159])

    async def test_unknown_event_on_first_batch_is_an_error(self, mock_context):
        mock_context.fetch.side_effect = luma_error(404, "Event evt-x not found")
        result = await run("add_guests", {"event_api_id": "evt-x", "guests": emails(11)}, mock_context)
        assert result.type == ResultType.ACTION_ERROR
        assert "404" in result.result.message and "Event evt-x not found" in result.result.message

    async def test_rate_limit_mid_run_marks_rest_not_processed(self, mock_context, no_sleep, one_batch_at_a_time):
        fake = FakeLuma(script=["apply", RateLimitError(60, 429, "Rate limit exceeded", "")]).answering(mock_context)
        data = await batch("add_guests", emails(250), mock_context)
        assert len(fake.posts) == 2
        assert counts(data, "added", "not_processed") == (100, 150)
        assert "Retry in" in message_of(data, data["results"][160])

    async def test_a_refusal_before_anything_was_applied_is_an_error_even_with_batches_in_flight(self, mock_context):
        fake = FakeLuma(script=[luma_error(403, "No access to this event")] * 3).answering(mock_context)
        result = await run("add_guests", {"event_api_id": EVENT_ID, "guests": emails(300)}, mock_context)
        assert len(fake.posts) == 3 and fake.guests == {}
        failed(result, "403", "No access to this event")

    async def test_a_refusal_is_reported_per_email_when_the_precheck_found_someone(self, mock_context):
        old = [guest_record("person000@example.com")]
        fake = FakeLuma(existing=old, script=[luma_error(401, "Key revoked")] * 3).answering(mock_context)
        data = await batch("add_guests", emails(201), mock_context)
        assert len(fake.posts) == 2
        assert counts(data, "already_guest", "not_processed", "added") == (1, 200, 0)
        assert "Key revoked" in message_of(data, data["results"][1])

    async def test_an_unexpected_failure_lets_the_other_batches_in_flight_finish(self, mock_context):
        fake = FakeLuma(script=[RuntimeError("bug")]).answering(mock_context)
        result = await run("add_guests", {"event_api_id": EVENT_ID, "guests": emails(300)}, mock_context)
        assert result.type == ResultType.ACTION_ERROR and "unexpected" in result.result.message
        assert sorted(fake.guests) == emails(300)[100:], "the two other POSTs were applied, not cancelled"

    async def test_one_rejected_email_fails_alone(self, mock_context):
        fake = FakeLuma(reject=["person007@example.com"]).answering(mock_context)
        data = await batch("add_guests", emails(160), mock_context)
        assert counts(data, "added", "failed", "not_processed") == (159, 1, 0)
        refused = [r for r in data["results"] if r["status"] == "failed"]
        assert [r["email"] for r in refused] == ["person007@example.com"]
        assert "Invalid guests[" in refused[0]["message"] and "person007@example.com" in refused[0]["message"]
        assert sorted(fake.guests) == sorted(e for e in emails(160) if e != "person007@example.com")
        # 100 → 50 → 25 → 12 → 6 → 3 → 2 → 1: two requests per halving, plus the first batch and the second batch.
        assert len(fake.posts) == 16
        assert [{"email": "person007@example.com"}] in [post["guests"] for post in fake.posts]
        applied_at_most_once(fake)

    async def test_rejection_of_every_email_splits_a_bounded_number_of_times(self, mock_context):
        fake = FakeLuma(script=[luma_error(400, "Invalid event_ticket_type_id: ttype-x")] * 500).answering(mock_context)
        data = await batch("add_guests", emails(200), mock_context)
        assert data["failed_count"] == 200 and fake.guests == {}
        assert all("ttype-x" in message_of(data, r) for r in data["results"])
        # Two batches in flight share the run's cap on extra requests.
        assert len(fake.posts) == 2 + guest_actions.MAX_SPLIT_REQUESTS
        assert "not split further" in message_of(data, data["results"][199])

    async def test_splitting_respects_the_time_budget(self, mock_context, clock):
        fake = FakeLuma(reject=["person019@example.com"], clock=clock, post_seconds=5.0).answering(mock_context)
        data = await batch("add_guests", emails(20), mock_context)
        # 20 rejected (t=5), first half added (t=10): 14 s left, less than a write and its check need, so the second
        # half is not sent at all rather than sent with a clipped timeout.
        assert len(fake.posts) == 2
        assert counts(data, "added", "failed", "not_processed") == (10, 0, 10)
        assert all("time budget" in message_of(data, r) for r in data["results"][10:])
        assert sorted(fake.guests) == emails(20)[:10]

    async def test_capacity_refusal_stops_later_batches(self, mock_context, one_batch_at_a_time):
        full = luma_error(400, "Event is at capacity (80 approved guests)")
        fake = FakeLuma(script=["apply", full]).answering(mock_context)
        data = await batch("add_guests", emails(300), mock_context)
        assert len(fake.posts) == 2
        assert counts(data, "added", "failed", "not_processed") == (100, 100, 100)
        assert "raise its capacity" in message_of(data, data["results"][100])
        assert data["results"][299]["status"] == "not_processed"
        assert "Event is at capacity" in message_of(data, data["results"][299])

    async def test_capacity_reached_by_batches_in_flight_adds_nobody_twice_and_reports_everyone(self, mock_context):
        # Which of the batches sent together Luma refuses depends on which arrives first; whatever the order, each
        # email is reported once, the refused ones failed with what to do, and nobody is added twice.
        fake = FakeLuma(existing=[guest_record(e, "approved") for e in emails(20, "old")], capacity=250)
        fake.answering(mock_context)
        wanted = emails(20, "old")[:5] + emails(395)
        data = await batch("add_guests", wanted, mock_context)
        reported_once_each(data, wanted)
        applied_at_most_once(fake)
        added = [r["email"] for r in data["results"] if r["status"] == "added"]
        assert counts(data, "already_guest", "unconfirmed", "not_processed") == (5, 0, 0)
        assert len(added) == 200 and data["failed_count"] == 195
        assert sorted(fake.guests) == sorted(emails(20, "old") + added)
        assert all("raise its capacity" in message_of(data, r) for r in data["results"] if r["status"] == "failed")

    async def test_send_limit_refusal_stops_later_batches(self, mock_context, one_batch_at_a_time):
        fake = FakeLuma(script=[luma_error(400, "Weekly email limit reached")]).answering(mock_context)
        data = await batch("add_guests", emails(250), mock_context)
        assert len(fake.posts) == 1
        assert counts(data, "failed", "not_processed") == (100, 150)
        assert "retry next week" in message_of(data, data["results"][249])

    async def test_null_name_is_accepted_and_not_sent(self, mock_context):
        fake = FakeLuma().answering(mock_context)
        result = await run(
            "add_guests",
            {"event_api_id": EVENT_ID, "guests": [{"email": "ana@example.com", "name": None}]},
            mock_context,
        )
        assert result.type == ResultType.ACTION
        assert fake.posts == [{"event_id": EVENT_ID, "guests": [{"email": "ana@example.com"}]}]

    async def test_failed_lookup_cancels_the_other_lookups(self, mock_context):
        started, cancelled = [], []

        async def fetch(url, method="GET", **kwargs):
            if path_of_url(url) == "/v1/events/guests/list":
                return long_list_page()
            email = dict(parse_qsl(urlsplit(url).query))["id"]
            started.append(email)
            if email == "bad@example.com":
                await asyncio.sleep(0)  # let the other lookups start
                raise luma_error(403, "No access to this event")
            try:
                await asyncio.sleep(30)
            except asyncio.CancelledError:
                cancelled.append(email)
                raise
            return ok({})

        mock_context.fetch.side_effect = fetch
        result = await run(
            "add_guests",
            {"event_api_id": EVENT_ID, "guests": ["bad@example.com", "a@example.com", "b@example.com"]},
            mock_context,
        )
        assert result.type == ResultType.ACTION_ERROR
        assert "403" in result.result.message and "No access to this event" in result.result.message
        assert "unexpected" not in result.result.message
        assert sorted(cancelled) == ["a@example.com", "b@example.com"]  # none left running after the answer

    async def test_failed_reconcile_lookup_is_reported_not_unexpected(self, mock_context, no_sleep):
        fake = FakeLuma(script=["lost"], get_error=luma_error(403, "no")).answering(mock_context)
        result = await run("add_guests", {"event_api_id": EVENT_ID, "guests": emails(12)}, mock_context)
        assert result.type == ResultType.ACTION
        assert result.result.data["unconfirmed_count"] == 12 and len(fake.posts) == 1
        assert "not sent again" in result.result.data["results"][0]["message"]

    async def test_malformed_email_rejected_before_sending(self, mock_context):
        result = await run(
            "add_guests", {"event_api_id": EVENT_ID, "guests": ["ok@example.com", "not-an-email"]}, mock_context
        )
        assert result.type == ResultType.ACTION_ERROR
        assert "'not-an-email' in guests[1]" in result.result.message
        assert_nothing_sent(mock_context)

    @pytest.mark.parametrize(
        "inputs",
        [
            {"event_api_id": EVENT_ID, "guests": []},
            {"event_api_id": EVENT_ID},
            {"event_api_id": EVENT_ID, "guests": ["a@example.com"], "approval_status": "invited"},
            {"event_api_id": EVENT_ID, "guests": [{"name": "No Email"}]},
            {"event_api_id": EVENT_ID, "guests": [{"email": "a@example.com", "phone": "1"}]},
            {"event_api_id": EVENT_ID, "guests": ["a@example.com"], "send_email": "yes"},
        ],
    )
    async def test_schema_rejects_bad_input_before_sending(self, mock_context, inputs):
        result = await run("add_guests", inputs, mock_context)
        assert result.type == ResultType.VALIDATION_ERROR
        assert_nothing_sent(mock_context)


# ---------------------------------------------------------------------------------------- update_guest_status


class TestUpdateGuestStatus:
    async def test_changes_status_then_returns_guest(self, mock_context):
        FakeLuma(existing=[guest_record("ana@example.com", "pending_approval")]).answering(mock_context)
        result = await run(
            "update_guest_status",
            {"event_api_id": EVENT_ID, "email": "ana@example.com", "status": "approved"},
            mock_context,
        )
        assert result.type == ResultType.ACTION
        assert result.result.data["guest"]["approval_status"] == "approved"
        post, get = mock_context.fetch.call_args_list
        assert sent_url(post) == f"{BASE}/v1/events/guests/update-status" and post.kwargs["method"] == "POST"
        assert post.kwargs["json"] == {"event_id": EVENT_ID, "guest_id": "ana@example.com", "status": "approved"}
        assert path_of(get) == "/v1/events/guests/get"
        assert query_of(get) == [("event_id", EVENT_ID), ("id", "ana@example.com")]

    async def test_an_email_stored_with_the_other_domain_form_is_changed_by_its_id(self, mock_context):
        fake = FakeLuma(existing=[guest_record("j@xn--bcher-kva.example", "pending_approval", gid="gst-j")])
        fake.guests["gst-j"] = fake.guests["j@xn--bcher-kva.example"]
        fake.answering(mock_context)
        inputs = {"event_api_id": EVENT_ID, "email": "j@bücher.example", "status": "approved", "send_email": False}
        data = ok_data(await run("update_guest_status", inputs, mock_context))
        assert data["guest"]["approval_status"] == "approved"
        assert fake.posts == [{"event_id": EVENT_ID, "guest_id": "gst-j", "status": "approved", "send_email": False}]
        assert [q["id"] for q in fake.gets] == ["j@bücher.example", "j@xn--bcher-kva.example", "gst-j"]

    async def test_an_internationalised_email_of_nobody_is_not_found_and_nothing_is_sent(self, mock_context):
        fake = FakeLuma().answering(mock_context)
        inputs = {"event_api_id": EVENT_ID, "email": "j@bücher.example", "status": "approved"}
        failed(await run("update_guest_status", inputs, mock_context), "No guest with email j@bücher.example")
        assert fake.posts == [] and len(fake.gets) == 2

    async def test_sends_every_option_given(self, mock_context):
        fake = FakeLuma(existing=[guest_record("ana@example.com", gid="gst-ana")])
        fake.guests["gst-ana"] = fake.guests["ana@example.com"]
        fake.answering(mock_context)
        await run(
            "update_guest_status",
            {
                "event_api_id": EVENT_ID,
                "guest_api_id": "gst-ana",
                "status": "declined",
                "should_refund": True,
                "send_email": True,
                "message": "Sorry, we are full.",
            },
            mock_context,
        )
        assert fake.posts == [
            {
                "event_id": EVENT_ID,
                "guest_id": "gst-ana",
                "status": "declined",
                "should_refund": True,
                "send_email": True,
                "message": "Sorry, we are full.",
            }
        ]

    async def test_message_without_email_rejected_before_sending(self, mock_context):
        result = await run(
            "update_guest_status",
            {
                "event_api_id": EVENT_ID,
                "email": "a@example.com",
                "status": "declined",
                "send_email": False,
                "message": "x",
            },
            mock_context,
        )
        assert result.type == ResultType.ACTION_ERROR
        assert "send_email false" in result.result.message
        assert_nothing_sent(mock_context)

    @pytest.mark.parametrize(
        ("guest", "expected"),
        [
            ({}, "either guest_api_id"),
            ({"email": "a@example.com", "guest_api_id": "gst-1"}, "not both"),
            ({"email": "a@@example.com"}, "not a valid email"),
        ],
    )
    async def test_guest_identity_checked_before_sending(self, mock_context, guest, expected):
        result = await run(
            "update_guest_status", {"event_api_id": EVENT_ID, "status": "approved", **guest}, mock_context
        )
        assert result.type == ResultType.ACTION_ERROR
        assert expected in result.result.message
        assert_nothing_sent(mock_context)

    @pytest.mark.parametrize(
        "extra",
        [{"status": "invited"}, {"status": "approved", "message": "x" * 201}, {"status": "approved", "refund": True}],
    )
    async def test_schema_rejects_bad_input_before_sending(self, mock_context, extra):
        result = await run(
            "update_guest_status", {"event_api_id": EVENT_ID, "email": "a@example.com", **extra}, mock_context
        )
        assert result.type == ResultType.VALIDATION_ERROR
        assert_nothing_sent(mock_context)

    async def test_unknown_guest_gives_clear_error(self, mock_context):
        mock_context.fetch.side_effect = luma_error(404, "Guest x not found")
        inputs = {"event_api_id": EVENT_ID, "email": "x@example.com", "status": "approved"}
        failed(
            await run("update_guest_status", inputs, mock_context),
            "No guest with email x@example.com is on event evt-TestEvent01",
        )

    async def test_rejection_carries_lumas_words(self, mock_context):
        mock_context.fetch.side_effect = luma_error(400, "Event is at capacity")
        inputs = {"event_api_id": EVENT_ID, "email": "x@example.com", "status": "approved"}
        failed(await run("update_guest_status", inputs, mock_context), "Event is at capacity")

    async def test_lost_response_reconciled_when_status_already_set(self, mock_context, no_sleep):
        fake = FakeLuma(existing=[guest_record("ana@example.com", "pending_approval")], script=["drop"]).answering(
            mock_context
        )
        result = await run(
            "update_guest_status",
            {"event_api_id": EVENT_ID, "email": "ana@example.com", "status": "waitlist"},
            mock_context,
        )
        assert len(fake.posts) == 1
        assert result.result.data["guest"]["approval_status"] == "waitlist"

    async def test_lost_request_is_unconfirmed_not_resent(self, mock_context, no_sleep):
        # A re-sent status change emails the guest twice, so it is reported instead.
        fake = FakeLuma(existing=[guest_record("ana@example.com", "pending_approval")], script=["lost"]).answering(
            mock_context
        )
        result = await run(
            "update_guest_status",
            {"event_api_id": EVENT_ID, "email": "ana@example.com", "status": "declined"},
            mock_context,
        )
        assert len(fake.posts) == 1 and len(fake.gets) == 2
        assert result.type == ResultType.ACTION_ERROR
        assert "not confirmed" in result.result.message and "get_guests" in result.result.message

    @pytest.mark.parametrize(
        "read_back",
        [luma_error(403, "no"), ok({"user_email": "ana@example.com"}), ok({"id": ""})],
    )
    async def test_read_back_failure_still_reports_success_by_email(self, mock_context, no_sleep, read_back):
        mock_context.fetch.side_effect = [ok({}), read_back]
        result = await run(
            "update_guest_status",
            {"event_api_id": EVENT_ID, "email": " ana@example.com ", "status": "declined"},
            mock_context,
        )
        assert result.type == ResultType.ACTION
        assert result.result.data == {"guest": {"user_email": "ana@example.com", "approval_status": "declined"}}
        assert mock_context.fetch.call_count == 2

    async def test_read_back_failure_still_reports_success_by_id(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = [ok({}), luma_error(500, "oops")] + [luma_error(500, "oops")] * 2
        result = await run(
            "update_guest_status",
            {"event_api_id": EVENT_ID, "guest_api_id": "gst-ana", "status": "approved"},
            mock_context,
        )
        assert result.type == ResultType.ACTION
        assert result.result.data == {"guest": {"id": "gst-ana", "approval_status": "approved"}}
        assert [c.kwargs["method"] for c in mock_context.fetch.call_args_list].count("POST") == 1


# --------------------------------------------------------------------------------------------- send_invites


class TestSendInvites:
    async def test_small_list_invites_new_people_only(self, mock_context):
        FakeLuma(existing=[guest_record("going@example.com")], landed_status="invited").answering(mock_context)
        result = await run(
            "send_invites",
            {
                "event_api_id": EVENT_ID,
                "guests": ["going@example.com", {"email": "new@example.com", "name": "New"}],
                "message": "Come along!",
            },
            mock_context,
        )
        assert result.type == ResultType.ACTION
        data = result.result.data
        assert [r["status"] for r in data["results"]] == ["already_guest", "invited"]
        assert counts(data, "invited", "already_guest") == (1, 1)
        post = next(c for c in mock_context.fetch.call_args_list if c.kwargs["method"] == "POST")
        assert sent_url(post) == f"{BASE}/v1/events/guests/send-invites"
        assert post.kwargs["json"] == {
            "event_id": EVENT_ID,
            "guests": [{"email": "new@example.com", "name": "New"}],
            "message": "Come along!",
        }

    async def test_quota_error_fails_batch_and_stops(self, mock_context, one_batch_at_a_time):
        quota = luma_error(400, "Weekly invite limit reached: 15 invites per week")
        fake = FakeLuma(script=["apply", quota], landed_status="invited").answering(mock_context)
        data = await batch("send_invites", emails(230), mock_context)
        assert len(fake.posts) == 2
        assert counts(data, "invited", "failed", "not_processed") == (100, 100, 30)
        refused = data["results"][100]
        assert refused["status"] == "failed"
        assert "Weekly invite limit reached" in refused["message"] and "retry next week" in refused["message"]
        assert "weekly invite limit" in message_of(data, data["results"][229])

    async def test_quota_reached_by_batches_in_flight_invites_nobody_twice(self, mock_context):
        quota = luma_error(400, "Weekly invite limit reached: 15 invites per week")
        fake = FakeLuma(script=["apply", quota, quota], landed_status="invited").answering(mock_context)
        data = await batch("send_invites", emails(230), mock_context)
        reported_once_each(data, emails(230))
        applied_at_most_once(fake)
        assert counts(data, "invited", "failed", "not_processed") == (100, 130, 0)
        assert all("retry next week" in message_of(data, r) for r in data["results"] if r["status"] == "failed")

    async def test_capacity_error_fails_batch_and_stops(self, mock_context, one_batch_at_a_time):
        fake = FakeLuma(script=[luma_error(400, "Event is at capacity (40 approved guests)")]).answering(mock_context)
        data = await batch("send_invites", emails(160), mock_context)
        assert len(fake.posts) == 1
        assert counts(data, "failed", "not_processed") == (100, 60)
        assert "raise its capacity" in message_of(data, data["results"][0])

    async def test_rejected_emails_fail_alone_and_later_batches_still_go(self, mock_context):
        rejected = ["person003@example.com", "person040@example.com", "person055@example.com"]
        fake = FakeLuma(reject=rejected, landed_status="invited").answering(mock_context)
        data = await batch("send_invites", emails(60), mock_context)
        assert counts(data, "failed", "invited", "not_processed") == (3, 57, 0)
        assert [r["email"] for r in data["results"] if r["status"] == "failed"] == rejected
        assert sorted(fake.guests) == sorted(set(emails(60)) - set(rejected))
        assert len(fake.posts) <= 2 + guest_actions.MAX_SPLIT_REQUESTS

    async def test_null_name_is_accepted_and_not_sent(self, mock_context):
        fake = FakeLuma(landed_status="invited").answering(mock_context)
        result = await run(
            "send_invites",
            {"event_api_id": EVENT_ID, "guests": [{"email": "ana@example.com", "name": None}, "bo@example.com"]},
            mock_context,
        )
        assert result.type == ResultType.ACTION
        assert fake.posts == [
            {"event_id": EVENT_ID, "guests": [{"email": "ana@example.com"}, {"email": "bo@example.com"}]}
        ]

    async def test_lost_response_reconciled_as_invited(self, mock_context, no_sleep):
        fake = FakeLuma(script=["drop"], landed_status="invited").answering(mock_context)
        result = await run("send_invites", {"event_api_id": EVENT_ID, "guests": emails(20)}, mock_context)
        assert len(fake.posts) == 1
        assert result.result.data["invited_count"] == 20

    async def test_a_thousand_emails_are_accepted(self, mock_context):
        fake = FakeLuma(landed_status="invited").answering(mock_context)
        result = await run("send_invites", {"event_api_id": EVENT_ID, "guests": emails(1000)}, mock_context)
        assert result.type == ResultType.ACTION
        assert result.result.data["invited_count"] == 1000 and len(fake.posts) == 10
        assert fake.max_in_flight == 10, "ten batches of 100, all on their way together"
        assert fake.reads == ["/v1/events/guests/list"] and fake.gets == []

    async def test_lost_answer_reports_an_earlier_guest_as_already_there(self, mock_context, no_sleep):
        old = [guest_record("person003@example.com", status="invited")]
        fake = FakeLuma(existing=old, script=["lost"], landed_status="invited").answering(mock_context)
        data = await batch("send_invites", emails(20), mock_context)
        assert [len(p["guests"]) for p in fake.posts] == [19], "the pre-check keeps the earlier guest out"
        assert {"email": "person003@example.com"} not in fake.posts[0]["guests"]
        assert counts(data, "unconfirmed", "already_guest") == (19, 1)
        assert data["results"][3]["status"] == "already_guest"

    async def test_omits_message_when_not_given(self, mock_context):
        fake = FakeLuma(landed_status="invited").answering(mock_context)
        await run("send_invites", {"event_api_id": EVENT_ID, "guests": emails(11)}, mock_context)
        assert set(fake.posts[0]) == {"event_id", "guests"}

    async def test_malformed_email_rejected_before_sending(self, mock_context):
        result = await run(
            "send_invites", {"event_api_id": EVENT_ID, "guests": [{"email": "a b@example.com"}]}, mock_context
        )
        assert result.type == ResultType.ACTION_ERROR
        assert "not a valid email" in result.result.message
        assert_nothing_sent(mock_context)

    @pytest.mark.parametrize(
        "inputs",
        [
            {"event_api_id": EVENT_ID, "guests": ["a@example.com"], "message": "x" * 201},
            {"event_api_id": EVENT_ID, "guests": []},
            {"event_api_id": EVENT_ID, "guests": ["a@example.com"], "send_email": True},
        ],
    )
    async def test_schema_rejects_bad_input_before_sending(self, mock_context, inputs):
        result = await run("send_invites", inputs, mock_context)
        assert result.type == ResultType.VALIDATION_ERROR
        assert_nothing_sent(mock_context)


def test_send_limit_messages_are_recognised():
    assert guest_actions.send_limit_advice("Weekly invite limit reached") == guest_actions.SEND_LIMIT_ADVICE
    assert guest_actions.send_limit_advice("You have used your sending quota") == guest_actions.SEND_LIMIT_ADVICE
    assert guest_actions.send_limit_advice("Event is at capacity") == guest_actions.CAPACITY_ADVICE
    assert guest_actions.send_limit_advice("Guest full name is required") is None
    assert guest_actions.send_limit_advice(None) is None


class TestFirstError:
    """find_guests reports one error from its TaskGroup: the first LumaError in the order the look-ups failed."""

    def test_first_luma_error_wins_over_earlier_other_errors_and_later_luma_errors(self):
        forbidden = helpers.LumaPermissionError("forbidden")
        later = helpers.LumaAuthError("bad key")
        group = ExceptionGroup("look-ups", [ValueError("odd"), ExceptionGroup("inner", [forbidden]), later])
        assert guest_actions.first_error(group) is forbidden

    def test_without_luma_errors_the_first_error_is_reported(self):
        first, last = ValueError("first"), KeyError("last")
        assert guest_actions.first_error(ExceptionGroup("look-ups", [first, last])) is first

    async def test_two_failing_lookups_report_the_first_to_fail(self, mock_context):
        failed_lookups = []

        async def fetch(url, method="GET", **kwargs):
            if path_of_url(url) == "/v1/events/guests/list":
                return long_list_page()
            email = dict(parse_qsl(urlsplit(url).query))["id"]
            await asyncio.sleep(0)
            if email == "a@example.com":
                await asyncio.sleep(0)  # started first, fails second (before the group can cancel it)
                failed_lookups.append(email)
                raise luma_error(401, "Key revoked")
            failed_lookups.append(email)
            raise luma_error(403, "No access to this event")

        mock_context.fetch.side_effect = fetch
        result = await run(
            "add_guests", {"event_api_id": EVENT_ID, "guests": ["a@example.com", "b@example.com"]}, mock_context
        )
        assert failed_lookups == ["b@example.com", "a@example.com"]  # two failures reached the TaskGroup
        assert result.type == ResultType.ACTION_ERROR
        assert "No access to this event" in result.result.message and "Key revoked" not in result.result.message


@pytest.mark.parametrize("action", ["add_guests", "send_invites"])
async def test_more_than_1000_guests_is_a_short_clear_error(mock_context, action):
    result = await run(action, {"event_api_id": EVENT_ID, "guests": emails(1001)}, mock_context)
    assert result.type == ResultType.ACTION_ERROR
    assert "guests has 1001 entries; at most 1000 fit in one call" in result.result.message
    assert len(result.result.message) < 300
    assert_nothing_sent(mock_context)
