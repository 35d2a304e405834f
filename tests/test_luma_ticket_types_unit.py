"""Ticket-type actions (list_ticket_types, create_ticket_type) with a mocked context.fetch (Autohive conventions)."""

import pytest
from autohive_integrations_sdk.integration import ResultType

from tests.support.fakes import assert_input_error, assert_schema_error, listed, lost, luma_error, methods, ok, requests
from tests.support.fakes import run, sent_body, unavailable
from tests.support.samples import TICKET_TYPE

pytestmark = [pytest.mark.unit, pytest.mark.usefixtures("fixed_now")]


# ---- list_ticket_types -------------------------------------------------------------------------------------


class TestListTicketTypes:
    async def test_hidden_left_out_by_default(self, mock_context):
        mock_context.fetch.return_value = ok({"entries": [TICKET_TYPE]})
        result = await run("list_ticket_types", {"event_api_id": "evt-abc123"}, mock_context)
        assert result.type == ResultType.ACTION
        assert result.result.data == {"ticket_types": [TICKET_TYPE]}
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

    @pytest.mark.parametrize("lookup", [[listed(TICKET_TYPE)] * 2, [unavailable()] * 3])
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
