"""Ticket-type actions end to end: the SDK's real ExecutionContext over HTTP against the local Luma."""

import pytest

from tests.support.fakes import failed, ok_data, run
from tests.support.live import UNUSABLE_2XX, posts, work_then_answer

pytestmark = pytest.mark.e2e


class TestListTicketTypes:
    async def test_hidden_only_on_request(self, luma_emulator, live_context, event):
        luma_emulator.call(
            "POST",
            "/v1/events/ticket-types/create",
            body={"event_id": event["id"], "name": "Speaker Pass", "type": "free", "is_hidden": True},
        )
        visible = ok_data(await run("list_ticket_types", {"event_api_id": event["id"]}, live_context))
        assert [t["name"] for t in visible["ticket_types"]] == ["General Admission"]
        everything = ok_data(
            await run("list_ticket_types", {"event_api_id": event["id"], "include_hidden": True}, live_context)
        )
        assert everything["ticket_types"] == luma_emulator.ticket_types(event["id"])
        hidden_off = ok_data(
            await run("list_ticket_types", {"event_api_id": event["id"], "include_hidden": False}, live_context)
        )
        assert hidden_off == visible
        # Luma types include_hidden as a string and may read "false" as true: it is sent only when true.
        sent = luma_emulator.requests_to("/v1/events/ticket-types/list")
        assert [r.query_values("include_hidden") for r in sent] == [[], ["true"], []]

    async def test_unknown_event(self, luma_emulator, live_context):
        failed(await run("list_ticket_types", {"event_api_id": "evt-nope"}, live_context), "404")


class TestCreateTicketType:
    async def test_paid_price_converted(self, luma_emulator, live_context, event):
        ticket = {"name": "VIP", "type": "paid", "price": "19.99", "currency": "usd", "max_capacity": 20}
        sale = {"valid_start_at": "2030-01-01", "valid_end_at": "2030-02-01"}
        inputs = {"event_api_id": event["id"], **ticket, **sale}
        data = ok_data(await run("create_ticket_type", inputs, live_context))
        stored = {t["id"]: t for t in luma_emulator.ticket_types(event["id"])}[data["ticket_type"]["id"]]
        assert data["ticket_type"] == stored
        assert (stored["cents"], stored["currency"], stored["valid_end_at"]) == (1999, "usd", "2030-02-01")

    async def test_lost_response_creates_exactly_one(self, luma_emulator, live_context, event):
        luma_emulator.inject("POST /v1/events/ticket-types/create", drop_after_work=True)
        inputs = {"event_api_id": event["id"], "name": "Early", "type": "paid", "price": 1500, "currency": "jpy"}
        data = ok_data(await run("create_ticket_type", inputs, live_context))
        early = [t for t in luma_emulator.ticket_types(event["id"]) if t["name"] == "Early"]
        assert [t["id"] for t in early] == [data["ticket_type"]["id"]] and early[0]["cents"] == 1500
        assert len(posts(luma_emulator, "/v1/events/ticket-types/create")) == 1
        assert luma_emulator.requests_to("/v1/events/ticket-types/list")[0].query_values("include_hidden") == ["true"]

    @pytest.mark.parametrize("fault", [{"drop_after_work": True}, {"status": 503}])
    async def test_identical_ticket_type_from_before_is_not_taken_for_the_new_one(
        self, luma_emulator, live_context, fault, event
    ):
        inputs = {"event_api_id": event["id"], "name": "Early", "type": "paid", "cents": 1500, "currency": "usd"}
        before = ok_data(await run("create_ticket_type", inputs, live_context))["ticket_type"]
        luma_emulator.inject("POST /v1/events/ticket-types/create", **fault)
        result = await run("create_ticket_type", inputs, live_context)
        early = [t["id"] for t in luma_emulator.ticket_types(event["id"]) if t["name"] == "Early"]
        if "status" in fault:
            # Nothing was applied: the one from before is not taken for it, and nothing is re-sent.
            assert before["id"] not in failed(result, "not confirmed")
            assert early == [before["id"]]
        else:
            data = ok_data(result)
            assert data["ticket_type"]["id"] != before["id"]
            assert early == [before["id"], data["ticket_type"]["id"]]

    async def test_lost_response_with_other_terms_is_not_taken_for_the_new_one(
        self, luma_emulator, live_context, event
    ):
        inputs = {"event_api_id": event["id"], "name": "Crew", "type": "free", "is_hidden": True, "max_capacity": 5}
        luma_emulator.inject("POST /v1/events/ticket-types/create", drop_after_work=True)
        data = ok_data(await run("create_ticket_type", inputs, live_context))
        stored = {t["id"]: t for t in luma_emulator.ticket_types(event["id"])}[data["ticket_type"]["id"]]
        assert (stored["is_hidden"], stored["max_capacity"]) == (True, 5)
        assert len(posts(luma_emulator, "/v1/events/ticket-types/create")) == 1

    @pytest.mark.parametrize("answer", UNUSABLE_2XX)
    async def test_accepted_with_unusable_answer_returns_the_one_ticket_type(
        self, luma_emulator, live_context, monkeypatch, answer, event
    ):
        before = luma_emulator.ticket_types(event["id"])
        work_then_answer(monkeypatch, luma_emulator, live_context, "/v1/events/ticket-types/create")
        luma_emulator.inject("POST /v1/events/ticket-types/create", status=200, **answer)
        inputs = {"event_api_id": event["id"], "name": "VIP", "type": "paid", "price": "25", "currency": "usd"}
        data = ok_data(await run("create_ticket_type", inputs, live_context))
        assert luma_emulator.ticket_types(event["id"]) == [*before, data["ticket_type"]]
        assert data["ticket_type"]["cents"] == 2500
        assert len(posts(luma_emulator, "/v1/events/ticket-types/create")) == 1

    @pytest.mark.parametrize("answer", UNUSABLE_2XX)
    async def test_accepted_with_unusable_answer_not_found_is_never_resent(
        self, luma_emulator, live_context, answer, event
    ):
        before = luma_emulator.ticket_types(event["id"])
        luma_emulator.inject("POST /v1/events/ticket-types/create", status=200, **answer)
        inputs = {"event_api_id": event["id"], "name": "VIP", "type": "free"}
        failed(await run("create_ticket_type", inputs, live_context), "accepted")
        assert luma_emulator.ticket_types(event["id"]) == before
        assert len(posts(luma_emulator, "/v1/events/ticket-types/create")) == 1

    async def test_answer_without_id_not_found_says_check_before_creating_again(
        self, luma_emulator, live_context, event
    ):
        luma_emulator.inject("POST /v1/events/ticket-types/create", status=200, body={})
        inputs = {"event_api_id": event["id"], "name": "VIP", "type": "free"}
        failed(await run("create_ticket_type", inputs, live_context), "accepted", "not confirmed", "list_ticket_types")
        assert len(posts(luma_emulator, "/v1/events/ticket-types/create")) == 1
