"""The polling triggers with a mocked context.fetch: what each sends, what it reports, what it never reports twice,
and how a poll that cannot finish fails instead of reporting part of the changes."""

import asyncio
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest
from autohive_integrations_sdk.integration import ValidationError

import helpers
from luma import luma
from luma_integration import TriggerError
from operations import changes
from tests.support.fakes import TEST_API_KEY, listed, luma_error, ok, page, path_of, query_of, requests, sent_url
from tests.support.samples import EVENT, NOW, contact, guest_record
from validation import to_luma_datetime

pytestmark = pytest.mark.unit

GUESTS = "/v1/events/guests/list"
EVENTS = "/v1/calendars/events/list"
EVENT_GET = "/v1/events/get"
CONTACTS = "/v1/calendars/contacts/list"
SINCE = "2026-02-01T11:55:00.000Z"


def at(minutes: float) -> str:
    """A Luma time `minutes` after the last poll (SINCE, five minutes before NOW; negative: before it)."""
    return to_luma_datetime(NOW - timedelta(minutes=5) + timedelta(minutes=minutes))


def guest(name: str, registered: str | None, status: str = "approved", tickets: list | None = None, **extra) -> dict:
    record = guest_record(f"{name}@example.com", status, gid=f"gst-{name}", at=registered or SINCE)
    record.update(registered_at=registered, event_tickets=tickets or [], **extra)
    return record


def ticket(tid: str, name: str = "General", amount: int = 0, currency: str | None = None, **extra) -> dict:
    return {
        "id": tid,
        "name": name,
        "event_ticket_type_id": extra.pop("type_id", f"ttype-{name.lower()}"),
        "amount": amount,
        "amount_discount": extra.pop("discount", 0),
        "amount_tax": extra.pop("tax", 0),
        "currency": currency,
        "checked_in_at": extra.pop("checked_in_at", None),
        "is_captured": extra.pop("is_captured", True),
    }


def event(n: int, **extra) -> dict:
    return {**EVENT, "id": f"evt-{n}", "name": f"Event {n}", **extra}


async def poll(name: str, inputs: dict, last_poll_ts: str | None, ctx) -> list[dict]:
    """One poll as the platform runs it: inputs tidied and validated, each record's data checked against the
    trigger's output schema."""
    return await luma.execute_polling_trigger(name, inputs, last_poll_ts, ctx)


def params(call) -> dict[str, list[str]]:
    return parse_qs(urlsplit(sent_url(call)).query)


def routed(answers: dict):
    """A fetch that answers by route and event: {(path, event_id or None): answer or [answers]}."""
    calls: list[tuple[str, str | None]] = []

    async def fetch(url, **kwargs):
        await asyncio.sleep(0)
        path = urlsplit(url).path
        event_id = (parse_qs(urlsplit(url).query).get("event_id") or [None])[0]
        calls.append((path, event_id))
        answer = answers[(path, event_id)]
        if isinstance(answer, list):
            answer = answer.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return answer

    fetch.calls = calls
    return fetch


@pytest.fixture(autouse=True)
def pinned_now(fixed_now):
    """The trigger's clock reads samples.NOW: the first poll's window ends there."""


# ---- every trigger ------------------------------------------------------------------------------------------


class TestPollMachinery:
    async def test_a_first_poll_reports_the_last_hour_and_reads_one_small_page(self, mock_context):
        mock_context.fetch.side_effect = [
            page([guest("new", at(0)), guest("hour", at(-54)), guest("older", at(-70)), guest("oldest", at(-600))]),
            ok(event(1)),
        ]
        records = await poll("new_guest", {"event_api_id": "evt-1"}, None, mock_context)
        assert [r["data"]["guest_api_id"] for r in records] == ["gst-hour", "gst-new"]
        guests_call = mock_context.fetch.call_args_list[0]
        assert path_of(guests_call) == GUESTS
        assert sorted(query_of(guests_call)) == sorted(
            [
                ("event_id", "evt-1"),
                ("sort_column", "registered_at"),
                ("sort_direction", "desc nulls last"),
                ("pagination_limit", str(changes.FIRST_PAGE)),
            ]
        )

    async def test_only_changes_after_the_last_poll_are_reported(self, mock_context):
        # Each window ends VISIBILITY_LAG before its poll started, and the next starts there: the last poll (at
        # SINCE) reported up to SINCE - lag, so this one reports what is newer than that.
        lag = changes.VISIBILITY_LAG.total_seconds() / 60
        mock_context.fetch.side_effect = [
            page([guest("after", at(-lag + 0.001)), guest("exactly", at(-lag)), guest("before", at(-1))]),
            ok(event(1)),
        ]
        records = await poll("new_guest", {"event_api_id": "evt-1"}, SINCE, mock_context)
        assert [r["data"]["guest_api_id"] for r in records] == ["gst-after"]

    async def test_a_change_made_after_the_poll_started_is_left_to_the_next_poll(self, mock_context, monkeypatch):
        # Registered while this poll ran (after NOW, when it started): the next poll, from NOW, reports it, so the
        # two polls never both report it, with or without the platform's de-duplication.
        late, early = guest("late", at(4.99)), guest("early", at(4))
        mock_context.fetch.side_effect = [page([late, early]), ok(event(1))]
        first = await poll("new_guest", {"event_api_id": "evt-1"}, SINCE, mock_context)
        monkeypatch.setattr(helpers, "_utc_now", lambda: NOW + timedelta(minutes=5))
        mock_context.fetch.side_effect = [page([late, early]), ok(event(1))]
        second = await poll("new_guest", {"event_api_id": "evt-1"}, to_luma_datetime(NOW), mock_context)
        assert [r["data"]["guest_api_id"] for r in first] == ["gst-early"]
        assert [r["data"]["guest_api_id"] for r in second] == ["gst-late"]

    async def test_an_entry_without_an_id_is_passed_over(self, mock_context):
        mock_context.fetch.side_effect = [page([guest("ana", at(2)), {**guest("x", at(1)), "id": None}]), ok(event(1))]
        records = await poll("new_guest", {"event_api_id": "evt-1"}, SINCE, mock_context)
        assert [r["data"]["guest_api_id"] for r in records] == ["gst-ana"]

    async def test_a_last_poll_without_offset_is_utc(self, mock_context):
        mock_context.fetch.side_effect = [page([guest("new", at(1)), guest("old", at(-1))]), ok(event(1))]
        records = await poll("new_guest", {"event_api_id": "evt-1"}, "2026-02-01T11:55:00", mock_context)
        assert [r["data"]["guest_api_id"] for r in records] == ["gst-new"]

    async def test_a_malformed_last_poll_is_refused_before_anything_is_sent(self, mock_context):
        for name in sorted(luma.config.polling_triggers):
            with pytest.raises(TriggerError, match="last_poll_ts 'yesterday' is not an ISO 8601 date-time"):
                await poll(name, {}, "yesterday", mock_context)
        mock_context.fetch.assert_not_called()

    async def test_pages_past_a_full_first_page_and_reports_each_change_once_oldest_first(self, mock_context):
        # 30 registrations since the last poll: the first page of 25 is all new, so the next page is read with
        # Luma's largest page size. A registration arriving between the reads pushes "g24" onto page two as well.
        newest = [guest(f"g{n:02d}", at(4.9 - n * 0.1)) for n in range(30)]
        mock_context.fetch.side_effect = [
            page(newest[:25], next_cursor="c1"),
            page([newest[24], *newest[25:], guest("old", at(-1))]),
            ok(event(1)),
        ]
        records = await poll("new_guest", {"event_api_id": "evt-1"}, SINCE, mock_context)
        assert [r["data"]["guest_api_id"] for r in records] == [f"gst-g{n:02d}" for n in reversed(range(30))]
        second = mock_context.fetch.call_args_list[1]
        assert ("pagination_cursor", "c1") in query_of(second) and ("pagination_limit", "100") in query_of(second)

    async def test_a_later_page_that_fails_fails_the_poll_instead_of_reporting_part(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = [
            page([guest(f"g{n}", at(20 - n * 0.1)) for n in range(25)], next_cursor="c1"),
            luma_error(503, "down"),
            luma_error(503, "down"),
            luma_error(503, "down"),
        ]
        with pytest.raises(TriggerError) as raised:
            await poll("new_guest", {"event_api_id": "evt-1"}, SINCE, mock_context)
        message = str(raised.value)
        assert "server error (503)" in message and "It reported nothing" in message and "none is lost" in message
        assert mock_context.fetch.call_count == 1 + helpers.GET_ATTEMPTS

    async def test_a_poll_that_runs_out_of_time_says_so_and_reports_nothing(self, mock_context, clock):
        def slow_page(url, **kwargs):
            clock.now += 9  # each page takes 9 s: the third does not fit in the 25 s budget
            return page([guest(f"g{clock.now}", at(4 - clock.now / 1000))], next_cursor=f"c{clock.now}")

        mock_context.fetch.side_effect = slow_page
        with pytest.raises(TriggerError) as raised:
            await poll("new_guest", {"event_api_id": "evt-1"}, SINCE, mock_context)
        assert "before it had read every change: its time budget (25 s) ran out." in str(raised.value)
        assert "none is lost" in str(raised.value)

    async def test_a_lockout_longer_than_the_poll_says_when_to_retry(self, mock_context):
        from autohive_integrations_sdk import RateLimitError

        mock_context.fetch.side_effect = RateLimitError(120, 429, "Too Many Requests", {"message": "slow down"})
        with pytest.raises(TriggerError, match="Retry in 120 seconds") as raised:
            await poll("new_guest", {"event_api_id": "evt-1"}, SINCE, mock_context)
        assert "none is lost" in str(raised.value)
        assert mock_context.fetch.call_count == 1

    async def test_an_unreadable_answer_is_a_clear_error(self, mock_context, no_sleep):
        mock_context.fetch.return_value = ok("<html>Maintenance</html>")
        with pytest.raises(TriggerError, match="something other than JSON") as raised:
            await poll("new_guest", {"event_api_id": "evt-1"}, SINCE, mock_context)
        assert "none is lost" in str(raised.value)

    async def test_a_wrong_event_id_says_what_to_fix(self, mock_context):
        mock_context.fetch.side_effect = luma_error(404, "Event evt-nope not found")
        with pytest.raises(TriggerError) as raised:
            await poll("new_guest", {"event_api_id": " evt-nope "}, SINCE, mock_context)
        message = str(raised.value)
        assert "Luma found nothing at that id (404)" in message and "Event evt-nope not found" in message
        assert "none is lost" not in message, "a wrong id does not pass by polling again"
        assert ("event_id", "evt-nope") in query_of(mock_context.fetch.call_args)

    async def test_the_key_never_appears_in_an_error(self, mock_context):
        mock_context.fetch.side_effect = luma_error(401, f"invalid key {TEST_API_KEY}")
        with pytest.raises(TriggerError) as raised:
            await poll("new_guest", {}, SINCE, mock_context)
        assert "rejected the API key (401)" in str(raised.value) and TEST_API_KEY not in str(raised.value)

    async def test_inputs_are_validated_with_one_sentence(self, mock_context):
        with pytest.raises(ValidationError, match="input 'approval_status\\[0\\]' is \"going\""):
            await poll("new_guest", {"approval_status": ["going"]}, SINCE, mock_context)
        with pytest.raises(ValidationError, match="unknown input 'event_id'; did you mean 'event_api_id'"):
            await poll("new_guest", {"event_id": "evt-1"}, SINCE, mock_context)
        with pytest.raises(ValidationError, match="input 'event_api_id' is blank"):
            await poll("guest_checked_in", {"event_api_id": "  "}, SINCE, mock_context)
        mock_context.fetch.assert_not_called()


class TestWatchingTheCalendar:
    async def test_watches_the_next_events_from_a_day_ago_and_names_them_without_another_request(self, mock_context):
        fetch = routed(
            {
                (EVENTS, None): page([event(1), event(2)]),
                (GUESTS, "evt-1"): page([guest("ana", at(1)), guest("old", at(-1))]),
                (GUESTS, "evt-2"): page([guest("ben", at(2))]),
            }
        )
        mock_context.fetch.side_effect = fetch
        records = await poll("new_guest", {}, SINCE, mock_context)
        assert [(r["data"]["event_name"], r["data"]["guest_api_id"]) for r in records] == [
            ("Event 1", "gst-ana"),
            ("Event 2", "gst-ben"),
        ]
        events_call = mock_context.fetch.call_args_list[0]
        assert sorted(query_of(events_call)) == sorted(
            [
                ("after", "2026-01-31T12:00:00.000Z"),
                ("sort_column", "start_at"),
                ("sort_direction", "asc"),
                ("pagination_limit", str(changes.WATCHED_EVENTS)),
            ]
        )
        assert EVENT_GET not in [path for path, _ in fetch.calls]

    async def test_fifty_events_in_steady_state_cost_fifty_one_requests(self, mock_context):
        answers = {(EVENTS, None): page([event(n) for n in range(50)])}
        answers.update({(GUESTS, f"evt-{n}"): page([guest(f"old{n}", at(-3))]) for n in range(50)})
        mock_context.fetch.side_effect = routed(answers)
        assert await poll("new_guest", {}, SINCE, mock_context) == []
        assert mock_context.fetch.call_count == 51, "one to list the events, one small page per event"

    async def test_a_calendar_with_more_events_than_a_poll_watches_is_refused_not_watched_in_part(self, mock_context):
        # A registration on an event past the cap would never be reported: the poll fails whole and says why.
        answers = {(EVENTS, None): page([event(n) for n in range(changes.WATCHED_EVENTS)], next_cursor="more")}
        mock_context.fetch.side_effect = routed(answers)
        with pytest.raises(TriggerError, match="more than 100 events.*with event_api_id"):
            await poll("new_guest", {}, SINCE, mock_context)
        assert mock_context.fetch.call_count == 1

    @staticmethod
    def in_flight_counter(events: int):
        """A fetch listing `events` events whose guest reads overlap; `most` is how many were in flight at once."""
        state = {"in_flight": 0, "most": 0}

        async def fetch(url, **kwargs):
            if urlsplit(url).path == EVENTS:
                return page([event(n) for n in range(events)])
            state["in_flight"] += 1
            state["most"] = max(state["most"], state["in_flight"])
            await asyncio.sleep(0.01)
            state["in_flight"] -= 1
            return page([])

        return fetch, state

    async def test_reads_every_watched_event_at_once(self, mock_context):
        # Two round trips for a poll of every upcoming event: the list, then every event's read together.
        fetch, state = self.in_flight_counter(50)
        mock_context.fetch.side_effect = fetch
        await poll("guest_checked_in", {}, SINCE, mock_context)
        assert state["most"] == 50 == helpers.MAX_IN_FLIGHT <= changes.EVENT_CONCURRENCY

    async def test_reads_no_more_events_at_once_than_the_rate_window_has_left(self, mock_context):
        limiter = helpers.limiter_for(mock_context.auth["credentials"]["api_key"])
        limiter.slots = [[helpers._now()] for _ in range(limiter.limit - 8)]  # 8 requests left in this minute
        fetch, state = self.in_flight_counter(5)
        mock_context.fetch.side_effect = fetch
        await poll("guest_checked_in", {}, SINCE, mock_context)
        # The list took one of the eight: the five events fit, all at once.
        assert state["most"] == 5
        fetch, state = self.in_flight_counter(20)
        limiter.slots = [[helpers._now()] for _ in range(limiter.limit - 8)]
        mock_context.fetch.side_effect = fetch
        # Twenty events with seven requests left: seven go together, the rest would wait a minute for the window,
        # which the poll cannot, so it fails whole (and the next poll covers the same changes).
        with pytest.raises(TriggerError, match="rate limit"):
            await poll("guest_checked_in", {}, SINCE, mock_context)
        assert state["most"] == 7

    async def test_an_event_cancelled_since_it_was_listed_is_skipped(self, mock_context):
        mock_context.fetch.side_effect = routed(
            {
                (EVENTS, None): page([event(1), event(2)]),
                (GUESTS, "evt-1"): luma_error(404, "Event evt-1 not found"),
                (GUESTS, "evt-2"): page([guest("ben", at(2))]),
            }
        )
        records = await poll("new_guest", {}, SINCE, mock_context)
        assert [r["data"]["guest_api_id"] for r in records] == ["gst-ben"]

    async def test_one_failing_event_fails_the_whole_poll(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = routed(
            {
                (EVENTS, None): page([event(1), event(2)]),
                (GUESTS, "evt-1"): page([guest("ana", at(1))]),
                (GUESTS, "evt-2"): [luma_error(502, "bad gateway")] * helpers.GET_ATTEMPTS,
            }
        )
        with pytest.raises(TriggerError, match="server error \\(502\\).*none is lost"):
            await poll("new_guest", {}, SINCE, mock_context)


# ---- guests ------------------------------------------------------------------------------------------------


class TestNewGuest:
    async def test_record_is_flat_and_named_for_a_person(self, mock_context):
        registered = guest(
            "ana",
            at(1),
            tickets=[ticket("tkt-1", "VIP", 2500, "usd"), ticket("tkt-2", "VIP", 1500, "usd")],
            registration_answers=[
                {"label": "Company", "question_id": "q1", "value": "Acme", "question_type": "text"},
                {"label": "Dietary needs", "question_id": "q2", "value": "vegan", "question_type": "text"},
            ],
            phone_number="+64211234567",
            utm_source="newsletter",
        )
        mock_context.fetch.side_effect = [page([registered]), ok(event(1))]
        [record] = await poll("new_guest", {"event_api_id": "evt-1"}, SINCE, mock_context)
        assert record == {
            "id": f"gst-ana:registered:{at(1)}",
            "data": {
                "event_api_id": "evt-1",
                "event_name": "Event 1",
                "guest_api_id": "gst-ana",
                "guest_name": "Ana",
                "guest_first_name": None,
                "guest_last_name": None,
                "guest_email": "ana@example.com",
                "approval_status": "approved",
                "registered_at": at(1),
                "ticket_type": "VIP",
                "ticket_types": ["VIP"],
                "phone_number": "+64211234567",
                "ticket_count": 2,
                "amount_cents": 4000,
                "amount": "40.00",
                "currency": "usd",
                "answers": {"Company": "Acme", "Dietary needs": "vegan"},
                "utm_source": "newsletter",
            },
        }
        assert [path_of(call) for call in mock_context.fetch.call_args_list] == [GUESTS, EVENT_GET]

    async def test_nothing_new_costs_one_request(self, mock_context):
        mock_context.fetch.return_value = page([guest("old", at(-1))])
        assert await poll("new_guest", {"event_api_id": "evt-1"}, SINCE, mock_context) == []
        assert mock_context.fetch.call_count == 1

    async def test_a_registration_again_after_declining_is_a_new_record(self, mock_context):
        mock_context.fetch.side_effect = [page([guest("ana", at(1))]), ok(event(1))]
        first = await poll("new_guest", {"event_api_id": "evt-1"}, SINCE, mock_context)
        mock_context.fetch.side_effect = [page([guest("ana", at(4))]), ok(event(1))]
        again = await poll("new_guest", {"event_api_id": "evt-1"}, at(2), mock_context)
        assert first[0]["id"] != again[0]["id"] and first[0]["data"]["guest_api_id"] == again[0]["data"]["guest_api_id"]

    async def test_statuses_filter_the_status_at_the_time_of_the_poll(self, mock_context):
        mock_context.fetch.side_effect = [
            page([guest("ana", at(3)), guest("ben", at(2), "pending_approval"), guest("cy", at(1), "waitlist")]),
            ok(event(1)),
        ]
        inputs = {"event_api_id": "evt-1", "approval_status": ["pending_approval", "waitlist"]}
        records = await poll("new_guest", inputs, SINCE, mock_context)
        assert [r["data"]["guest_api_id"] for r in records] == ["gst-cy", "gst-ben"]

    async def test_invited_guests_who_have_not_registered_end_the_read(self, mock_context):
        # Luma sorts guests without registered_at last ("desc nulls last"): reaching one means nothing newer is left.
        mock_context.fetch.side_effect = [page([guest("ana", at(1)), guest("inv", None, "invited")]), ok(event(1))]
        records = await poll("new_guest", {"event_api_id": "evt-1"}, SINCE, mock_context)
        assert [r["data"]["guest_api_id"] for r in records] == ["gst-ana"]

    @pytest.mark.parametrize(
        "amount, currency, shown",
        [(1500, "jpy", "1500"), (1999, "usd", "19.99"), (12345, "kwd", "12.345"), (5, "solana_usdc", None)],
    )
    async def test_amounts_read_in_the_currencys_units(self, mock_context, amount, currency, shown):
        held = [ticket("t", "A", amount, currency)]
        mock_context.fetch.side_effect = [page([guest("ana", at(1), tickets=held)]), ok(event(1))]
        [record] = await poll("new_guest", {"event_api_id": "evt-1"}, SINCE, mock_context)
        assert (record["data"]["amount_cents"], record["data"]["amount"]) == (amount, shown)


class TestNewTicket:
    async def test_one_record_per_ticket_with_its_type_and_amount(self, mock_context):
        held = [
            ticket("tkt-1", "VIP", 2500, "usd", discount=500, tax=250, is_captured=False),
            ticket("tkt-2", "General"),
        ]
        mock_context.fetch.side_effect = [page([guest("ana", at(1), "pending_approval", held)]), ok(event(1))]
        records = await poll("new_ticket", {"event_api_id": "evt-1"}, SINCE, mock_context)
        assert [r["id"] for r in records] == ["tkt-1", "tkt-2"]
        assert records[0]["data"] == {
            "ticket_id": "tkt-1",
            "event_ticket_type_id": "ttype-vip",
            "ticket_type": "VIP",
            "amount_cents": 2500,
            "amount": "25.00",
            "currency": "usd",
            "discount_cents": 500,
            "tax_cents": 250,
            "is_free": False,
            "payment_captured": False,
            "guest_api_id": "gst-ana",
            "guest_name": "Ana",
            "guest_email": "ana@example.com",
            "approval_status": "pending_approval",
            "registered_at": at(1),
            "event_api_id": "evt-1",
            "event_name": "Event 1",
        }
        assert (records[1]["data"]["is_free"], records[1]["data"]["amount"]) == (True, "0")

    @pytest.mark.parametrize(
        "inputs, wanted",
        [
            ({"event_ticket_type_id": "ttype-vip"}, ["tkt-1"]),
            ({"ticket_type_name": " vip "}, ["tkt-1"]),
            ({"paid_only": True}, ["tkt-1"]),
            ({"ticket_type_name": "General", "paid_only": True}, []),
            ({}, ["tkt-1", "tkt-2"]),
        ],
    )
    async def test_filters(self, mock_context, inputs, wanted):
        held = [ticket("tkt-1", "VIP", 2500, "usd"), ticket("tkt-2", "General")]
        # A ticket type filter is checked against the event's ticket types first: a typo would never fire.
        type_filter = "event_ticket_type_id" in inputs or "ticket_type_name" in inputs
        types = (
            [listed({"id": "ttype-vip", "name": "VIP"}, {"id": "ttype-ga", "name": "General"})] if type_filter else []
        )
        mock_context.fetch.side_effect = [*types, page([guest("ana", at(1), tickets=held)]), ok(event(1))]
        records = await poll("new_ticket", {"event_api_id": "evt-1", **inputs}, SINCE, mock_context)
        assert [r["id"] for r in records] == wanted
        read_event = 1 if wanted else 0  # the event is read only to name a record
        assert mock_context.fetch.call_count == len(types) + 1 + read_event


class TestGuestStatusChanged:
    async def test_every_guest_in_a_reported_status_under_guest_and_status(self, mock_context):
        mock_context.fetch.side_effect = [
            page([guest("ana", at(-900)), guest("inv", None, "invited")], next_cursor="c1"),
            page([guest("ben", at(-5), "declined"), guest("cy", at(-1), "waitlist")]),
            ok(event(1)),
        ]
        records = await poll("guest_status_changed", {"event_api_id": "evt-1"}, SINCE, mock_context)
        assert [r["id"] for r in records] == ["gst-ana:approved", "gst-ben:declined", "gst-cy:waitlist"]
        first = mock_context.fetch.call_args_list[0]
        assert sorted(query_of(first)) == sorted(
            [
                ("event_id", "evt-1"),
                ("sort_column", "created_at"),
                ("sort_direction", "asc"),
                ("pagination_limit", "100"),
            ]
        )

    async def test_a_changed_status_is_a_new_record_and_an_unchanged_one_the_same(self, mock_context):
        mock_context.fetch.side_effect = [page([guest("ana", at(-9), "pending_approval")]), ok(event(1))]
        before = await poll("guest_status_changed", {"event_api_id": "evt-1"}, SINCE, mock_context)
        mock_context.fetch.side_effect = [page([guest("ana", at(-9), "approved")]), ok(event(1))]
        after = await poll("guest_status_changed", {"event_api_id": "evt-1"}, at(5), mock_context)
        assert [before[0]["id"], after[0]["id"]] == ["gst-ana:pending_approval", "gst-ana:approved"]

    async def test_one_status_is_asked_of_luma(self, mock_context):
        mock_context.fetch.side_effect = [page([guest("ana", at(-9))]), ok(event(1))]
        inputs = {"event_api_id": "evt-1", "approval_status": ["approved"]}
        await poll("guest_status_changed", inputs, SINCE, mock_context)
        assert ("approval_status", "approved") in query_of(mock_context.fetch.call_args_list[0])

    async def test_several_statuses_are_filtered_here(self, mock_context):
        mock_context.fetch.side_effect = [page([guest("ana", at(-9)), guest("ben", at(-8), "declined")]), ok(event(1))]
        inputs = {"event_api_id": "evt-1", "approval_status": ["declined", "waitlist"]}
        records = await poll("guest_status_changed", inputs, SINCE, mock_context)
        assert [r["id"] for r in records] == ["gst-ben:declined"]
        assert "approval_status" not in params(mock_context.fetch.call_args_list[0])


class TestGuestCheckedIn:
    async def test_guests_whose_first_ticket_was_scanned_since_the_last_poll(self, mock_context):
        mock_context.fetch.side_effect = [
            page(
                [
                    guest("ana", at(-60), tickets=[ticket("t1", checked_in_at=at(2))]),
                    # First scanned before the last poll, a second ticket after: not a new arrival, read on.
                    guest(
                        "ben", at(-60), tickets=[ticket("t2", checked_in_at=at(-2)), ticket("t3", checked_in_at=at(1))]
                    ),
                    guest("cy", at(-60), tickets=[ticket("t4", checked_in_at=at(0.5)), ticket("t5")]),
                    guest("old", at(-60), tickets=[ticket("t6", checked_in_at=at(-3))]),
                    guest("never", at(-60), tickets=[ticket("t7")]),
                ]
            ),
            ok(event(1)),
        ]
        records = await poll("guest_checked_in", {"event_api_id": "evt-1"}, SINCE, mock_context)
        assert [(r["id"], r["data"]["checked_in_at"]) for r in records] == [
            (f"gst-cy:checked_in:{at(0.5)}", at(0.5)),
            (f"gst-ana:checked_in:{at(2)}", at(2)),
        ]
        assert (records[0]["data"]["ticket_count"], records[0]["data"]["checked_in_ticket_count"]) == (2, 1)
        first = mock_context.fetch.call_args_list[0]
        assert ("sort_column", "checked_in_at") in query_of(first)
        assert ("sort_direction", "desc nulls last") in query_of(first)


# ---- the calendar ------------------------------------------------------------------------------------------


class TestNewEvent:
    async def test_events_created_since_the_last_poll_from_every_page(self, mock_context):
        mock_context.fetch.side_effect = [
            page([event(1, created_at=at(-60)), event(2, created_at=at(3))], next_cursor="c1"),
            page([event(3, created_at=at(1), tags=[{"id": "tag-1", "name": "Community"}])]),
        ]
        records = await poll("new_event", {}, SINCE, mock_context)
        assert [r["id"] for r in records] == ["evt-3", "evt-2"]
        assert records[0]["data"] == {
            "event_api_id": "evt-3",
            "event_name": "Event 3",
            "start_at": "2026-03-01T23:00:00.000Z",
            "end_at": "2026-03-02T01:00:00.000Z",
            "timezone": "America/New_York",
            "url": "https://luma.com/python-meetup",
            "location": None,
            "meeting_url": None,
            "visibility": "public",
            "created_at": at(1),
            "tags": ["Community"],
        }
        first = mock_context.fetch.call_args_list[0]
        assert ("after", "2026-01-31T12:00:00.000Z") in query_of(first)


class TestEventUpdated:
    async def test_the_record_id_changes_only_with_a_watched_field(self, mock_context):
        base = event(1, registration_open=True, spots_remaining=40, geo_address_json={"address": "1 Main St"})
        answers = [
            base,
            {**base, "spots_remaining": 39, "description_md": "new text"},  # neither is watched
            {**base, "name": "Event 1 (moved)"},
            {**base, "spots_remaining": 0},  # full
            {**base, "start_at": "2026-03-01T23:00:00Z"},  # the same instant, spelled otherwise
        ]
        ids = []
        for answer in answers:
            mock_context.fetch.return_value = ok(answer)
            [record] = await poll("event_updated", {"event_api_id": "evt-1"}, SINCE, mock_context)
            ids.append(record["id"])
        assert ids[0] == ids[1] == ids[4]
        assert len({ids[0], ids[2], ids[3]}) == 3
        assert all(item.startswith("evt-1:") for item in ids)
        mock_context.fetch.return_value = ok({**base, "spots_remaining": 0})
        [full] = await poll("event_updated", {"event_api_id": "evt-1"}, SINCE, mock_context)
        assert (full["data"]["capacity_status"], full["data"]["status"], full["data"]["location"]) == (
            "full",
            "scheduled",
            "1 Main St",
        )

    async def test_an_event_gone_after_a_poll_is_reported_gone(self, mock_context):
        mock_context.fetch.side_effect = luma_error(404, "Event evt-1 not found")
        [record] = await poll("event_updated", {"event_api_id": "evt-1"}, SINCE, mock_context)
        # Cancelled (Luma deletes it) or moved to another calendar: from here the two look the same.
        assert record["data"]["status"] == "gone" and record["data"]["event_api_id"] == "evt-1"
        assert record["data"]["event_name"] is None and record["id"].startswith("evt-1:")

    async def test_an_unknown_event_on_a_first_poll_is_an_error(self, mock_context):
        mock_context.fetch.side_effect = luma_error(404, "Event evt-1 not found")
        with pytest.raises(TriggerError, match="Luma found nothing at that id"):
            await poll("event_updated", {"event_api_id": "evt-1"}, None, mock_context)

    async def test_calendar_wide_lists_every_upcoming_event(self, mock_context):
        mock_context.fetch.side_effect = [page([event(1)], next_cursor="c1"), page([event(2)])]
        records = await poll("event_updated", {}, SINCE, mock_context)
        assert [r["data"]["event_api_id"] for r in records] == ["evt-1", "evt-2"]
        assert [path_of(call) for call in mock_context.fetch.call_args_list] == [EVENTS, EVENTS]


class TestNewPerson:
    async def test_people_added_since_the_last_poll_newest_first_with_tags(self, mock_context):
        newer = {
            **contact(2),
            "created_at": at(2),
            "membership": {"status": "approved", "calendar_membership_tier_id": None},
        }
        tags = listed({"id": "tag-vip", "name": "VIP"}, {"id": "tag-sponsor", "name": "Sponsor"})
        mock_context.fetch.side_effect = [
            tags,
            page([newer, {**contact(1), "created_at": at(1)}, {**contact(0), "created_at": at(-1)}]),
        ]
        records = await poll("new_person", {"tags": ["vip", "tag-sponsor"]}, SINCE, mock_context)
        assert [r["id"] for r in records] == [f"cnt-1:{at(1)}", f"cnt-2:{at(2)}"]
        assert records[1]["data"] == {
            "contact_id": "cnt-2",
            "email": "p2@example.com",
            "name": "Person 2",
            "first_name": "Person",
            "last_name": "2",
            "created_at": at(2),
            "tags": ["vip"],
            "membership_status": "approved",
            "event_approved_count": 2,
            "event_checked_in_count": 1,
        }
        # The tags are looked up first, so a name in any case finds its tag and a misspelt one is an error.
        [(_, tags_path, _, _), (method, path, query, _)] = requests(mock_context)
        assert tags_path == "/v1/calendars/contact-tags/list"
        assert (method, path) == ("GET", CONTACTS)
        assert sorted(query) == sorted(
            [
                ("sort_column", "created_at"),
                ("sort_direction", "desc nulls last"),
                ("tags", "tag-vip"),
                ("tags", "tag-sponsor"),
                ("pagination_limit", "25"),
            ]
        )


class TestCalendarEventSubmitted:
    async def test_waiting_submissions(self, mock_context):
        submitter = {"id": "usr-x", "name": "Sam Submitter", "email": "sam@example.com"}
        external = {
            **event(9),
            "platform": "external",
            "id": "calev-new",
            "created_at": at(1),
            "url": "https://partner.example/night",
            "submitted_by": submitter,
        }
        mock_context.fetch.return_value = page(
            [
                {**external, "id": "calev-old", "created_at": at(-1)},
                external,
                {**event(7), "created_at": at(-600), "submitted_by": submitter},
            ]
        )
        records = await poll("calendar_event_submitted", {}, SINCE, mock_context)
        assert [r["id"] for r in records] == ["evt-7", "calev-new"]
        assert records[1]["data"]["event_api_id"] is None and records[0]["data"]["event_api_id"] == "evt-7"
        assert records[1]["data"]["calendar_event_id"] == "calev-new"
        assert records[1]["data"]["submitted_by_email"] == "sam@example.com"
        assert sorted(query_of(mock_context.fetch.call_args)) == sorted(
            [
                ("status", "pending"),
                ("platforms", "luma"),
                ("platforms", "external"),
                ("access", "manage"),
                ("access", "view"),
                ("pagination_limit", "100"),
            ]
        )


# ---- the records the platform gets ------------------------------------------------------------------------


class TestRecordsChecked:
    """Records are checked against the output schema as the SDK checks them, with one compiled validator."""

    @pytest.fixture
    def answered(self, monkeypatch):
        from operations import guest_changes

        def answer(records):
            async def poll_returning(*args, **kwargs):
                return records

            monkeypatch.setattr(guest_changes, "new_guests", poll_returning)

        return answer

    @pytest.mark.parametrize(
        "records, said",
        [
            ([{"data": {}}], "without required 'id' field"),
            ([{"id": "x"}], "without required 'data' field"),
            ([{"id": "x", "data": {"guest_email": "a@b.c"}}], "is a required property"),
            ("not a list", "not a list of records"),
        ],
    )
    async def test_a_record_off_the_schema_is_a_validation_error(self, mock_context, answered, records, said):
        answered(records)
        with pytest.raises(ValidationError, match=said):
            await poll("new_guest", {}, SINCE, mock_context)

    async def test_thousands_of_records_are_checked_in_a_fraction_of_the_budget(self, mock_context):
        fetch = routed(
            {
                (EVENTS, None): page([event(n) for n in range(30)]),
                **{(GUESTS, f"evt-{n}"): page([guest(f"g{n}-{k}", at(-600)) for k in range(100)]) for n in range(30)},
            }
        )
        mock_context.fetch.side_effect = fetch
        started = asyncio.get_running_loop().time()
        records = await poll("guest_status_changed", {}, SINCE, mock_context)
        assert len(records) == 3000
        # The SDK's own check takes about 4 ms a record (12 s here); one compiled validator takes well under 1 s.
        assert asyncio.get_running_loop().time() - started < 3

    async def test_reading_every_guest_out_of_requests_says_how_to_read_fewer(self, mock_context):
        from autohive_integrations_sdk import RateLimitError

        mock_context.fetch.side_effect = RateLimitError(90, 429, "Too Many Requests", {"message": "slow down"})
        with pytest.raises(TriggerError) as raised:
            await poll("guest_status_changed", {}, SINCE, mock_context)
        message = str(raised.value)
        assert "Retry in 90 seconds" in message and "watch one event (event_api_id)" in message
        assert "none is lost" in message


# ---- the parts --------------------------------------------------------------------------------------------


class TestParts:
    def test_money_without_a_currency(self):
        assert changes.money(0, None) == {"amount_cents": 0, "amount": "0", "currency": None}
        assert changes.money(150, None)["amount"] is None
        assert changes.money(150.0, "EUR") == {"amount_cents": 150, "amount": "1.50", "currency": "eur"}

    def test_records_are_unique_and_oldest_first_with_undated_last(self):
        items = [
            changes.record("b", {"t": "2026-02-01T10:00:00Z"}),
            changes.record("a", {"t": None}),
            changes.record("c", {"t": "2026-02-01T09:00:00+00:00"}),
            changes.record("b", {"t": "2026-02-01T10:00:00Z"}),
        ]
        assert [item["id"] for item in changes.in_order(items, lambda data: data["t"])] == ["c", "b", "a"]

    def test_the_first_poll_window_ends_the_lag_before_now(self):
        lag = changes.VISIBILITY_LAG
        assert changes.poll_window(None) == changes.Window(NOW - lag - changes.FIRST_POLL_WINDOW, NOW - lag)
        window = changes.poll_window("2026-02-01T11:55:00+01:00")
        since = datetime(2026, 2, 1, 10, 55, tzinfo=timezone.utc) - lag
        assert window.holds(since + timedelta(milliseconds=1)) and not window.holds(since)
        assert window.holds(NOW - lag) and not window.holds(NOW - lag + timedelta(milliseconds=1))
        assert not window.holds(None)
