"""Coupon actions (list_coupons, create_coupon) with a mocked context.fetch (Autohive conventions)."""

import pytest
from autohive_integrations_sdk.integration import ResultType

from tests.support.fakes import assert_input_error, assert_schema_error, endpoints, failed, lost, luma_error, methods
from tests.support.fakes import ok, page, requests, run, unavailable
from tests.support.samples import COUPON

pytestmark = [pytest.mark.unit, pytest.mark.usefixtures("fixed_now")]


# ---- list_coupons ------------------------------------------------------------------------------------------


class TestListCoupons:
    async def test_defaults_to_100(self, mock_context):
        mock_context.fetch.return_value = page([COUPON])
        result = await run("list_coupons", {"event_api_id": "evt-abc123"}, mock_context)
        assert result.type == ResultType.ACTION
        assert result.result.data == {"coupons": [COUPON], "has_more": False, "next_cursor": None}
        assert requests(mock_context) == [
            ("GET", "/v1/events/coupons/list", [("event_id", "evt-abc123"), ("pagination_limit", "100")], None)
        ]

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


class TestCreateCoupon:
    HALF = {"event_api_id": "evt-1", "code": "HALF", "percent_off": 50}

    async def test_percent_coupon_defaults_to_unlimited(self, mock_context):
        mock_context.fetch.return_value = ok(COUPON)
        result = await run("create_coupon", self.HALF, mock_context)
        assert result.type == ResultType.ACTION
        assert result.result.data == {"coupon": COUPON}
        discount = {"discount_type": "percent", "percent_off": 50}
        body = {"event_id": "evt-1", "code": "HALF", "discount": discount, "remaining_count": 1000000}
        assert requests(mock_context) == [("POST", "/v1/events/coupons/create", [], body)]

    async def test_amount_coupon_with_every_field(self, mock_context):
        mock_context.fetch.return_value = ok(COUPON)
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
        assert requests(mock_context)[0][3] == {
            "event_id": "evt-1",
            "code": "FIVEOFF",
            "discount": {"discount_type": "amount", "cents_off": 500, "currency": "usd"},
            "remaining_count": 0,
            "valid_start_at": "2026-02-28T20:00:00.000Z",
            "valid_end_at": "2026-03-31T00:00:00.000Z",
            "event_ticket_type_id": "ttype-vip",
        }

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
        assert result.result.data == {"coupon": stored}
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
        assert result.result.data == {"coupon": stored}
        assert methods(mock_context) == ["POST", "GET"]

    async def test_lost_response_not_landed_is_unconfirmed_not_resent(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = [lost(), page([]), page([])]
        result = await run("create_coupon", self.HALF, mock_context)
        assert result.type == ResultType.ACTION_ERROR
        assert "not confirmed" in result.result.message and "list_coupons" in result.result.message
        assert methods(mock_context) == ["POST", "GET", "GET"]

    async def test_recheck_failing_leaves_an_uncertain_error(self, mock_context, no_sleep):
        failure = luma_error(503, "down")
        mock_context.fetch.side_effect = [lost(), failure, failure, failure]
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
        assert result.result.data == {"coupon": stored}
        assert endpoints(mock_context) == [("POST", "/v1/events/coupons/create"), ("GET", "/v1/events/coupons/list")]

    @pytest.mark.parametrize("lookup", [[page([]), page([])], [unavailable()] * 3])
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
        assert result.result.data == {"coupon": COUPON}
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
