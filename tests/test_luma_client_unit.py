"""The Luma client in helpers.py, with a mocked context.fetch (Autohive conventions)."""

from unittest.mock import MagicMock

import aiohttp
import pytest
from autohive_integrations_sdk import FetchResponse, HTTPError, RateLimitError
from autohive_integrations_sdk.integration import ResultType

import helpers
import writes
from helpers import (
    LumaAuthError,
    LumaClient,
    LumaInvalidRequestError,
    LumaNetworkError,
    LumaNotFoundError,
    LumaPermissionError,
    LumaRateLimitError,
    LumaResponseError,
    LumaServerError,
    LumaTimeoutError,
    LumaUnconfirmedWriteError,
)
from luma import luma
from tests.support.fakes import TEST_API_KEY, luma_error, ok, page, production_auth, query_of, sent_url
from tests.support.samples import USER

pytestmark = pytest.mark.unit


class Found:
    """A write check that answers from a list of looks: each is what Luma shows then (None: nothing yet)."""

    checked = "the test's store"
    verify = "Look in the store"

    def __init__(self, *looks):
        self.answers = list(looks)
        self.looks = 0

    async def check(self, client, sent_at):
        self.looks += 1
        found = self.answers[min(self.looks, len(self.answers)) - 1]
        return writes.Landed(found) if found is not None else writes.Absent()


class TestRequests:
    async def test_sends_key_header_and_disables_sdk_retries(self, mock_context):
        mock_context.fetch.return_value = ok(USER)
        await LumaClient(mock_context).get("/v1/users/get-self")
        call = mock_context.fetch.call_args
        assert sent_url(call) == "https://public-api.luma.com/v1/users/get-self"
        assert call.kwargs["method"] == "GET"
        assert call.kwargs["headers"]["x-luma-api-key"] == TEST_API_KEY
        assert call.kwargs["headers"]["accept"] == "application/json"
        # Starting the SDK's retry counter at its maximum means it never re-sends on its own.
        assert call.kwargs["retry_count"] == mock_context.config["max_retries"]
        assert 0 < call.kwargs["timeout"] <= helpers.REQUEST_TIMEOUT_SECONDS

    async def test_base_url_comes_from_environment(self, mock_context, monkeypatch):
        monkeypatch.setenv(helpers.LUMA_API_BASE_ENV, "http://127.0.0.1:9999/")
        mock_context.fetch.return_value = ok(USER)
        await LumaClient(mock_context).get("/v1/users/get-self")
        assert sent_url(mock_context.fetch.call_args) == "http://127.0.0.1:9999/v1/users/get-self"

    async def test_query_is_encoded_with_repeated_keys(self, mock_context):
        mock_context.fetch.return_value = ok({"entries": [], "has_more": False})
        params = {"tags": ["vip", "a&b"], "query": "o'neil + co", "include_hidden": True, "cursor": None}
        await LumaClient(mock_context).get("/v1/calendars/contacts/list", params)
        assert query_of(mock_context.fetch.call_args) == [
            ("tags", "vip"),
            ("tags", "a&b"),
            ("query", "o'neil + co"),
            ("include_hidden", "true"),
        ]
        assert mock_context.fetch.call_args.kwargs.get("params") is None

    async def test_post_sends_json_body(self, mock_context):
        mock_context.fetch.return_value = ok({"id": "evt-1"})
        body = {"name": "Launch", "start_at": "2026-01-01T10:00:00.000Z"}
        assert await LumaClient(mock_context).post("/v1/events/create", body) == {"id": "evt-1"}
        call = mock_context.fetch.call_args
        assert call.kwargs["method"] == "POST"
        assert call.kwargs["json"] == body

    async def test_empty_write_answer_is_an_empty_object(self, mock_context):
        mock_context.fetch.return_value = FetchResponse(status=200, headers={}, data=None)
        assert await LumaClient(mock_context).post("/v1/events/update", {"event_id": "evt-1"}) == {}


class TestAuth:
    async def test_production_shape(self, make_context):
        ctx = make_context(production_auth("key-prod"))
        ctx.fetch.return_value = ok(USER)
        await LumaClient(ctx).get("/v1/users/get-self")
        assert ctx.fetch.call_args.kwargs["headers"]["x-luma-api-key"] == "key-prod"

    async def test_flat_shape(self, make_context):
        ctx = make_context({"api_key": "key-flat"})  # nosec B105
        ctx.fetch.return_value = ok(USER)
        await LumaClient(ctx).get("/v1/users/get-self")
        assert ctx.fetch.call_args.kwargs["headers"]["x-luma-api-key"] == "key-flat"

    @pytest.mark.parametrize(
        "auth",
        [{}, {"auth_type": "Custom", "credentials": {}}, {"credentials": {"api_key": "   "}}, {"api_key": None}, None],
    )
    def test_missing_key_sends_nothing(self, make_context, auth):
        ctx = make_context(auth)
        ctx.auth = auth
        with pytest.raises(LumaAuthError, match="API Keys"):
            LumaClient(ctx)
        ctx.fetch.assert_not_called()

    @pytest.mark.parametrize("key", ["abc\ndef", "abc def", "abc\x00", "clé-ünicode"])
    def test_malformed_key_sends_nothing(self, make_context, key):
        ctx = make_context(production_auth(key))
        with pytest.raises(LumaAuthError, match="paste it again") as caught:
            LumaClient(ctx)
        assert key not in caught.value.message
        ctx.fetch.assert_not_called()

    async def test_missing_key_through_action_is_a_clear_error(self, make_context):
        ctx = make_context({"auth_type": "Custom", "credentials": {"api_key": ""}})
        result = await luma.execute_action("get_self", {}, ctx)
        assert result.type == ResultType.ACTION_ERROR
        assert "No Luma API key" in result.result.message
        ctx.fetch.assert_not_called()


class TestErrors:
    @pytest.mark.parametrize(
        "status, kind, phrase",
        [
            (400, LumaInvalidRequestError, "rejected the request (400)"),
            (401, LumaAuthError, "rejected the API key (401)"),
            (403, LumaPermissionError, "refused access (403)"),
            (404, LumaNotFoundError, "found nothing at that id (404)"),
            (409, LumaInvalidRequestError, "conflict (409)"),
            (422, LumaInvalidRequestError, "could not process the request (422)"),
            (418, LumaInvalidRequestError, "answered 418"),
        ],
    )
    async def test_status_table(self, mock_context, no_sleep, status, kind, phrase):
        mock_context.fetch.side_effect = HTTPError(status, "err", {"message": "Event not accessible"})
        with pytest.raises(kind) as caught:
            await LumaClient(mock_context).get("/v1/events/get", {"event_id": "evt-1"})
        assert phrase in caught.value.message
        assert "Luma said: Event not accessible." in caught.value.message
        assert caught.value.status == status
        assert mock_context.fetch.call_count == 1, "client errors are never retried"

    @pytest.mark.parametrize("status", [500, 502, 503, 504])
    async def test_server_errors(self, mock_context, no_sleep, status):
        mock_context.fetch.side_effect = HTTPError(status, "err", "<html><body><h1>Bad gateway</h1></body></html>")
        with pytest.raises(LumaServerError) as caught:
            await LumaClient(mock_context).get("/v1/users/get-self")
        assert f"server error ({status})" in caught.value.message
        assert "Luma said: Bad gateway." in caught.value.message

    async def test_error_field_is_read_when_no_message(self, mock_context):
        mock_context.fetch.side_effect = HTTPError(400, "err", {"error": "start_at is required"})
        with pytest.raises(LumaInvalidRequestError, match="start_at is required"):
            await LumaClient(mock_context).post("/v1/events/create", {})

    async def test_key_is_never_echoed(self, mock_context):
        mock_context.fetch.side_effect = luma_error(401, f"Invalid key {TEST_API_KEY}")
        with pytest.raises(LumaAuthError) as caught:
            await LumaClient(mock_context).get("/v1/users/get-self")
        assert TEST_API_KEY not in caught.value.message
        assert TEST_API_KEY not in str(caught.value)

    async def test_html_success_body_is_a_response_error(self, mock_context):
        mock_context.fetch.return_value = ok("<html>Maintenance</html>")
        with pytest.raises(LumaResponseError, match="something other than JSON: Maintenance"):
            await LumaClient(mock_context).get("/v1/users/get-self")

    async def test_non_integer_retry_after_is_a_rate_limit(self, mock_context):
        mock_context.fetch.side_effect = ValueError("invalid literal for int() with base 10: 'Wed, 21 Oct'")
        with pytest.raises(LumaRateLimitError, match="Retry in 60 seconds"):
            await LumaClient(mock_context).get("/v1/users/get-self")

    async def test_unexpected_exception_becomes_action_error(self, mock_context):
        mock_context.fetch.side_effect = RuntimeError("boom")
        result = await luma.execute_action("get_self", {}, mock_context)
        assert result.type == ResultType.ACTION_ERROR
        assert "unexpected error (RuntimeError)" in result.result.message


class TestRetryPolicy:
    async def test_get_retried_on_server_error(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = [HTTPError(503, "down", None), ok(USER)]
        assert await LumaClient(mock_context).get("/v1/users/get-self") == USER
        assert mock_context.fetch.call_count == 2
        assert no_sleep.await_count == 1

    async def test_get_retried_on_network_error_and_timeout(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = [aiohttp.ClientConnectionError("reset"), TimeoutError(), ok(USER)]
        assert await LumaClient(mock_context).get("/v1/users/get-self") == USER
        assert mock_context.fetch.call_count == 3
        first, second = (call.args[0] for call in no_sleep.await_args_list)
        assert 0.5 <= first <= 1.0 and 1.0 <= second <= 1.5, "exponential backoff with jitter"

    async def test_get_gives_up_after_three_attempts(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = aiohttp.ServerDisconnectedError()
        with pytest.raises(LumaNetworkError, match="connection to Luma failed"):
            await LumaClient(mock_context).get("/v1/users/get-self")
        assert mock_context.fetch.call_count == helpers.GET_ATTEMPTS

    @pytest.mark.parametrize("failure", [HTTPError(500, "x", None), aiohttp.ClientOSError(), TimeoutError()])
    async def test_post_never_resent_blindly(self, mock_context, no_sleep, failure):
        mock_context.fetch.side_effect = failure
        with pytest.raises(LumaUnconfirmedWriteError, match="was not confirmed"):
            await LumaClient(mock_context).post("/v1/events/create", {"name": "x"})
        assert mock_context.fetch.call_count == 1

    async def test_post_confirmed_when_it_landed(self, mock_context):
        mock_context.fetch.side_effect = aiohttp.ServerDisconnectedError()
        result = await LumaClient(mock_context).post("/v1/events/create", {"name": "x"}, confirm=Found({"id": "evt-1"}))
        assert result == {"id": "evt-1"}
        assert mock_context.fetch.call_count == 1

    async def test_not_found_yet_is_looked_at_again_after_settling_then_never_resent(self, mock_context, no_sleep):
        # A slow write: Luma applies it after the client gave up, so the first look finds nothing.
        mock_context.fetch.side_effect = [HTTPError(504, "Gateway Timeout", None)]
        confirm = Found(None, {"id": "evt-late"})
        result = await LumaClient(mock_context).post("/v1/events/create", {"name": "x"}, confirm=confirm)
        assert result == {"id": "evt-late"}
        assert confirm.looks == 2
        assert [call.args[0] for call in no_sleep.await_args_list] == [helpers.SETTLE_SECONDS]
        assert mock_context.fetch.call_count == 1, "a write that may have landed is never sent again"

    @pytest.mark.parametrize(
        "failure", [aiohttp.ServerDisconnectedError(), HTTPError(502, "x", None), TimeoutError(), ok("<html>")]
    )
    async def test_still_absent_after_settling_is_unconfirmed_not_resent(self, mock_context, no_sleep, failure):
        if isinstance(failure, FetchResponse):
            mock_context.fetch.return_value = failure
        else:
            mock_context.fetch.side_effect = failure
        confirm = Found(None, None)
        with pytest.raises(LumaUnconfirmedWriteError) as caught:
            await LumaClient(mock_context).post("/v1/events/create", {"name": "x"}, confirm=confirm)
        message = caught.value.message
        assert "not confirmed" in message and "Checking the test's store (twice) did not show it" in message
        assert "It was not sent again" in message and "Look in the store before retrying" in message
        assert confirm.looks == 2
        assert mock_context.fetch.call_count == 1

    async def test_unreadable_answer_to_a_write_is_confirmed_not_resent(self, mock_context):
        mock_context.fetch.return_value = ok("<html>Accepted</html>")
        result = await LumaClient(mock_context).post(
            "/v1/events/create", {"name": "x"}, confirm=Found({"id": "evt-found"})
        )
        assert result == {"id": "evt-found"}
        assert mock_context.fetch.call_count == 1

    async def test_answer_without_the_id_a_create_needs_is_confirmed(self, mock_context):
        mock_context.fetch.return_value = ok({})
        result = await LumaClient(mock_context).post(
            "/v1/events/create", {"name": "x"}, confirm=Found({"id": "evt-found"}), expect_id=True
        )
        assert result == {"id": "evt-found"}

    async def test_unconfirmed_when_the_check_fails(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = aiohttp.ServerDisconnectedError()

        class Failing(Found):
            async def check(self, client, sent_at):
                raise LumaServerError("still down")

        with pytest.raises(LumaUnconfirmedWriteError, match="failed too"):
            await LumaClient(mock_context).post("/v1/events/create", {"name": "x"}, confirm=Failing(None))
        assert mock_context.fetch.call_count == 1

    async def test_two_candidates_are_never_guessed_between(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = aiohttp.ServerDisconnectedError()

        class TwoFound(Found):
            async def check(self, client, sent_at):
                return writes.Ambiguous([{"id": "evt-a"}, {"id": "evt-b"}])

        with pytest.raises(LumaUnconfirmedWriteError, match="found 2 matching candidates"):
            await LumaClient(mock_context).post("/v1/events/create", {"name": "x"}, confirm=TwoFound(None))

    @pytest.mark.parametrize("attempts", [1, 2])
    async def test_a_connection_that_never_opened_is_sent_again(self, mock_context, no_sleep, attempts):
        refused = aiohttp.ClientConnectorError(MagicMock(), OSError(111, "Connection refused"))
        mock_context.fetch.side_effect = [refused] * attempts + [ok({"id": "evt-1"})]
        assert await LumaClient(mock_context).post("/v1/events/create", {"name": "x"}) == {"id": "evt-1"}
        assert mock_context.fetch.call_count == attempts + 1

    async def test_a_connection_that_never_opens_gives_up_saying_nothing_was_sent(self, mock_context, no_sleep):
        refused = aiohttp.ClientConnectorError(MagicMock(), OSError(111, "Connection refused"))
        mock_context.fetch.side_effect = refused
        with pytest.raises(helpers.LumaConnectError, match="nothing was sent"):
            await LumaClient(mock_context).post("/v1/events/create", {"name": "x"})
        assert mock_context.fetch.call_count == helpers.CONNECT_ATTEMPTS


class TestRateLimit:
    async def test_retry_after_honoured_within_budget(self, mock_context, clock):
        mock_context.fetch.side_effect = [RateLimitError(3, 429, "Rate limit exceeded", ""), ok({"id": "evt-1"})]
        # A 429 means Luma did nothing, so even a write is sent again after the wait.
        assert await LumaClient(mock_context).post("/v1/events/create", {"name": "x"}) == {"id": "evt-1"}
        assert clock.sleeps == [3]
        assert mock_context.fetch.call_count == 2

    async def test_lockout_longer_than_budget_says_when_to_retry(self, mock_context, clock):
        mock_context.fetch.side_effect = RateLimitError(60, 429, "Rate limit exceeded", {"message": "Slow down"})
        with pytest.raises(LumaRateLimitError) as caught:
            await LumaClient(mock_context).get("/v1/users/get-self")
        assert "Retry in 60 seconds" in caught.value.message
        assert caught.value.retry_after == 60
        assert clock.sleeps == []
        assert mock_context.fetch.call_count == 1

    async def test_lockout_carries_over_to_the_next_action(self, mock_context, clock):
        mock_context.fetch.side_effect = RateLimitError(60, 429, "Rate limit exceeded", "")
        with pytest.raises(LumaRateLimitError):
            await LumaClient(mock_context).get("/v1/users/get-self")
        clock.now += 20
        with pytest.raises(LumaRateLimitError, match="Retry in 40 seconds"):
            await LumaClient(mock_context).get("/v1/users/get-self")
        assert mock_context.fetch.call_count == 1, "nothing is sent while the key is locked out"

    async def test_paces_when_luma_says_none_remaining(self, mock_context, clock):
        exhausted = {"X-RateLimit-Limit": "200", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "4"}
        mock_context.fetch.side_effect = [ok(USER, exhausted), ok(USER)]
        client = LumaClient(mock_context)
        await client.get("/v1/users/get-self")
        await client.get("/v1/users/get-self")
        assert clock.sleeps == [4]

    async def test_sliding_window_without_headers(self, mock_context, clock, monkeypatch):
        monkeypatch.setenv(helpers.RATE_LIMIT_ENV, "3")
        mock_context.fetch.return_value = ok(USER)
        client = LumaClient(mock_context, budget_seconds=120)
        for _ in range(4):
            await client.get("/v1/users/get-self")
            clock.now += 1
        assert clock.sleeps == [57.0], "the 4th request waits until the 1st leaves the 60 s window"

    def test_default_limit_is_the_calendar_key_limit(self):
        assert helpers.limiter_for("k").limit == 200

    @pytest.mark.parametrize("value, expected", [("30", 30.0), ("abc", None), (None, None), ("0", 0.0)])
    def test_reset_header_formats(self, value, expected):
        assert helpers._reset_seconds(value) == expected

    def test_reset_header_epoch_forms(self, monkeypatch):
        monkeypatch.setattr(helpers.time, "time", lambda: 1_800_000_000.0)
        assert helpers._reset_seconds("1800000012") == 12.0
        assert helpers._reset_seconds("1800000012000") == 12.0
        assert helpers._reset_seconds("2027-01-15T08:00:12Z") == 12.0


class TestBudget:
    async def test_request_timeout_shrinks_with_the_budget(self, mock_context, clock):
        mock_context.fetch.return_value = ok(USER)
        client = LumaClient(mock_context, budget_seconds=6)
        await client.get("/v1/users/get-self")
        assert mock_context.fetch.call_args.kwargs["timeout"] == pytest.approx(5.0)

    async def test_exhausted_budget_sends_nothing(self, mock_context, clock):
        client = LumaClient(mock_context)
        clock.now += helpers.ACTION_BUDGET_SECONDS
        with pytest.raises(LumaTimeoutError, match="time budget"):
            await client.get("/v1/users/get-self")
        mock_context.fetch.assert_not_called()

    async def test_no_retry_wait_past_the_budget(self, mock_context, clock):
        mock_context.fetch.side_effect = HTTPError(503, "down", None)
        client = LumaClient(mock_context, budget_seconds=3)
        with pytest.raises(LumaServerError):
            await client.get("/v1/users/get-self")
        assert mock_context.fetch.call_count == 1


class TestPagination:
    @staticmethod
    def ids_page(ids, cursor=None):
        return page([{"id": i} for i in ids], cursor)

    async def test_follows_cursors_to_the_end(self, mock_context):
        mock_context.fetch.side_effect = [self.ids_page([1, 2], "c1"), self.ids_page([3, 4], "c2"), self.ids_page([5])]
        result = await LumaClient(mock_context).collect("/v1/events/guests/list", {"event_id": "evt-1"})
        assert [e["id"] for e in result["entries"]] == [1, 2, 3, 4, 5]
        assert result["has_more"] is False and result["next_cursor"] is None
        queries = [dict(query_of(c)) for c in mock_context.fetch.call_args_list]
        assert queries[0] == {"event_id": "evt-1", "pagination_limit": "100"}
        assert queries[1]["pagination_cursor"] == "c1" and queries[2]["pagination_cursor"] == "c2"

    async def test_limit_asks_only_for_what_is_wanted(self, mock_context):
        mock_context.fetch.side_effect = [self.ids_page(range(100), "c1"), self.ids_page(range(100, 130), "c2")]
        result = await LumaClient(mock_context).collect("/v1/events/guests/list", limit=130)
        assert len(result["entries"]) == 130
        assert result == {"entries": result["entries"], "has_more": True, "next_cursor": "c2"}
        limits = [dict(query_of(c))["pagination_limit"] for c in mock_context.fetch.call_args_list]
        assert limits == ["100", "30"]

    async def test_shape_is_applied_page_by_page_and_only_its_result_is_kept(self, mock_context):
        # Streaming: each page is shaped as it arrives, before the next one is asked for, so a long list never
        # holds more than one raw page.
        pages = [self.ids_page([1, 2], "c1"), self.ids_page([3, 4], "c2"), self.ids_page([5])]
        events = []

        async def fetch(*args, **kwargs):
            events.append("fetch")
            return pages.pop(0)

        def shape(entry):
            events.append(entry["id"])
            return {"n": entry["id"] * 10}

        mock_context.fetch.side_effect = fetch
        result = await LumaClient(mock_context).collect("/v1/events/guests/list", shape=shape)
        assert events == ["fetch", 1, 2, "fetch", 3, 4, "fetch", 5]
        assert result == {"entries": [{"n": n} for n in (10, 20, 30, 40, 50)], "has_more": False, "next_cursor": None}

    async def test_a_shaped_list_that_stops_early_keeps_its_shaped_items_and_cursor(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = [self.ids_page([1], "c1")] + [TimeoutError()] * helpers.GET_ATTEMPTS
        result = await LumaClient(mock_context).collect("/v1/events/guests/list", shape=lambda e: e["id"])
        assert result == {"entries": [1], "has_more": True, "next_cursor": "c1"}

    async def test_starts_from_a_given_cursor(self, mock_context):
        mock_context.fetch.side_effect = [self.ids_page([9])]
        await LumaClient(mock_context).collect("/v1/events/guests/list", cursor="abc/+=")
        assert "pagination_cursor=abc%2F%2B%3D" in sent_url(mock_context.fetch.call_args)

    async def test_repeated_cursor_stops_the_loop(self, mock_context):
        mock_context.fetch.side_effect = [self.ids_page([1], "same"), self.ids_page([2], "same")]
        with pytest.raises(LumaResponseError, match="same page cursor twice"):
            await LumaClient(mock_context).collect("/v1/events/guests/list")
        assert mock_context.fetch.call_count == 2

    async def test_has_more_without_cursor_ends(self, mock_context):
        mock_context.fetch.side_effect = [ok({"entries": [{"id": 1}], "has_more": True})]
        result = await LumaClient(mock_context).collect("/v1/events/guests/list")
        assert result == {"entries": [{"id": 1}], "has_more": False, "next_cursor": None}

    async def test_missing_entries_is_a_response_error(self, mock_context):
        mock_context.fetch.return_value = ok({"has_more": False})
        with pytest.raises(LumaResponseError, match="no list of entries"):
            await LumaClient(mock_context).collect("/v1/events/guests/list")

    async def test_stops_early_with_a_cursor_when_time_runs_low(self, mock_context, clock):
        pages = [self.ids_page([1], "c1"), self.ids_page([2], "c2"), self.ids_page([3], "c3")]

        async def slow_fetch(*args, **kwargs):
            clock.now += 8
            return pages.pop(0)

        mock_context.fetch.side_effect = slow_fetch
        result = await LumaClient(mock_context).collect("/v1/events/guests/list")
        # 25 s budget, 8 s a page: after three pages too little is left for a fourth.
        assert result == {"entries": [{"id": 1}, {"id": 2}, {"id": 3}], "has_more": True, "next_cursor": "c3"}
        assert mock_context.fetch.call_count == 3

    async def test_later_page_timeout_keeps_what_was_read(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = [self.ids_page([1, 2], "c1")] + [TimeoutError()] * helpers.GET_ATTEMPTS
        result = await LumaClient(mock_context).collect("/v1/events/guests/list")
        assert result == {"entries": [{"id": 1}, {"id": 2}], "has_more": True, "next_cursor": "c1"}

    async def test_first_page_failure_is_an_error(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = TimeoutError()
        with pytest.raises(LumaTimeoutError):
            await LumaClient(mock_context).collect("/v1/events/guests/list")


class TestFind:
    async def test_reads_pages_only_until_an_entry_matches(self, mock_context):
        mock_context.fetch.side_effect = [TestPagination.ids_page([1, 2], "c1"), TestPagination.ids_page([3, 4], "c2")]
        found = await LumaClient(mock_context).find("/v1/memberships/tiers/list", match=lambda e: e["id"] == 3)
        assert found == {"id": 3}
        assert mock_context.fetch.call_count == 2

    async def test_none_when_no_entry_matches(self, mock_context):
        mock_context.fetch.side_effect = [TestPagination.ids_page([1], "c1"), TestPagination.ids_page([2])]
        client = LumaClient(mock_context)
        assert await client.find("/v1/calendars/contacts/list", {"query": "x"}, match=lambda e: False) is None
        assert [dict(query_of(c))["query"] for c in mock_context.fetch.call_args_list] == ["x", "x"]


class TestOrNone:
    async def test_a_404_is_none_and_other_errors_stay(self, mock_context):
        mock_context.fetch.side_effect = [ok({"id": "evt-1"}), luma_error(404, "Event not found")]
        client = LumaClient(mock_context)
        assert await helpers.or_none(client.get_object("/v1/events/get", {"event_id": "evt-1"})) == {"id": "evt-1"}
        assert await helpers.or_none(client.get_object("/v1/events/get", {"event_id": "evt-2"})) is None
        mock_context.fetch.side_effect = [luma_error(401, "Invalid API key")]
        with pytest.raises(LumaAuthError):
            await helpers.or_none(client.get("/v1/events/get", {"event_id": "evt-3"}))


class TestGetObject:
    @pytest.mark.parametrize("answer", [{}, {"id": 5}, {"id": ""}, {"name": "no id"}])
    async def test_an_object_without_id_is_a_response_error(self, mock_context, answer):
        mock_context.fetch.return_value = ok(answer)
        with pytest.raises(LumaResponseError, match="had no id"):
            await LumaClient(mock_context).get_object("/v1/events/get", {"event_id": "evt-1"})

    async def test_get_self_without_id_is_a_clear_action_error(self, mock_context):
        mock_context.fetch.return_value = ok({"name": "Nobody"})
        result = await luma.execute_action("get_self", {}, mock_context)
        assert result.type == ResultType.ACTION_ERROR
        assert "had no id" in result.result.message


class TestConcurrency:
    def test_a_fresh_window_lets_everything_wanted_go_together(self, mock_context):
        assert LumaClient(mock_context).concurrency(10) == 10

    def test_no_more_than_the_window_has_left(self, mock_context):
        client = LumaClient(mock_context)
        client.limiter.slots = [[helpers._now()] for _ in range(client.limiter.limit - 3)]
        assert client.limiter.free(helpers._now()) == 3
        assert client.concurrency(10) == 3

    def test_slots_that_free_while_the_run_can_wait_count(self, mock_context):
        # A continuation called when the wait it was told is over: the last minute's requests leave the window
        # within seconds, so its work goes at full width (each request waits its turn in the pacer).
        client = LumaClient(mock_context)
        client.limiter.slots = [[helpers._now() - 55] for _ in range(client.limiter.limit)]
        assert client.limiter.free(helpers._now()) == 0
        assert client.concurrency(10) == 10
        # Slots that free only after the run's budget do not count.
        client.limiter.slots = [[helpers._now() - 20] for _ in range(client.limiter.limit)]
        assert client.concurrency(10) == 1

    def test_at_least_one_even_when_the_window_is_full_or_blocked(self, mock_context):
        client = LumaClient(mock_context)
        client.limiter.block(30, helpers._now())
        assert client.limiter.free(helpers._now()) == 0
        assert client.concurrency(10) == 1
