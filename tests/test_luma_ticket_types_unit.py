"""Ticket-type actions (list_ticket_types, create_ticket_type) with a mocked context.fetch (Autohive conventions)."""

import pytest
from autohive_integrations_sdk.integration import ResultType

from tests.support.fakes import assert_input_error, assert_schema_error, listed, lost, luma_error, methods, ok, requests
from tests.support.fakes import failed, ok_data, run, sent_body, unavailable
from tests.support.samples import TICKET_TYPE

pytestmark = [pytest.mark.unit, pytest.mark.usefixtures("fixed_now")]


# ---- list_ticket_types -------------------------------------------------------------------------------------


class TestListTicketTypes:
    async def test_hidden_left_out_by_default_and_summaries(self, mock_context):
        mock_context.fetch.return_value = ok({"entries": [TICKET_TYPE]})
        result = await run("list_ticket_types", {"event_api_id": "evt-abc123"}, mock_context)
        assert result.type == ResultType.ACTION
        summary = {"id": "ttype-vip", "name": "VIP", "type": "paid", "cents": 2500, "currency": "usd"}
        summary |= {"price": "25.00", "is_hidden": False}
        assert result.result.data == {"ticket_types": [summary], "has_more": False, "next_cursor": None}
        assert requests(mock_context) == [
            (
                "GET",
                "/v1/events/ticket-types/list",
                [("event_id", "evt-abc123")],
                None,
            )
        ]

    async def test_include_hidden_false_is_not_sent(self, mock_context):
        # Luma types it as a string and may read any non-empty value, "false" included, as true.
        mock_context.fetch.return_value = ok({"entries": []})
        await run("list_ticket_types", {"event_api_id": "evt-abc123", "include_hidden": False}, mock_context)
        assert requests(mock_context)[0][2] == [("event_id", "evt-abc123")]

    async def test_include_hidden_is_sent_as_string(self, mock_context):
        mock_context.fetch.return_value = ok({"entries": []})
        await run("list_ticket_types", {"event_api_id": "evt-abc123", "include_hidden": True}, mock_context)
        assert ("include_hidden", "true") in requests(mock_context)[0][2]

    async def test_include_hidden_must_be_boolean(self, mock_context):
        result = await run("list_ticket_types", {"event_api_id": "evt-1", "include_hidden": "yes"}, mock_context)
        assert_schema_error(result, mock_context)

    async def test_missing_event_id(self, mock_context):
        assert_schema_error(await run("list_ticket_types", {}, mock_context), mock_context)

    async def test_answer_without_entries(self, mock_context):
        mock_context.fetch.return_value = ok({"data": []})
        result = await run("list_ticket_types", {"event_api_id": "evt-abc123"}, mock_context)
        assert result.type == ResultType.ACTION_ERROR and "no list of entries" in result.result.message

    async def test_no_access(self, mock_context):
        mock_context.fetch.side_effect = luma_error(403, "You don't have access")
        result = await run("list_ticket_types", {"event_api_id": "evt-abc123"}, mock_context)
        assert result.type == ResultType.ACTION_ERROR and "403" in result.result.message


# ---- create_ticket_type ------------------------------------------------------------------------------------


class TestCreateTicketType:
    LIST = ("GET", "/v1/events/ticket-types/list", [("event_id", "evt-1"), ("include_hidden", "true")], None)
    VIP = {"event_api_id": "evt-1", "name": "VIP", "type": "paid", "cents": 2500, "currency": "usd"}

    async def test_free(self, mock_context):
        free = dict(TICKET_TYPE, id="ttype-free", name="Community", type="free", cents=None, currency=None)
        mock_context.fetch.side_effect = [listed(TICKET_TYPE), ok(free)]
        inputs = {"event_api_id": "evt-abc123", "name": "Community", "type": "free", "max_capacity": 50}
        result = await run("create_ticket_type", inputs, mock_context)
        assert result.type == ResultType.ACTION
        assert result.result.data == {"ticket_type": free}
        assert requests(mock_context) == [
            ("GET", "/v1/events/ticket-types/list", [("event_id", "evt-abc123"), ("include_hidden", "true")], None),
            (
                "POST",
                "/v1/events/ticket-types/create",
                [],
                {"event_id": "evt-abc123", "name": "Community", "type": "free", "max_capacity": 50},
            ),
        ]

    async def test_paid_with_every_field(self, mock_context):
        mock_context.fetch.side_effect = [listed(), ok(TICKET_TYPE)]
        # Sent as given, but for Luma's name of the event id and a date trimmed to what Luma reads.
        fields = {"name": "VIP", "type": "paid", "cents": 2500, "currency": "usd", "description": "Front row"}
        fields |= {"require_approval": True, "is_hidden": False, "valid_start_at": "2026-02-01"}
        inputs = {"event_api_id": "evt-abc123", **fields, "valid_end_at": " 2026-02-28 "}
        await run("create_ticket_type", inputs, mock_context)
        assert sent_body(mock_context) == {"event_id": "evt-abc123", **fields, "valid_end_at": "2026-02-28"}

    @pytest.mark.parametrize(
        ("price", "currency", "cents"),
        [("19.99", "usd", 1999), (25, "usd", 2500), (0.1, "eur", 10), ("1500", "jpy", 1500), ("1.234", "kwd", 1234)],
    )
    async def test_decimal_price_converted_exactly(self, mock_context, price, currency, cents):
        mock_context.fetch.side_effect = [listed(), ok(TICKET_TYPE)]
        inputs = {"event_api_id": "evt-1", "name": "VIP", "type": "paid", "price": price, "currency": currency}
        result = await run("create_ticket_type", inputs, mock_context)
        assert result.type == ResultType.ACTION
        body = sent_body(mock_context)
        assert body["cents"] == cents and body["currency"] == currency and "price" not in body

    async def test_pay_what_you_want(self, mock_context):
        mock_context.fetch.side_effect = [listed(), ok(TICKET_TYPE)]
        inputs = {
            "event_api_id": "evt-1",
            "name": "Supporter",
            "type": "paid",
            "price": "10",
            "currency": "usd",
            "is_flexible": True,
            "min_cents": 300,
        }
        await run("create_ticket_type", inputs, mock_context)
        body = sent_body(mock_context)
        assert (body["cents"], body["is_flexible"], body["min_cents"]) == (1000, True, 300)

    @pytest.mark.parametrize(
        ("extra", "words"),
        [
            ({"type": "paid", "cents": 500}, ["currency"]),
            ({"type": "paid", "currency": "usd"}, ["price above zero"]),
            ({"type": "paid", "price": "0", "currency": "usd"}, ["price above zero"]),
            ({"type": "paid", "price": "5", "cents": 500, "currency": "usd"}, ["not both"]),
            ({"type": "free", "cents": 500}, ["free", "cents"]),
            ({"type": "free", "currency": "usd"}, ["free", "currency"]),
            ({"type": "free", "is_flexible": True}, ["free", "is_flexible"]),
            ({"type": "paid", "cents": 500, "currency": "usd", "min_cents": 100}, ["is_flexible"]),
            (
                {"type": "paid", "cents": 500, "currency": "usd", "is_flexible": True, "min_cents": 600},
                ["min_cents", "600"],
            ),
            ({"type": "paid", "price": "19.999", "currency": "usd"}, ["19.999", "USD"]),
            ({"type": "paid", "price": "10.5", "currency": "jpy"}, ["10.5", "JPY"]),
            ({"type": "paid", "price": "1", "currency": "solana_sol"}, ["solana_sol", "cents"]),
            ({"type": "paid", "price": "90071992547409.92", "currency": "usd"}, ["larger than any price"]),
            ({"type": "free", "valid_start_at": "2026-03-02", "valid_end_at": "2026-03-01"}, ["valid_end_at"]),
            ({"type": "free", "valid_start_at": "2026-13-01"}, ["2026-13-01", "YYYY-MM-DD"]),
        ],
    )
    async def test_invalid_input_is_refused_before_sending(self, mock_context, extra, words):
        result = await run("create_ticket_type", dict(extra, event_api_id="evt-1", name="VIP"), mock_context)
        assert_input_error(result, mock_context, *words)

    @pytest.mark.parametrize(
        "extra",
        [
            {"type": "donation"},
            {"type": "paid", "price": -5, "currency": "usd"},
            {"type": "paid", "price": "-5", "currency": "usd"},
            {"type": "paid", "price": "5,00", "currency": "usd"},
            {"type": "paid", "cents": -1, "currency": "usd"},
            {"type": "paid", "cents": 10.5, "currency": "usd"},
            {"type": "paid", "cents": 9007199254740992, "currency": "usd"},
            {"type": "paid", "cents": 500, "currency": "usd", "is_flexible": True, "min_cents": 9007199254740992},
            {"type": "free", "valid_start_at": "2026-03-01T10:00:00Z"},
            {"type": "free", "max_capacity": 0},
            {"type": "free", "max_capacity": 1000001},
        ],
    )
    async def test_schema_rejects(self, mock_context, extra):
        result = await run("create_ticket_type", dict(extra, event_api_id="evt-1", name="VIP"), mock_context)
        assert_schema_error(result, mock_context)

    async def test_largest_amounts_are_accepted(self, mock_context):
        mock_context.fetch.side_effect = [listed(), ok(TICKET_TYPE)]
        inputs = {**self.VIP, "cents": 9007199254740991, "max_capacity": 1000000}
        assert (await run("create_ticket_type", inputs, mock_context)).type == ResultType.ACTION
        assert sent_body(mock_context)["cents"] == 9007199254740991

    async def test_lost_response_finds_the_ticket_type(self, mock_context, no_sleep):
        cheaper = dict(TICKET_TYPE, id="ttype-cheap", cents=1000)
        mock_context.fetch.side_effect = [listed(cheaper), lost(), listed(cheaper, TICKET_TYPE)]
        inputs = {"event_api_id": "evt-1", "name": "VIP", "type": "paid", "price": "25", "currency": "usd"}
        result = await run("create_ticket_type", inputs, mock_context)
        assert result.result.data == {"ticket_type": TICKET_TYPE}
        sent = requests(mock_context)
        assert [r[0] for r in sent] == ["GET", "POST", "GET"]
        assert sent[0] == sent[2] == self.LIST

    async def test_lost_response_ignores_an_identical_ticket_type_that_existed_before(self, mock_context, no_sleep):
        # The same name, type and price existed before this run: it is not what this run created.
        mock_context.fetch.side_effect = [listed(TICKET_TYPE), lost(), listed(TICKET_TYPE), listed(TICKET_TYPE)]
        inputs = self.VIP
        result = await run("create_ticket_type", inputs, mock_context)
        assert result.type == ResultType.ACTION_ERROR and "not confirmed" in result.result.message
        assert "ttype-vip" not in result.result.message
        assert methods(mock_context) == ["GET", "POST", "GET", "GET"]

    @pytest.mark.parametrize(
        ("extra", "differs"),
        [
            ({"max_capacity": 20}, {"max_capacity": 30}),
            ({"description": "Front row"}, {"description": "Back row"}),
            ({"is_hidden": True}, {"is_hidden": False}),
            ({"require_approval": True}, {"require_approval": False}),
            ({"valid_start_at": "2026-02-01"}, {"valid_start_at": "2026-02-02"}),
            ({"valid_end_at": "2026-02-28"}, {"valid_end_at": None}),
            ({"is_flexible": True}, {"is_flexible": False}),
            ({"is_flexible": True, "min_cents": 500}, {"is_flexible": True, "min_cents": 100}),
            ({}, {"currency": "eur"}),
        ],
    )
    async def test_lost_response_compares_every_field_sent(self, mock_context, no_sleep, extra, differs):
        other = dict(TICKET_TYPE, id="ttype-someone-elses", **differs)
        mock_context.fetch.side_effect = [listed(), lost(), listed(other), listed(other)]
        inputs = {**self.VIP, **extra}
        result = await run("create_ticket_type", inputs, mock_context)
        assert result.type == ResultType.ACTION_ERROR and "not confirmed" in result.result.message
        assert methods(mock_context) == ["GET", "POST", "GET", "GET"]

    async def test_lost_response_matches_currency_case_and_date_rendering(self, mock_context, no_sleep):
        landed = dict(
            TICKET_TYPE,
            id="ttype-new",
            currency="USD",
            max_capacity=20,
            description="Front row",
            is_hidden=True,
            valid_start_at="2026-02-01T00:00:00.000Z",
        )
        mock_context.fetch.side_effect = [listed(), lost(), listed(landed)]
        inputs = {
            "event_api_id": "evt-1",
            "name": "VIP",
            "type": "paid",
            "cents": 2500,
            "currency": "usd",
            "max_capacity": 20,
            "description": "Front row",
            "is_hidden": True,
            "valid_start_at": "2026-02-01",
        }
        result = await run("create_ticket_type", inputs, mock_context)
        assert result.result.data == {"ticket_type": landed}
        assert methods(mock_context) == ["GET", "POST", "GET"]

    async def test_lost_response_not_landed_is_unconfirmed_not_resent(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = [listed(), lost(), listed(), listed()]
        inputs = self.VIP
        result = await run("create_ticket_type", inputs, mock_context)
        assert result.type == ResultType.ACTION_ERROR
        assert "not confirmed" in result.result.message and "list_ticket_types" in result.result.message
        assert methods(mock_context) == ["GET", "POST", "GET", "GET"]

    async def test_slow_create_found_on_the_second_look(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = [listed(), TimeoutError(), listed(), listed(TICKET_TYPE)]
        inputs = self.VIP
        result = await run("create_ticket_type", inputs, mock_context)
        assert result.result.data == {"ticket_type": TICKET_TYPE}
        assert methods(mock_context) == ["GET", "POST", "GET", "GET"]

    async def test_two_new_matching_ticket_types_are_reported_not_picked(self, mock_context, no_sleep):
        twin = dict(TICKET_TYPE, id="ttype-twin")
        mock_context.fetch.side_effect = [listed(), lost(), listed(TICKET_TYPE, twin)]
        inputs = self.VIP
        result = await run("create_ticket_type", inputs, mock_context)
        assert result.type == ResultType.ACTION_ERROR and "2 matching candidates" in result.result.message

    @pytest.mark.parametrize("answer", [{}, {"id": None}, {"ok": True}])
    async def test_answer_without_id_finds_the_new_ticket_type(self, mock_context, answer):
        created = dict(TICKET_TYPE, id="ttype-new")
        mock_context.fetch.side_effect = [listed(TICKET_TYPE), ok(answer), listed(TICKET_TYPE, created)]
        inputs = self.VIP
        result = await run("create_ticket_type", inputs, mock_context)
        assert result.type == ResultType.ACTION, result.result
        assert result.result.data == {"ticket_type": created}
        assert requests(mock_context)[2] == self.LIST

    @pytest.mark.parametrize("lookup", [[listed(TICKET_TYPE)] * 2, [unavailable()] * 6])
    async def test_answer_without_id_not_found_is_unconfirmed(self, mock_context, no_sleep, lookup):
        # The one listed existed before this run, so it is not the new one.
        mock_context.fetch.side_effect = [listed(TICKET_TYPE), ok({}), *lookup]
        inputs = self.VIP
        result = await run("create_ticket_type", inputs, mock_context)
        assert result.type == ResultType.ACTION_ERROR
        message = result.result.message
        assert "accepted the request (2xx)" in message and "not confirmed" in message
        assert "list_ticket_types" in message and "evt-1" in message
        assert methods(mock_context).count("POST") == 1

    @pytest.mark.parametrize("answer", ["<html>ok</html>", [TICKET_TYPE]])
    async def test_unreadable_2xx_finds_the_new_ticket_type(self, mock_context, no_sleep, answer):
        mock_context.fetch.side_effect = [listed(), ok(answer), listed(TICKET_TYPE)]
        inputs = self.VIP
        result = await run("create_ticket_type", inputs, mock_context)
        assert result.type == ResultType.ACTION, result.result
        assert result.result.data == {"ticket_type": TICKET_TYPE}
        assert methods(mock_context) == ["GET", "POST", "GET"]

    async def test_unreadable_2xx_not_found_is_never_resent(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = [
            listed(TICKET_TYPE),
            ok("<html>ok</html>"),
            listed(TICKET_TYPE),
            listed(TICKET_TYPE),
        ]
        inputs = self.VIP
        result = await run("create_ticket_type", inputs, mock_context)
        assert result.type == ResultType.ACTION_ERROR
        assert methods(mock_context) == ["GET", "POST", "GET", "GET"]

    async def test_unreadable_ticket_types_stop_before_sending(self, mock_context):
        mock_context.fetch.return_value = ok({"data": []})
        inputs = {"event_api_id": "evt-1", "name": "VIP", "type": "free"}
        result = await run("create_ticket_type", inputs, mock_context)
        assert result.type == ResultType.ACTION_ERROR and "no list of entries" in result.result.message
        assert methods(mock_context) == ["GET"]

    async def test_unknown_event_stops_before_sending(self, mock_context):
        mock_context.fetch.side_effect = luma_error(404, "Event evt-x not found")
        result = await run("create_ticket_type", {"event_api_id": "evt-x", "name": "VIP", "type": "free"}, mock_context)
        assert result.type == ResultType.ACTION_ERROR and "Event evt-x not found" in result.result.message
        assert methods(mock_context) == ["GET"]

    async def test_luma_rejection(self, mock_context):
        rejection = luma_error(400, "Invalid max_capacity")
        mock_context.fetch.side_effect = [listed(), rejection]
        inputs = {"event_api_id": "evt-1", "name": "VIP", "type": "free"}
        result = await run("create_ticket_type", inputs, mock_context)
        assert result.type == ResultType.ACTION_ERROR and "Invalid max_capacity" in result.result.message
        assert methods(mock_context) == ["GET", "POST"]


class TestListTicketTypeSummaries:
    async def test_free_type_has_no_price(self, mock_context):
        free = dict(TICKET_TYPE, id="ttype-free", name="Community", type="free", cents=None, currency=None)
        mock_context.fetch.return_value = listed(dict(free, max_capacity=50, is_hidden=True))
        (summary,) = ok_data(await run("list_ticket_types", {"event_api_id": "evt-1"}, mock_context))["ticket_types"]
        assert summary == {
            "id": "ttype-free",
            "name": "Community",
            "type": "free",
            "max_capacity": 50,
            "is_hidden": True,
        }

    @pytest.mark.parametrize(
        ("cents", "currency", "price"),
        [
            (1999, "usd", "19.99"),
            (1500, "jpy", "1500"),
            (1234, "kwd", "1.234"),
            (5, "USD", "0.05"),
            (7, "solana_sol", None),
        ],
    )
    async def test_price_as_a_decimal_string(self, mock_context, cents, currency, price):
        mock_context.fetch.return_value = listed(dict(TICKET_TYPE, cents=cents, currency=currency))
        (summary,) = ok_data(await run("list_ticket_types", {"event_api_id": "evt-1"}, mock_context))["ticket_types"]
        assert (summary["cents"], summary["currency"], summary.get("price")) == (cents, currency, price)

    async def test_pay_what_you_want_shows_its_minimum(self, mock_context):
        mock_context.fetch.return_value = listed(dict(TICKET_TYPE, is_flexible=True, min_cents=500))
        (summary,) = ok_data(await run("list_ticket_types", {"event_api_id": "evt-1"}, mock_context))["ticket_types"]
        assert (summary["is_flexible"], summary["min_cents"], summary["price"]) == (True, 500, "25.00")

    async def test_detail_full_is_lumas_whole_object(self, mock_context):
        mock_context.fetch.return_value = listed(TICKET_TYPE)
        result = await run("list_ticket_types", {"event_api_id": "evt-1", "detail": "full"}, mock_context)
        assert ok_data(result) == {"ticket_types": [TICKET_TYPE], "has_more": False, "next_cursor": None}


# ---- get_ticket_type ---------------------------------------------------------------------------------------


class TestGetTicketType:
    async def test_reads_the_whole_ticket_type(self, mock_context):
        mock_context.fetch.return_value = ok(TICKET_TYPE)
        result = await run("get_ticket_type", {"event_ticket_type_id": " ttype-vip "}, mock_context)
        assert ok_data(result) == {"ticket_type": TICKET_TYPE}
        assert requests(mock_context) == [
            ("GET", "/v1/events/ticket-types/get", [("event_ticket_type_id", "ttype-vip")], None)
        ]

    async def test_unknown_id_says_how_to_find_one(self, mock_context):
        mock_context.fetch.side_effect = luma_error(404, "Ticket type ttype-x not found")
        result = await run("get_ticket_type", {"event_ticket_type_id": "ttype-x"}, mock_context)
        failed(result, "No ticket type ttype-x exists", "Ticket type ttype-x not found", "list_ticket_types")

    async def test_answer_without_id(self, mock_context):
        mock_context.fetch.return_value = ok({"name": "VIP"})
        failed(await run("get_ticket_type", {"event_ticket_type_id": "ttype-vip"}, mock_context), "no id")

    @pytest.mark.parametrize("inputs", [{}, {"event_ticket_type_id": ""}, {"event_ticket_type_id": "   "}])
    async def test_needs_an_id(self, mock_context, inputs):
        assert_schema_error(await run("get_ticket_type", inputs, mock_context), mock_context)


# ---- update_ticket_type ------------------------------------------------------------------------------------


class TestUpdateTicketType:
    GET = ("GET", "/v1/events/ticket-types/get", [("event_ticket_type_id", "ttype-vip")], None)
    FREE = dict(TICKET_TYPE, type="free", cents=None, currency=None)

    async def test_fields_without_price_rules_are_sent_without_reading_first(self, mock_context):
        updated = dict(TICKET_TYPE, name="Front Row", max_capacity=40, is_hidden=True)
        mock_context.fetch.return_value = ok(updated)
        inputs = {"event_ticket_type_id": "ttype-vip", "name": " Front Row ", "max_capacity": 40, "is_hidden": True}
        inputs |= {"description": "Closest seats", "require_approval": False, "valid_end_at": "2026-02-28"}
        result = await run("update_ticket_type", inputs, mock_context)
        assert ok_data(result) == {"ticket_type": updated}
        body = {"event_ticket_type_id": "ttype-vip", "name": "Front Row", "max_capacity": 40, "is_hidden": True}
        body |= {"description": "Closest seats", "require_approval": False, "valid_end_at": "2026-02-28"}
        assert requests(mock_context) == [("POST", "/v1/events/ticket-types/update", [], body)]

    async def test_price_without_currency_is_converted_in_the_current_currency(self, mock_context):
        yen = dict(TICKET_TYPE, cents=1000, currency="jpy")
        mock_context.fetch.side_effect = [ok(yen), ok(dict(yen, cents=1500))]
        result = await run("update_ticket_type", {"event_ticket_type_id": "ttype-vip", "price": "1500"}, mock_context)
        assert ok_data(result)["ticket_type"]["cents"] == 1500
        post = ("POST", "/v1/events/ticket-types/update", [], {"event_ticket_type_id": "ttype-vip", "cents": 1500})
        assert requests(mock_context) == [self.GET, post]

    async def test_price_with_too_many_decimals_for_the_current_currency(self, mock_context):
        mock_context.fetch.return_value = ok(dict(TICKET_TYPE, currency="jpy"))
        result = await run("update_ticket_type", {"event_ticket_type_id": "ttype-vip", "price": "10.5"}, mock_context)
        failed(result, "10.5", "JPY")
        assert methods(mock_context) == ["GET"]

    async def test_price_with_currency_and_type_is_sent_without_reading(self, mock_context):
        mock_context.fetch.return_value = ok(TICKET_TYPE)
        inputs = {"event_ticket_type_id": "ttype-vip", "type": "paid", "price": "19.99", "currency": "eur"}
        await run("update_ticket_type", inputs, mock_context)
        body = {"event_ticket_type_id": "ttype-vip", "type": "paid", "cents": 1999, "currency": "eur"}
        assert requests(mock_context) == [("POST", "/v1/events/ticket-types/update", [], body)]

    async def test_paid_keeps_the_current_price_and_currency(self, mock_context):
        mock_context.fetch.side_effect = [ok(TICKET_TYPE), ok(TICKET_TYPE)]
        result = await run("update_ticket_type", {"event_ticket_type_id": "ttype-vip", "type": "paid"}, mock_context)
        assert ok_data(result) == {"ticket_type": TICKET_TYPE}
        assert requests(mock_context) == [
            self.GET,
            ("POST", "/v1/events/ticket-types/update", [], {"event_ticket_type_id": "ttype-vip", "type": "paid"}),
        ]

    @pytest.mark.parametrize(
        ("extra", "words"),
        [
            ({"price": "10"}, ["free ticket type takes no price", "type to paid"]),
            ({"cents": 1000, "currency": "usd"}, ["free ticket type takes no price"]),
            ({"type": "paid"}, ["currency"]),
            ({"type": "paid", "currency": "usd"}, ["price above zero"]),
            ({"min_cents": 100}, ["free ticket type takes no price", "min_cents"]),
        ],
    )
    async def test_a_free_type_is_read_before_a_price_is_refused(self, mock_context, extra, words):
        mock_context.fetch.return_value = ok(self.FREE)
        result = await run("update_ticket_type", {"event_ticket_type_id": "ttype-vip", **extra}, mock_context)
        failed(result, *words)
        assert requests(mock_context) == [self.GET]

    async def test_free_to_paid_with_price_and_currency(self, mock_context):
        mock_context.fetch.return_value = ok(TICKET_TYPE)
        inputs = {"event_ticket_type_id": "ttype-vip", "type": "paid", "cents": 2500, "currency": "usd"}
        assert ok_data(await run("update_ticket_type", inputs, mock_context)) == {"ticket_type": TICKET_TYPE}
        assert methods(mock_context) == ["POST"]

    async def test_minimum_needs_pay_what_you_want(self, mock_context):
        mock_context.fetch.return_value = ok(TICKET_TYPE)
        result = await run("update_ticket_type", {"event_ticket_type_id": "ttype-vip", "min_cents": 100}, mock_context)
        failed(result, "min_cents", "is_flexible")
        assert methods(mock_context) == ["GET"]

    async def test_minimum_of_a_type_already_pay_what_you_want(self, mock_context):
        flexible = dict(TICKET_TYPE, is_flexible=True)
        mock_context.fetch.side_effect = [ok(flexible), ok(dict(flexible, min_cents=100))]
        result = await run("update_ticket_type", {"event_ticket_type_id": "ttype-vip", "min_cents": 100}, mock_context)
        assert ok_data(result)["ticket_type"]["min_cents"] == 100
        assert sent_body(mock_context) == {"event_ticket_type_id": "ttype-vip", "min_cents": 100}

    async def test_minimum_above_the_current_price(self, mock_context):
        mock_context.fetch.return_value = ok(dict(TICKET_TYPE, is_flexible=True))
        inputs = {"event_ticket_type_id": "ttype-vip", "min_cents": 3000}
        failed(await run("update_ticket_type", inputs, mock_context), "min_cents (3000)", "2500")
        assert methods(mock_context) == ["GET"]

    async def test_to_free_sends_only_the_type(self, mock_context):
        mock_context.fetch.return_value = ok(self.FREE)
        result = await run("update_ticket_type", {"event_ticket_type_id": "ttype-vip", "type": "free"}, mock_context)
        assert ok_data(result) == {"ticket_type": self.FREE}
        assert requests(mock_context) == [
            ("POST", "/v1/events/ticket-types/update", [], {"event_ticket_type_id": "ttype-vip", "type": "free"})
        ]

    @pytest.mark.parametrize(
        ("extra", "words"),
        [
            ({}, ["Nothing to update"]),
            ({"price": "5", "cents": 500}, ["not both"]),
            ({"type": "free", "cents": 500}, ["free", "cents"]),
            ({"type": "free", "is_flexible": True}, ["free", "is_flexible"]),
            ({"name": "\u200b"}, ["name", "invisible"]),
            ({"valid_start_at": "2026-03-02", "valid_end_at": "2026-03-01"}, ["valid_end_at"]),
            ({"valid_start_at": "2026-02-30"}, ["2026-02-30", "YYYY-MM-DD"]),
            ({"price": "5", "cents": 500, "name": "X"}, ["not both"]),
        ],
    )
    async def test_invalid_input_is_refused_before_sending(self, mock_context, extra, words):
        result = await run("update_ticket_type", {"event_ticket_type_id": "ttype-vip", **extra}, mock_context)
        assert_input_error(result, mock_context, *words)

    @pytest.mark.parametrize(
        "extra",
        [
            {"type": "donation"},
            {"cents": -1},
            {"price": "5,00"},
            {"max_capacity": 0},
            {"valid_end_at": "2026-03-01T10:00:00Z"},
            {"event_api_id": "evt-1"},
            {"currency": "dollars"},
        ],
    )
    async def test_schema_rejects(self, mock_context, extra):
        result = await run("update_ticket_type", {"event_ticket_type_id": "ttype-vip", **extra}, mock_context)
        assert_schema_error(result, mock_context)

    async def test_lost_answer_confirmed_by_reading_back(self, mock_context, no_sleep):
        updated = dict(TICKET_TYPE, name="Front Row", max_capacity=40)
        mock_context.fetch.side_effect = [lost(), ok(TICKET_TYPE), ok(updated)]
        inputs = {"event_ticket_type_id": "ttype-vip", "name": "Front Row", "max_capacity": 40}
        assert ok_data(await run("update_ticket_type", inputs, mock_context)) == {"ticket_type": updated}
        assert methods(mock_context) == ["POST", "GET", "GET"]

    async def test_lost_answer_not_shown_is_unconfirmed_not_resent(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = [lost(), ok(TICKET_TYPE), ok(TICKET_TYPE)]
        result = await run(
            "update_ticket_type", {"event_ticket_type_id": "ttype-vip", "max_capacity": 40}, mock_context
        )
        failed(result, "not confirmed", "get_ticket_type", "ttype-vip")
        assert methods(mock_context) == ["POST", "GET", "GET"]

    async def test_lost_answer_and_the_ticket_type_gone_is_unconfirmed(self, mock_context, no_sleep):
        gone = luma_error(404, "not found")
        mock_context.fetch.side_effect = [unavailable(), gone, gone]
        result = await run("update_ticket_type", {"event_ticket_type_id": "ttype-vip", "is_hidden": True}, mock_context)
        failed(result, "not confirmed")
        assert methods(mock_context).count("POST") == 1

    @pytest.mark.parametrize("answer", [{}, "<html>ok</html>"])
    async def test_answer_without_the_ticket_type_reads_it_back(self, mock_context, no_sleep, answer):
        updated = dict(TICKET_TYPE, currency="USD", valid_start_at="2026-02-01T00:00:00.000Z")
        mock_context.fetch.side_effect = [ok(answer), ok(updated)]
        inputs = {"event_ticket_type_id": "ttype-vip", "currency": "usd", "valid_start_at": "2026-02-01"}
        inputs |= {"type": "paid", "cents": 2500}
        assert ok_data(await run("update_ticket_type", inputs, mock_context)) == {"ticket_type": updated}
        assert methods(mock_context) == ["POST", "GET"]

    async def test_unknown_ticket_type(self, mock_context):
        mock_context.fetch.side_effect = luma_error(404, "Ticket type ttype-x not found")
        result = await run("update_ticket_type", {"event_ticket_type_id": "ttype-x", "name": "VIP"}, mock_context)
        failed(result, "No ticket type ttype-x exists", "list_ticket_types")
        assert methods(mock_context) == ["POST"]

    async def test_luma_refusal_in_its_own_words(self, mock_context):
        mock_context.fetch.side_effect = luma_error(400, "Cannot hide the last visible ticket type of an event")
        result = await run("update_ticket_type", {"event_ticket_type_id": "ttype-vip", "is_hidden": True}, mock_context)
        failed(result, "400", "Cannot hide the last visible ticket type")
        assert methods(mock_context) == ["POST"]


# ---- delete_ticket_type ------------------------------------------------------------------------------------


class TestDeleteTicketType:
    INPUTS = {"event_ticket_type_id": "ttype-vip"}

    async def test_reads_then_deletes(self, mock_context):
        mock_context.fetch.side_effect = [ok(TICKET_TYPE), ok({})]
        result = await run("delete_ticket_type", self.INPUTS, mock_context)
        assert ok_data(result) == {
            "event_ticket_type_id": "ttype-vip",
            "name": "VIP",
            "deleted": True,
            "already_absent": False,
        }
        assert requests(mock_context) == [
            ("GET", "/v1/events/ticket-types/get", [("event_ticket_type_id", "ttype-vip")], None),
            ("POST", "/v1/events/ticket-types/delete", [], {"event_ticket_type_id": "ttype-vip"}),
        ]

    async def test_already_gone_is_success_without_sending(self, mock_context):
        mock_context.fetch.side_effect = luma_error(404, "Ticket type ttype-vip not found")
        result = await run("delete_ticket_type", self.INPUTS, mock_context)
        assert ok_data(result) == {"event_ticket_type_id": "ttype-vip", "deleted": True, "already_absent": True}
        assert methods(mock_context) == ["GET"]

    async def test_not_found_for_what_is_not_a_ticket_type_id_is_an_error(self, mock_context):
        mock_context.fetch.side_effect = luma_error(404, "Ticket type not found")
        result = await run("delete_ticket_type", {"event_ticket_type_id": "general-admission"}, mock_context)
        failed(result, "'general-admission'", "a ticket type id (ttype-…)", "list_ticket_types")
        assert methods(mock_context) == ["GET"]

    async def test_gone_between_the_read_and_the_delete(self, mock_context):
        mock_context.fetch.side_effect = [ok(TICKET_TYPE), luma_error(404, "not found")]
        result = await run("delete_ticket_type", self.INPUTS, mock_context)
        assert ok_data(result)["already_absent"] is True
        assert methods(mock_context) == ["GET", "POST"]

    async def test_lost_answer_confirmed_when_gone(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = [ok(TICKET_TYPE), lost(), luma_error(404, "not found")]
        result = await run("delete_ticket_type", self.INPUTS, mock_context)
        assert ok_data(result)["already_absent"] is False
        assert methods(mock_context) == ["GET", "POST", "GET"]

    async def test_lost_answer_still_there_is_unconfirmed_not_resent(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = [ok(TICKET_TYPE), lost(), ok(TICKET_TYPE), ok(TICKET_TYPE)]
        result = await run("delete_ticket_type", self.INPUTS, mock_context)
        failed(result, "not confirmed", "get_ticket_type", "404 means it was deleted")
        assert methods(mock_context) == ["GET", "POST", "GET", "GET"]

    async def test_slow_delete_seen_on_the_second_look(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = [ok(TICKET_TYPE), TimeoutError(), ok(TICKET_TYPE), luma_error(404, "gone")]
        assert ok_data(await run("delete_ticket_type", self.INPUTS, mock_context))["deleted"] is True
        assert methods(mock_context) == ["GET", "POST", "GET", "GET"]

    @pytest.mark.parametrize(
        ("luma_says", "words", "not_words"),
        [
            (
                "Cannot delete a ticket type with tickets sold (3)",
                ["sold or issued", "is_hidden true", "valid_end_at", "nothing was deleted", "'VIP'"],
                ["last one"],
            ),
            (
                "Cannot delete the last visible ticket type of an event",
                ["last one", "create_ticket_type", "is_hidden true"],
                ["sold or issued"],
            ),
            ("Not allowed", ["tickets sold", "last visible", "is_hidden true", "create_ticket_type"], []),
        ],
    )
    async def test_refusals_say_what_to_do_instead(self, mock_context, luma_says, words, not_words):
        mock_context.fetch.side_effect = [ok(TICKET_TYPE), luma_error(400, luma_says)]
        message = failed(await run("delete_ticket_type", self.INPUTS, mock_context), luma_says, *words)
        assert not [word for word in not_words if word in message]
        assert methods(mock_context) == ["GET", "POST"]

    async def test_needs_an_id(self, mock_context):
        assert_schema_error(await run("delete_ticket_type", {}, mock_context), mock_context)


class TestUpdateTicketTypeCurrency:
    async def test_a_new_currency_without_a_new_price_is_refused(self, mock_context):
        mock_context.fetch.side_effect = [ok(TICKET_TYPE)]
        inputs = {"event_ticket_type_id": "ttype-vip", "currency": "jpy"}
        result = await run("update_ticket_type", inputs, mock_context)
        failed(result, "currency changes from usd to jpy", "give price (or cents) together with currency")
        assert methods(mock_context) == ["GET"], "nothing is sent"

    async def test_a_new_currency_with_its_price_is_sent(self, mock_context):
        updated = dict(TICKET_TYPE, cents=2500, currency="jpy")
        mock_context.fetch.side_effect = [ok(TICKET_TYPE), ok(updated)]
        inputs = {"event_ticket_type_id": "ttype-vip", "currency": "jpy", "price": 2500}
        ok_data(await run("update_ticket_type", inputs, mock_context))
        assert sent_body(mock_context)["cents"] == 2500 and sent_body(mock_context)["currency"] == "jpy"
