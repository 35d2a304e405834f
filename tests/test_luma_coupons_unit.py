"""Coupon actions (list_coupons, create_coupon) with a mocked context.fetch (Autohive conventions)."""

import pytest
from operations import coupons
from autohive_integrations_sdk.integration import ResultType

from tests.support.fakes import assert_input_error, assert_schema_error, endpoints, failed, lost, luma_error, methods
from tests.support.fakes import ok, ok_data, page, requests, run, sent_body, unavailable
from tests.support import samples
from tests.support.samples import COUPON

# The event these tests ask about by id: Luma answers an event read with that event.
EVENT = dict(samples.EVENT, id="evt-1")

pytestmark = [pytest.mark.unit, pytest.mark.usefixtures("fixed_now")]


# ---- list_coupons ------------------------------------------------------------------------------------------


@pytest.fixture
def code_free_before(monkeypatch):
    """No coupon holds the code when the create starts (the look before sending is tested on its own below), so the
    requests each test scripts are the create's own."""

    async def nothing_before(client, place, code):
        return None

    monkeypatch.setattr(coupons, "coupon_before", nothing_before)


class TestListCoupons:
    async def test_defaults_to_100_summaries(self, mock_context):
        mock_context.fetch.return_value = page([COUPON])
        result = await run("list_coupons", {"event_api_id": "evt-abc123"}, mock_context)
        assert result.type == ResultType.ACTION
        summary = {
            "id": "ecp-half",
            "code": "HALF",
            "discount": "50% off",
            "percent_off": 50,
            "remaining_count": 1000000,
        }
        assert result.result.data == {"coupons": [summary], "has_more": False, "next_cursor": None}
        assert requests(mock_context) == [
            ("GET", "/v1/events/coupons/list", [("event_id", "evt-abc123"), ("pagination_limit", "100")], None)
        ]

    async def test_detail_full_is_lumas_whole_coupon(self, mock_context):
        mock_context.fetch.return_value = page([COUPON])
        result = await run("list_coupons", {"event_api_id": "evt-abc123", "detail": "full"}, mock_context)
        assert ok_data(result) == {"coupons": [COUPON], "has_more": False, "next_cursor": None}

    async def test_summary_of_an_amount_coupon_with_every_field(self, mock_context):
        coupon = dict(
            COUPON,
            percent_off=None,
            cents_off=499,
            currency="usd",
            remaining_count=0,
            valid_start_at="2026-03-01T00:00:00.000Z",
            valid_end_at="2026-04-01T00:00:00.000Z",
            event_ticket_type_id="ttype-vip",
        )
        mock_context.fetch.return_value = page([coupon])
        (summary,) = ok_data(await run("list_coupons", {"event_api_id": "evt-1"}, mock_context))["coupons"]
        assert summary == {
            "id": "ecp-half",
            "code": "HALF",
            "discount": "4.99 USD off",
            "cents_off": 499,
            "currency": "usd",
            "remaining_count": 0,
            "valid_start_at": "2026-03-01T00:00:00.000Z",
            "valid_end_at": "2026-04-01T00:00:00.000Z",
            "event_ticket_type_id": "ttype-vip",
        }

    @pytest.mark.parametrize(
        ("terms", "words"),
        [
            ({"percent_off": 12.5}, "12.5% off"),
            ({"percent_off": 0}, "0% off"),
            ({"percent_off": None, "cents_off": 1500, "currency": "jpy"}, "1500 JPY off"),
            ({"percent_off": None, "cents_off": 1234, "currency": "kwd"}, "1.234 KWD off"),
            ({"percent_off": None, "cents_off": 5, "currency": "solana_usdc"}, "5 minor units of SOLANA_USDC off"),
        ],
    )
    async def test_summary_says_the_discount_in_words(self, mock_context, terms, words):
        mock_context.fetch.return_value = page([dict(COUPON, **terms)])
        (summary,) = ok_data(await run("list_coupons", {"event_api_id": "evt-1"}, mock_context))["coupons"]
        assert summary["discount"] == words

    async def test_detail_must_be_summary_or_full(self, mock_context):
        result = await run("list_coupons", {"event_api_id": "evt-1", "detail": "everything"}, mock_context)
        assert_schema_error(result, mock_context)

    async def test_all_pages_up_to_limit(self, mock_context):
        first = [dict(COUPON, id=f"ecp-{i}", code=f"C{i}") for i in range(100)]
        second = [dict(COUPON, id=f"ecp-{i}", code=f"C{i}") for i in range(100, 130)]
        mock_context.fetch.side_effect = [page(first, "c1"), page(second)]
        result = await run("list_coupons", {"event_api_id": "evt-1", "limit": 500}, mock_context)
        data = result.result.data
        assert len(data["coupons"]) == 130 and data["has_more"] is False and data["next_cursor"] is None
        assert requests(mock_context)[1][2] == [
            ("event_id", "evt-1"),
            ("pagination_limit", "100"),
            ("pagination_cursor", "c1"),
        ]

    async def test_stops_at_limit_with_cursor(self, mock_context):
        mock_context.fetch.return_value = page([COUPON, COUPON], "c2")
        result = await run("list_coupons", {"event_api_id": "evt-1", "limit": 2, "cursor": "c1"}, mock_context)
        assert result.result.data["has_more"] is True and result.result.data["next_cursor"] == "c2"
        assert requests(mock_context)[0][2] == [
            ("event_id", "evt-1"),
            ("pagination_limit", "2"),
            ("pagination_cursor", "c1"),
        ]

    async def test_limit_bounds(self, mock_context):
        result = await run("list_coupons", {"event_api_id": "evt-1", "limit": 1001}, mock_context)
        assert_schema_error(result, mock_context)

    async def test_unknown_event(self, mock_context):
        mock_context.fetch.side_effect = luma_error(404, "Event evt-x not found")
        result = await run("list_coupons", {"event_api_id": "evt-x"}, mock_context)
        assert result.type == ResultType.ACTION_ERROR and "Event evt-x not found" in result.result.message


# ---- create_coupon -----------------------------------------------------------------------------------------


@pytest.mark.usefixtures("code_free_before")
class TestCreateCoupon:
    HALF = {"event_api_id": "evt-1", "code": "HALF", "percent_off": 50}

    async def test_percent_coupon_defaults_to_unlimited(self, mock_context):
        mock_context.fetch.return_value = ok(COUPON)
        result = await run("create_coupon", self.HALF, mock_context)
        assert result.type == ResultType.ACTION
        assert result.result.data == {"coupon": COUPON, "already_existed": False}
        discount = {"discount_type": "percent", "percent_off": 50}
        body = {"event_id": "evt-1", "code": "HALF", "discount": discount, "remaining_count": 1000000}
        assert requests(mock_context) == [("POST", "/v1/events/coupons/create", [], body)]

    async def test_amount_coupon_with_every_field(self, mock_context):
        # A time without offset is read in the event's time zone (America/New_York, on daylight time by March 31).
        mock_context.fetch.side_effect = [ok(EVENT), ok(COUPON)]
        inputs = {
            "event_api_id": "evt-1",
            "code": "FIVEOFF",
            "cents_off": 500,
            "currency": "usd",
            "remaining_count": 0,
            "valid_start_at": "2026-03-01T09:00:00+13:00",
            "valid_end_at": "2026-03-31T00:00:00",
            "event_ticket_type_id": "ttype-vip",
        }
        await run("create_coupon", inputs, mock_context)
        assert requests(mock_context) == [
            ("GET", "/v1/events/get", [("event_id", "evt-1")], None),
            (
                "POST",
                "/v1/events/coupons/create",
                [],
                {
                    "event_id": "evt-1",
                    "code": "FIVEOFF",
                    "discount": {"discount_type": "amount", "cents_off": 500, "currency": "usd"},
                    "remaining_count": 0,
                    "valid_start_at": "2026-02-28T20:00:00.000Z",
                    "valid_end_at": "2026-03-31T04:00:00.000Z",
                    "event_ticket_type_id": "ttype-vip",
                },
            ),
        ]

    @pytest.mark.parametrize(
        ("amount", "currency", "cents"), [("4.99", "usd", 499), (500, "jpy", 500), (5, "gbp", 500)]
    )
    async def test_decimal_amount_converted_exactly(self, mock_context, amount, currency, cents):
        mock_context.fetch.return_value = ok(COUPON)
        inputs = {"event_api_id": "evt-1", "code": "OFF", "amount_off": amount, "currency": currency}
        await run("create_coupon", inputs, mock_context)
        assert requests(mock_context)[0][3]["discount"] == {
            "discount_type": "amount",
            "cents_off": cents,
            "currency": currency,
        }

    @pytest.mark.parametrize(
        ("extra", "words"),
        [
            ({}, ["Give a discount"]),
            ({"percent_off": 10, "cents_off": 100, "currency": "usd"}, ["not both"]),
            ({"percent_off": 10, "amount_off": "1", "currency": "usd"}, ["not both"]),
            ({"cents_off": 100, "amount_off": "1", "currency": "usd"}, ["cents_off", "amount_off"]),
            ({"percent_off": 10, "currency": "usd"}, ["currency"]),
            ({"cents_off": 100}, ["currency"]),
            ({"amount_off": "1.001", "currency": "usd"}, ["1.001", "USD"]),
            ({"amount_off": "1", "currency": "solana_usdc"}, ["solana_usdc", "cents_off"]),
            (
                {"percent_off": 5, "valid_start_at": "2026-03-02T00:00:00Z", "valid_end_at": "2026-03-01T00:00:00Z"},
                ["valid_end_at", "after"],
            ),
            ({"percent_off": 5, "valid_end_at": "end of march"}, ["valid_end_at", "ISO 8601"]),
        ],
    )
    async def test_invalid_input_is_refused_before_sending(self, mock_context, extra, words):
        result = await run("create_coupon", dict(extra, event_api_id="evt-1", code="CODE"), mock_context)
        assert_input_error(result, mock_context, *words)

    @pytest.mark.parametrize(
        "extra",
        [
            {"percent_off": 101},
            {"percent_off": -1},
            {"code": "A" * 21, "percent_off": 5},
            {"code": "", "percent_off": 5},
            {"code": "TWO WORDS", "percent_off": 5},
            {"cents_off": -100, "currency": "usd"},
            {"amount_off": "-1", "currency": "usd"},
            {"cents_off": 100, "currency": "xyz"},
            {"cents_off": 9007199254740992, "currency": "usd"},
            {"percent_off": 5, "remaining_count": 1000001},
            {"percent_off": 5, "remaining_count": -1},
        ],
    )
    async def test_schema_rejects(self, mock_context, extra):
        inputs = {"event_api_id": "evt-1", "code": "CODE", **extra}
        assert_schema_error(await run("create_coupon", inputs, mock_context), mock_context)

    async def test_longest_code_is_accepted(self, mock_context):
        mock_context.fetch.return_value = ok(dict(COUPON, code="A" * 20))
        result = await run("create_coupon", {"event_api_id": "evt-1", "code": "A" * 20, "percent_off": 0}, mock_context)
        assert result.type == ResultType.ACTION

    async def test_lost_response_finds_the_code_case_insensitively(self, mock_context, no_sleep):
        stored = dict(COUPON, code="half")
        other = dict(COUPON, id="ecp-other", code="OTHER")
        mock_context.fetch.side_effect = [lost(), page([other], "c1"), page([stored])]
        result = await run("create_coupon", self.HALF, mock_context)
        assert result.result.data == {"coupon": stored, "already_existed": False}
        sent = requests(mock_context)
        assert [(r[0], r[1]) for r in sent] == [
            ("POST", "/v1/events/coupons/create"),
            ("GET", "/v1/events/coupons/list"),
            ("GET", "/v1/events/coupons/list"),
        ]

    @pytest.mark.parametrize(
        ("inputs", "found"),
        [
            ({"percent_off": 50}, {"percent_off": 10}),
            ({"percent_off": 50}, {"percent_off": None, "cents_off": 50, "currency": "usd"}),
            ({"cents_off": 500, "currency": "usd"}, {"percent_off": None, "cents_off": 400, "currency": "usd"}),
            ({"cents_off": 500, "currency": "usd"}, {"percent_off": None, "cents_off": 500, "currency": "eur"}),
            ({"percent_off": 50, "remaining_count": 10}, {"remaining_count": 1000000}),
            ({"percent_off": 50}, {"remaining_count": 10}),
            ({"percent_off": 50, "event_ticket_type_id": "ttype-vip"}, {"event_ticket_type_id": None}),
            ({"percent_off": 50}, {"event_ticket_type_id": "ttype-vip"}),
            ({"percent_off": 50, "valid_end_at": "2026-03-31T00:00:00Z"}, {"valid_end_at": None}),
        ],
    )
    async def test_lost_response_same_code_other_terms_is_an_error(self, mock_context, no_sleep, inputs, found):
        existing = dict(COUPON, id="ecp-old", code="half", **found)
        mock_context.fetch.side_effect = [unavailable(), page([existing])]
        result = await run("create_coupon", dict(inputs, event_api_id="evt-1", code="HALF"), mock_context)
        assert result.type == ResultType.ACTION_ERROR, result.result
        message = result.result.message
        for words in ("'half' already exists", "evt-1", "different terms", "case-insensitive", "ecp-old"):
            assert words in message
        assert "may or may not" not in message
        assert methods(mock_context) == ["POST", "GET"]

    async def test_lost_response_matches_amount_with_currency_in_any_case(self, mock_context, no_sleep):
        stored = dict(
            COUPON,
            code="fiveoff",
            percent_off=None,
            cents_off=500,
            currency="USD",
            remaining_count=25,
            event_ticket_type_id="ttype-vip",
            valid_end_at="2026-03-31T00:00:00.000Z",
        )
        mock_context.fetch.side_effect = [lost(), page([stored])]
        inputs = {
            "event_api_id": "evt-1",
            "code": "FIVEOFF",
            "cents_off": 500,
            "currency": "usd",
            "remaining_count": 25,
            "event_ticket_type_id": "ttype-vip",
            "valid_end_at": "2026-03-31T00:00:00+00:00",
        }
        result = await run("create_coupon", inputs, mock_context)
        assert result.result.data == {"coupon": stored, "already_existed": False}
        assert methods(mock_context) == ["POST", "GET"]

    async def test_lost_response_not_landed_is_unconfirmed_not_resent(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = [lost(), page([]), page([])]
        result = await run("create_coupon", self.HALF, mock_context)
        assert result.type == ResultType.ACTION_ERROR
        assert "not confirmed" in result.result.message and "list_coupons" in result.result.message
        assert methods(mock_context) == ["POST", "GET", "GET"]

    async def test_recheck_failing_leaves_an_uncertain_error(self, mock_context, no_sleep):
        failure = luma_error(503, "down")
        # Three attempts at the first look, three at the second after the settle delay: Luma stays down.
        mock_context.fetch.side_effect = [lost()] + [failure] * 6
        result = await run("create_coupon", self.HALF, mock_context)
        assert result.type == ResultType.ACTION_ERROR
        assert "not confirmed" in result.result.message and "failed too" in result.result.message
        assert methods(mock_context).count("POST") == 1

    @pytest.mark.parametrize("answer", [{}, {"ok": True}, {"id": 7}])
    async def test_answer_without_id_finds_the_coupon(self, mock_context, answer):
        stored = dict(COUPON, code="half")
        mock_context.fetch.side_effect = [ok(answer), page([stored])]
        result = await run("create_coupon", self.HALF, mock_context)
        assert result.type == ResultType.ACTION, result.result
        assert result.result.data == {"coupon": stored, "already_existed": False}
        assert endpoints(mock_context) == [("POST", "/v1/events/coupons/create"), ("GET", "/v1/events/coupons/list")]

    @pytest.mark.parametrize("lookup", [[page([]), page([])], [unavailable()] * 6])
    async def test_answer_without_id_not_found_is_unconfirmed(self, mock_context, no_sleep, lookup):
        mock_context.fetch.side_effect = [ok({}), *lookup]
        result = await run("create_coupon", self.HALF, mock_context)
        failed(result, "accepted the request (2xx)", "not confirmed", "list_coupons", "evt-1")
        assert methods(mock_context).count("POST") == 1

    async def test_answer_without_id_with_the_code_held_by_other_terms_is_a_conflict(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = [ok({}), page([dict(COUPON, code="half", percent_off=10)])]
        result = await run("create_coupon", self.HALF, mock_context)
        assert result.type == ResultType.ACTION_ERROR
        assert "different terms" in result.result.message and "10% off" in result.result.message
        assert methods(mock_context).count("POST") == 1

    @pytest.mark.parametrize("answer", ["<html>ok</html>", [COUPON]])
    async def test_unreadable_2xx_finds_the_coupon(self, mock_context, no_sleep, answer):
        mock_context.fetch.side_effect = [ok(answer), page([COUPON])]
        result = await run("create_coupon", self.HALF, mock_context)
        assert result.type == ResultType.ACTION, result.result
        assert result.result.data == {"coupon": COUPON, "already_existed": False}
        assert methods(mock_context) == ["POST", "GET"]

    async def test_unreadable_2xx_not_found_is_never_resent(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = [ok("<html>ok</html>"), page([]), page([])]
        result = await run("create_coupon", self.HALF, mock_context)
        assert result.type == ResultType.ACTION_ERROR
        assert methods(mock_context) == ["POST", "GET", "GET"]

    async def test_unreadable_2xx_with_code_held_by_other_terms_claims_nothing_about_creation(
        self, mock_context, no_sleep
    ):
        # Luma accepted the write, so "no new coupon was created" cannot be claimed; the terms found are reported.
        existing = dict(COUPON, id="ecp-old", code="half", percent_off=10)
        mock_context.fetch.side_effect = [ok("<html>ok</html>"), page([existing])]
        result = await run("create_coupon", self.HALF, mock_context)
        assert result.type == ResultType.ACTION_ERROR
        message = result.result.message
        assert "different terms" in message and "ecp-old" in message and "no new coupon was created" not in message
        assert methods(mock_context) == ["POST", "GET"]

    async def test_duplicate_code(self, mock_context):
        mock_context.fetch.side_effect = luma_error(400, "Coupon code 'HALF' already exists")
        result = await run("create_coupon", self.HALF, mock_context)
        assert result.type == ResultType.ACTION_ERROR and "already exists" in result.result.message


# ---- create_coupon: agent-sized rules ----------------------------------------------------------------------


@pytest.mark.usefixtures("code_free_before")
class TestCreateCouponRules:
    BASE = {"event_api_id": "evt-1", "code": "HALF"}
    EVENT_GET = ("GET", "/v1/events/get", [("event_id", "evt-1")], None)

    @pytest.mark.parametrize("percent", [0.2, 0.5, 0.999])
    async def test_a_fraction_of_one_percent_is_refused_with_a_hint(self, mock_context, percent):
        result = await run("create_coupon", {**self.BASE, "percent_off": percent}, mock_context)
        assert_input_error(result, mock_context, "20 means 20%", f"{percent}% discount")

    @pytest.mark.parametrize("percent", [0, 1, 1.5, 99.9, 100])
    async def test_zero_and_percentages_from_one_up_are_sent(self, mock_context, percent):
        mock_context.fetch.return_value = ok(dict(COUPON, percent_off=percent))
        assert ok_data(await run("create_coupon", {**self.BASE, "percent_off": percent}, mock_context))
        assert requests(mock_context)[0][3]["discount"] == {"discount_type": "percent", "percent_off": percent}

    async def test_times_without_offset_are_read_in_the_events_time_zone(self, mock_context):
        tokyo = dict(EVENT, timezone="Asia/Tokyo")
        mock_context.fetch.side_effect = [ok(tokyo), ok(COUPON)]
        inputs = {
            **self.BASE,
            "percent_off": 10,
            "valid_start_at": "2026-03-01T09:00",
            "valid_end_at": "2026-03-02T00:00",
        }
        ok_data(await run("create_coupon", inputs, mock_context))
        sent = requests(mock_context)
        assert sent[0] == self.EVENT_GET
        assert (sent[1][3]["valid_start_at"], sent[1][3]["valid_end_at"]) == (
            "2026-03-01T00:00:00.000Z",
            "2026-03-01T15:00:00.000Z",
        )

    async def test_a_time_without_offset_is_ordered_in_the_events_zone(self, mock_context):
        # 10:00 in Auckland is 21:00 UTC the day before: before the end given in UTC.
        mock_context.fetch.side_effect = [ok(dict(EVENT, timezone="Pacific/Auckland")), ok(COUPON)]
        inputs = {
            **self.BASE,
            "percent_off": 10,
            "valid_start_at": "2026-03-01T10:00",
            "valid_end_at": "2026-03-01T05:00Z",
        }
        ok_data(await run("create_coupon", inputs, mock_context))
        assert sent_body(mock_context)["valid_start_at"] == "2026-02-28T21:00:00.000Z"

    async def test_times_with_offsets_need_no_event(self, mock_context):
        mock_context.fetch.return_value = ok(COUPON)
        inputs = {
            **self.BASE,
            "percent_off": 10,
            "valid_start_at": "2026-03-01T09:00Z",
            "valid_end_at": "2026-03-02T00:00+01:00",
        }
        ok_data(await run("create_coupon", inputs, mock_context))
        assert endpoints(mock_context) == [("POST", "/v1/events/coupons/create")]

    async def test_a_malformed_time_is_refused_before_reading_the_event(self, mock_context):
        inputs = {**self.BASE, "percent_off": 10, "valid_start_at": "2026-03-01T09:00", "valid_end_at": "soon"}
        assert_input_error(await run("create_coupon", inputs, mock_context), mock_context, "valid_end_at", "ISO 8601")

    @pytest.mark.parametrize(
        "field, value, example",
        [("valid_end_at", "2027-01-31", "2027-01-31T23:59"), ("valid_end_at", " 2027-01-01 ", "2027-01-01T23:59")],
    )
    async def test_an_end_date_without_a_time_is_refused_before_anything_is_read(
        self, mock_context, field, value, example
    ):
        # A bare end date would be its midnight: "valid until 2027-01-31" would lose the whole of that day.
        inputs = {**self.BASE, "percent_off": 50, field: value}
        result = await run("create_coupon", inputs, mock_context)
        assert_input_error(result, mock_context, field, "no time of day", example, "the event's time zone")

    async def test_a_start_date_without_a_time_is_its_midnight_in_the_events_zone(self, mock_context):
        mock_context.fetch.side_effect = [ok(EVENT), ok(COUPON)]  # America/New_York: UTC-5 in January
        inputs = {**self.BASE, "percent_off": 50, "valid_start_at": " 2027-01-31 "}
        ok_data(await run("create_coupon", inputs, mock_context))
        assert sent_body(mock_context)["valid_start_at"] == "2027-01-31T05:00:00.000Z"

    async def test_a_time_skipped_by_daylight_saving_is_refused(self, mock_context):
        mock_context.fetch.return_value = ok(EVENT)  # America/New_York jumps from 02:00 to 03:00 on 2026-03-08
        inputs = {**self.BASE, "percent_off": 10, "valid_start_at": "2026-03-08T02:30"}
        failed(await run("create_coupon", inputs, mock_context), "does not exist in America/New_York")
        assert methods(mock_context) == ["GET"]

    async def test_an_event_without_a_time_zone(self, mock_context):
        mock_context.fetch.return_value = ok(dict(EVENT, timezone=None))
        inputs = {**self.BASE, "percent_off": 10, "valid_end_at": "2026-03-08T12:00"}
        failed(await run("create_coupon", inputs, mock_context), "time zone", "offset")
        assert methods(mock_context) == ["GET"]


# ---- update_coupon -----------------------------------------------------------------------------------------


class TestUpdateCoupon:
    LIST = ("GET", "/v1/events/coupons/list", [("event_id", "evt-1"), ("pagination_limit", "100")], None)
    STORED = dict(COUPON, code="Half", valid_start_at="2026-03-01T00:00:00.000Z")

    async def test_uses_left_found_by_code_in_any_case(self, mock_context):
        updated = dict(self.STORED, remaining_count=5)
        mock_context.fetch.side_effect = [page([self.STORED]), ok({}), page([updated])]
        result = await run(
            "update_coupon", {"event_api_id": "evt-1", "code": "HALF", "remaining_count": 5}, mock_context
        )
        assert ok_data(result) == {"coupon": updated}
        body = {"event_id": "evt-1", "code": "Half", "remaining_count": 5}
        assert requests(mock_context) == [self.LIST, ("POST", "/v1/events/coupons/update", [], body), self.LIST]

    async def test_validity_without_offset_in_the_events_time_zone(self, mock_context):
        mock_context.fetch.side_effect = [ok(EVENT), page([self.STORED]), ok({}), page([self.STORED])]
        inputs = {"event_api_id": "evt-1", "code": "half", "valid_end_at": "2026-03-31T23:59"}
        ok_data(await run("update_coupon", inputs, mock_context))
        assert endpoints(mock_context)[0] == ("GET", "/v1/events/get")
        assert sent_body(mock_context) == {
            "event_id": "evt-1",
            "code": "Half",
            "valid_end_at": "2026-04-01T03:59:00.000Z",
        }

    async def test_new_end_before_the_current_start_is_refused_before_writing(self, mock_context):
        mock_context.fetch.return_value = page([self.STORED])
        inputs = {"event_api_id": "evt-1", "code": "HALF", "valid_end_at": "2026-02-01T00:00:00Z"}
        failed(await run("update_coupon", inputs, mock_context), "valid_end_at", "the coupon's current valid_start_at")
        assert methods(mock_context) == ["GET"]

    @pytest.mark.parametrize(
        ("extra", "words"),
        [
            ({}, ["Nothing to update", "cannot be changed after creation"]),
            ({"valid_start_at": "2026-03-02T00:00Z", "valid_end_at": "2026-03-01T00:00Z"}, ["valid_end_at", "after"]),
            ({"valid_end_at": "end of march"}, ["valid_end_at", "ISO 8601"]),
            ({"valid_end_at": "2027-01-31"}, ["valid_end_at", "no time of day", "2027-01-31T23:59"]),
            ({"valid_start_at": "2027-01", "remaining_count": 5}, ["valid_start_at", "ISO 8601"]),
        ],
    )
    async def test_invalid_input_is_refused_before_sending(self, mock_context, extra, words):
        result = await run("update_coupon", {"event_api_id": "evt-1", "code": "HALF", **extra}, mock_context)
        assert_input_error(result, mock_context, *words)

    @pytest.mark.parametrize(
        "extra",
        [
            {"percent_off": 10},
            {"cents_off": 100, "currency": "usd"},
            {"event_ticket_type_id": "ttype-vip"},
            {"remaining_count": -1},
            {"remaining_count": 1000001},
            {"code": "TWO WORDS"},
        ],
    )
    async def test_schema_rejects(self, mock_context, extra):
        inputs = {"event_api_id": "evt-1", "code": "HALF", "remaining_count": 1, **extra}
        assert_schema_error(await run("update_coupon", inputs, mock_context), mock_context)

    async def test_no_remaining_count_default_is_filled_in(self, mock_context):
        mock_context.fetch.side_effect = [page([self.STORED]), ok({}), page([self.STORED])]
        inputs = {"event_api_id": "evt-1", "code": "HALF", "valid_start_at": "2026-02-15T00:00:00Z"}
        ok_data(await run("update_coupon", inputs, mock_context))
        assert "remaining_count" not in sent_body(mock_context)

    async def test_unknown_code(self, mock_context):
        mock_context.fetch.return_value = page([dict(COUPON, code="OTHER")])
        result = await run(
            "update_coupon", {"event_api_id": "evt-1", "code": "HALF", "remaining_count": 1}, mock_context
        )
        failed(result, "No coupon with code 'HALF'", "event evt-1", "list_coupons")
        assert methods(mock_context) == ["GET"]

    async def test_lost_answer_confirmed_by_reading_back(self, mock_context, no_sleep):
        updated = dict(self.STORED, remaining_count=5)
        mock_context.fetch.side_effect = [page([self.STORED]), lost(), page([updated])]
        result = await run(
            "update_coupon", {"event_api_id": "evt-1", "code": "half", "remaining_count": 5}, mock_context
        )
        assert ok_data(result) == {"coupon": updated}
        assert methods(mock_context) == ["GET", "POST", "GET"]

    async def test_lost_answer_not_shown_is_unconfirmed_not_resent(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = [page([self.STORED]), lost(), page([self.STORED]), page([self.STORED])]
        result = await run(
            "update_coupon", {"event_api_id": "evt-1", "code": "half", "remaining_count": 5}, mock_context
        )
        failed(result, "not confirmed", "list_coupons")
        assert methods(mock_context) == ["GET", "POST", "GET", "GET"]

    async def test_a_failed_read_after_the_change_answers_what_was_sent(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = [page([self.STORED]), ok({}), *[unavailable()] * 6]
        result = await run(
            "update_coupon", {"event_api_id": "evt-1", "code": "half", "remaining_count": 5}, mock_context
        )
        assert ok_data(result) == {"coupon": dict(self.STORED, remaining_count=5)}
        assert methods(mock_context).count("POST") == 1

    async def test_luma_refusal(self, mock_context):
        mock_context.fetch.side_effect = [page([self.STORED]), luma_error(400, "Invalid remaining_count")]
        result = await run(
            "update_coupon", {"event_api_id": "evt-1", "code": "half", "remaining_count": 5}, mock_context
        )
        failed(result, "Invalid remaining_count")


# ---- list_calendar_coupons ---------------------------------------------------------------------------------


class TestListCalendarCoupons:
    async def test_summaries_without_an_event(self, mock_context):
        coupon = dict(COUPON, id="ccp-1", code="MEMBERS", event_ticket_type_id=None)
        mock_context.fetch.return_value = page([coupon], "c1")
        result = await run("list_calendar_coupons", {"limit": 1}, mock_context)
        summary = {
            "id": "ccp-1",
            "code": "MEMBERS",
            "discount": "50% off",
            "percent_off": 50,
            "remaining_count": 1000000,
        }
        assert ok_data(result) == {"coupons": [summary], "has_more": True, "next_cursor": "c1"}
        assert requests(mock_context) == [("GET", "/v1/calendars/coupons/list", [("pagination_limit", "1")], None)]

    async def test_continues_from_a_cursor_in_full(self, mock_context):
        mock_context.fetch.return_value = page([COUPON])
        result = await run("list_calendar_coupons", {"cursor": "c1", "detail": "full"}, mock_context)
        assert ok_data(result) == {"coupons": [COUPON], "has_more": False, "next_cursor": None}
        assert requests(mock_context)[0][2] == [("pagination_limit", "100"), ("pagination_cursor", "c1")]

    async def test_takes_no_event(self, mock_context):
        assert_schema_error(await run("list_calendar_coupons", {"event_api_id": "evt-1"}, mock_context), mock_context)


# ---- create_calendar_coupon --------------------------------------------------------------------------------


@pytest.mark.usefixtures("code_free_before")
class TestCreateCalendarCoupon:
    MEMBERS = {"code": "MEMBERS", "amount_off": "5", "currency": "eur"}
    CALENDAR = {"id": "cal-main", "name": "Main", "location": {"city": "Paris", "timezone": "Europe/Paris"}}

    async def test_body_has_no_event(self, mock_context):
        mock_context.fetch.return_value = ok(COUPON)
        assert ok_data(await run("create_calendar_coupon", self.MEMBERS, mock_context)) == {
            "coupon": COUPON,
            "already_existed": False,
        }
        body = {
            "code": "MEMBERS",
            "discount": {"discount_type": "amount", "cents_off": 500, "currency": "eur"},
            "remaining_count": 1000000,
        }
        assert requests(mock_context) == [("POST", "/v1/calendars/coupons/create", [], body)]

    async def test_times_without_offset_in_the_calendars_time_zone(self, mock_context):
        mock_context.fetch.side_effect = [ok(self.CALENDAR), ok(COUPON)]
        inputs = {**self.MEMBERS, "valid_start_at": "2026-07-01T00:00"}
        ok_data(await run("create_calendar_coupon", inputs, mock_context))
        assert endpoints(mock_context) == [("GET", "/v1/calendars/get"), ("POST", "/v1/calendars/coupons/create")]
        assert sent_body(mock_context)["valid_start_at"] == "2026-06-30T22:00:00.000Z"

    @pytest.mark.parametrize("location", [None, {"city": "Nowhere", "timezone": "Mars/Olympus"}])
    async def test_times_without_offset_are_utc_when_the_calendar_has_no_zone(self, mock_context, location):
        mock_context.fetch.side_effect = [ok(dict(self.CALENDAR, location=location)), ok(COUPON)]
        inputs = {**self.MEMBERS, "valid_end_at": "2026-07-01T00:00"}
        ok_data(await run("create_calendar_coupon", inputs, mock_context))
        assert sent_body(mock_context)["valid_end_at"] == "2026-07-01T00:00:00.000Z"

    async def test_a_fraction_of_one_percent_is_refused(self, mock_context):
        result = await run("create_calendar_coupon", {"code": "TINY", "percent_off": 0.25}, mock_context)
        assert_input_error(result, mock_context, "20 means 20%", "0.25% discount")

    async def test_lost_answer_finds_the_code_on_the_calendar(self, mock_context, no_sleep):
        stored = dict(COUPON, code="members", percent_off=None, cents_off=500, currency="eur")
        mock_context.fetch.side_effect = [lost(), page([stored])]
        assert ok_data(await run("create_calendar_coupon", self.MEMBERS, mock_context)) == {
            "coupon": stored,
            "already_existed": False,
        }
        assert endpoints(mock_context) == [
            ("POST", "/v1/calendars/coupons/create"),
            ("GET", "/v1/calendars/coupons/list"),
        ]

    async def test_lost_answer_with_the_code_held_by_other_terms(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = [unavailable(), page([dict(COUPON, code="members", percent_off=10)])]
        result = await run("create_calendar_coupon", self.MEMBERS, mock_context)
        failed(result, "already exists on the calendar", "10% off", "list_calendar_coupons")
        assert methods(mock_context) == ["POST", "GET"]

    async def test_lost_answer_not_found_is_unconfirmed(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = [lost(), page([]), page([])]
        failed(
            await run("create_calendar_coupon", self.MEMBERS, mock_context), "not confirmed", "list_calendar_coupons"
        )
        assert methods(mock_context) == ["POST", "GET", "GET"]

    async def test_a_date_without_a_time_is_refused_before_anything_is_read(self, mock_context):
        result = await run("create_calendar_coupon", {**self.MEMBERS, "valid_end_at": "2027-01-31"}, mock_context)
        assert_input_error(result, mock_context, "valid_end_at", "no time of day", "2027-01-31T23:59")

    @pytest.mark.parametrize("extra", [{"event_ticket_type_id": "ttype-vip"}, {"event_api_id": "evt-1"}])
    async def test_takes_no_event_or_ticket_type(self, mock_context, extra):
        result = await run("create_calendar_coupon", {**self.MEMBERS, **extra}, mock_context)
        assert_schema_error(result, mock_context)


# ---- update_calendar_coupon --------------------------------------------------------------------------------


class TestUpdateCalendarCoupon:
    async def test_found_by_code_on_the_calendar(self, mock_context):
        stored = dict(COUPON, code="MEMBERS")
        updated = dict(stored, remaining_count=0, valid_end_at="2026-07-01T00:00:00.000Z")
        mock_context.fetch.side_effect = [
            ok({"id": "cal-main", "location": None}),
            page([stored]),
            ok({}),
            page([updated]),
        ]
        inputs = {"code": "members", "remaining_count": 0, "valid_end_at": "2026-07-01T00:00"}
        assert ok_data(await run("update_calendar_coupon", inputs, mock_context)) == {"coupon": updated}
        body = {"code": "MEMBERS", "remaining_count": 0, "valid_end_at": "2026-07-01T00:00:00.000Z"}
        assert requests(mock_context)[2] == ("POST", "/v1/calendars/coupons/update", [], body)
        assert endpoints(mock_context)[:2] == [("GET", "/v1/calendars/get"), ("GET", "/v1/calendars/coupons/list")]

    async def test_an_end_date_without_a_time_is_refused_before_anything_is_read(self, mock_context):
        result = await run("update_calendar_coupon", {"code": "MEMBERS", "valid_end_at": "2027-01-31"}, mock_context)
        assert_input_error(result, mock_context, "valid_end_at", "no time of day", "2027-01-31T23:59", "calendar's")

    async def test_unknown_code(self, mock_context):
        mock_context.fetch.return_value = page([])
        result = await run("update_calendar_coupon", {"code": "NOPE", "remaining_count": 3}, mock_context)
        failed(result, "No coupon with code 'NOPE'", "the calendar", "list_calendar_coupons")
        assert methods(mock_context) == ["GET"]


class TestCreateCouponLooksFirst:
    async def test_a_coupon_with_the_code_and_these_terms_is_returned_and_nothing_sent(self, mock_context):
        there = dict(COUPON, code="half")
        mock_context.fetch.side_effect = [page([there])]
        data = ok_data(
            await run("create_coupon", {"event_api_id": "evt-1", "code": "HALF", "percent_off": 50}, mock_context)
        )
        assert data == {"coupon": there, "already_existed": True}
        assert methods(mock_context) == ["GET"]

    async def test_a_coupon_with_the_code_and_other_terms_is_an_error_before_sending(self, mock_context):
        mock_context.fetch.side_effect = [page([dict(COUPON, code="half", percent_off=10)])]
        result = await run("create_coupon", {"event_api_id": "evt-1", "code": "HALF", "percent_off": 50}, mock_context)
        failed(result, "already exists", "10% off", "list_coupons")
        assert methods(mock_context) == ["GET"]

    async def test_a_free_code_is_created_and_said_new(self, mock_context):
        mock_context.fetch.side_effect = [page([]), ok(COUPON)]
        data = ok_data(
            await run("create_coupon", {"event_api_id": "evt-1", "code": "HALF", "percent_off": 50}, mock_context)
        )
        assert data == {"coupon": COUPON, "already_existed": False}
        assert methods(mock_context) == ["GET", "POST"]
