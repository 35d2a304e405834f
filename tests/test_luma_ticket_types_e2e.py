"""Ticket-type actions end to end: the SDK's real ExecutionContext over HTTP against the local Luma."""

import pytest

from tests.support.fakes import failed, ok_data, run
from tests.support.live import UNUSABLE_2XX, apply_late, posts, work_then_answer

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
        inputs = {"event_api_id": event["id"], "include_hidden": True, "detail": "full"}
        everything = ok_data(await run("list_ticket_types", inputs, live_context))
        assert everything["ticket_types"] == luma_emulator.ticket_types(event["id"])
        assert (everything["has_more"], everything["next_cursor"]) == (False, None)
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


def add_type(emulator, event_id, **fields):
    body = {"event_id": event_id, "name": "Extra", "type": "free", **fields}
    return emulator.call("POST", "/v1/events/ticket-types/create", body=body)


def stored(emulator, event_id, ticket_type_id):
    return {t["id"]: t for t in emulator.ticket_types(event_id)}.get(ticket_type_id)


class TestListTicketTypeSummaries:
    async def test_summary_by_default(self, luma_emulator, live_context, event):
        vip = add_type(luma_emulator, event["id"], name="VIP", type="paid", cents=2500, currency="usd", max_capacity=20)
        data = ok_data(await run("list_ticket_types", {"event_api_id": event["id"]}, live_context))
        general, paid = data["ticket_types"]
        assert general == {"id": general["id"], "name": "General Admission", "type": "free", "is_hidden": False}
        assert paid == {
            "id": vip["id"],
            "name": "VIP",
            "type": "paid",
            "cents": 2500,
            "currency": "usd",
            "price": "25.00",
            "max_capacity": 20,
            "is_hidden": False,
        }


class TestGetTicketType:
    async def test_reads_one(self, luma_emulator, live_context, event):
        vip = add_type(luma_emulator, event["id"], name="VIP", type="paid", cents=2500, currency="usd")
        data = ok_data(await run("get_ticket_type", {"event_ticket_type_id": vip["id"]}, live_context))
        assert data == {"ticket_type": stored(luma_emulator, event["id"], vip["id"])}

    async def test_unknown(self, luma_emulator, live_context):
        failed(await run("get_ticket_type", {"event_ticket_type_id": "ttype-nope"}, live_context), "No ticket type")


class TestUpdateTicketType:
    async def test_changes_only_what_is_given(self, luma_emulator, live_context, event):
        vip = add_type(luma_emulator, event["id"], name="VIP", type="paid", cents=2500, currency="usd")
        inputs = {"event_ticket_type_id": vip["id"], "name": "Front Row", "max_capacity": 40}
        inputs |= {"valid_start_at": "2030-01-01", "valid_end_at": "2030-02-01"}
        data = ok_data(await run("update_ticket_type", inputs, live_context))
        after = stored(luma_emulator, event["id"], vip["id"])
        assert data["ticket_type"] == after
        assert (after["name"], after["max_capacity"], after["cents"], after["currency"]) == (
            "Front Row",
            40,
            2500,
            "usd",
        )
        assert after["valid_end_at"] == "2030-02-01"
        assert luma_emulator.requests_to("/v1/events/ticket-types/get") == []

    async def test_price_in_the_current_currency(self, luma_emulator, live_context, event):
        yen = add_type(luma_emulator, event["id"], name="Early", type="paid", cents=1000, currency="jpy")
        inputs = {"event_ticket_type_id": yen["id"], "price": 1500}
        assert ok_data(await run("update_ticket_type", inputs, live_context))["ticket_type"]["cents"] == 1500
        assert posts(luma_emulator, "/v1/events/ticket-types/update")[0].json == {
            "event_ticket_type_id": yen["id"],
            "cents": 1500,
        }

    async def test_free_to_paid_and_back(self, luma_emulator, live_context, event):
        extra = add_type(luma_emulator, event["id"])
        inputs = {"event_ticket_type_id": extra["id"], "type": "paid", "price": "12.50", "currency": "eur"}
        paid = ok_data(await run("update_ticket_type", inputs, live_context))["ticket_type"]
        assert (paid["type"], paid["cents"], paid["currency"]) == ("paid", 1250, "eur")
        free = ok_data(
            await run("update_ticket_type", {"event_ticket_type_id": extra["id"], "type": "free"}, live_context)
        )
        assert (free["ticket_type"]["type"], free["ticket_type"]["cents"]) == ("free", None)

    async def test_price_on_a_free_type_is_refused_before_writing(self, luma_emulator, live_context, event):
        extra = add_type(luma_emulator, event["id"])
        result = await run("update_ticket_type", {"event_ticket_type_id": extra["id"], "price": "10"}, live_context)
        failed(result, "free ticket type takes no price", "type to paid")
        assert posts(luma_emulator, "/v1/events/ticket-types/update") == []

    async def test_hiding_the_last_visible_type_is_lumas_refusal(self, luma_emulator, live_context, event):
        (general,) = luma_emulator.ticket_types(event["id"])
        inputs = {"event_ticket_type_id": general["id"], "is_hidden": True}
        failed(await run("update_ticket_type", inputs, live_context), "400", "last visible")
        assert stored(luma_emulator, event["id"], general["id"])["is_hidden"] is False

    @pytest.mark.parametrize("fault", [{"drop_after_work": True}, {"status": 503}])
    async def test_lost_answer_sends_once(self, luma_emulator, live_context, event, fault):
        extra = add_type(luma_emulator, event["id"])
        luma_emulator.inject("POST /v1/events/ticket-types/update", **fault)
        result = await run("update_ticket_type", {"event_ticket_type_id": extra["id"], "max_capacity": 7}, live_context)
        if "status" in fault:
            failed(result, "not confirmed", "get_ticket_type")
            assert stored(luma_emulator, event["id"], extra["id"])["max_capacity"] is None
        else:
            assert ok_data(result)["ticket_type"]["max_capacity"] == 7
        assert len(posts(luma_emulator, "/v1/events/ticket-types/update")) == 1

    async def test_slow_update_found_on_the_second_look(self, luma_emulator, live_context, monkeypatch, event):
        extra = add_type(luma_emulator, event["id"])
        apply_late(monkeypatch, luma_emulator, live_context, "/v1/events/ticket-types/update")
        data = ok_data(
            await run("update_ticket_type", {"event_ticket_type_id": extra["id"], "name": "Late"}, live_context)
        )
        assert data["ticket_type"]["name"] == "Late"
        assert len(luma_emulator.requests_to("/v1/events/ticket-types/get")) == 2


class TestDeleteTicketType:
    async def test_deletes_then_already_absent(self, luma_emulator, live_context, event):
        extra = add_type(luma_emulator, event["id"], name="Spare")
        first = ok_data(await run("delete_ticket_type", {"event_ticket_type_id": extra["id"]}, live_context))
        assert first == {"event_ticket_type_id": extra["id"], "name": "Spare", "deleted": True, "already_absent": False}
        assert stored(luma_emulator, event["id"], extra["id"]) is None
        again = ok_data(await run("delete_ticket_type", {"event_ticket_type_id": extra["id"]}, live_context))
        assert again["already_absent"] is True
        assert len(posts(luma_emulator, "/v1/events/ticket-types/delete")) == 1

    async def test_sold_tickets_say_hide_instead(self, luma_emulator, live_context, event):
        vip = add_type(luma_emulator, event["id"], name="VIP", type="paid", cents=2500, currency="usd")
        luma_emulator.register_guest(event["id"], "ana@example.com", "Ana", ticket_type_id=vip["id"])
        result = await run("delete_ticket_type", {"event_ticket_type_id": vip["id"]}, live_context)
        failed(result, "sold", "is_hidden true", "nothing was deleted")
        assert stored(luma_emulator, event["id"], vip["id"]) is not None

    async def test_last_visible_says_create_another_first(self, luma_emulator, live_context, event):
        (general,) = luma_emulator.ticket_types(event["id"])
        result = await run("delete_ticket_type", {"event_ticket_type_id": general["id"]}, live_context)
        failed(result, "last", "create_ticket_type")
        assert stored(luma_emulator, event["id"], general["id"]) is not None

    @pytest.mark.parametrize("fault", [{"drop_after_work": True}, {"status": 503}])
    async def test_lost_answer_sends_once(self, luma_emulator, live_context, event, fault):
        extra = add_type(luma_emulator, event["id"])
        luma_emulator.inject("POST /v1/events/ticket-types/delete", **fault)
        result = await run("delete_ticket_type", {"event_ticket_type_id": extra["id"]}, live_context)
        if "status" in fault:
            failed(result, "not confirmed")
            assert stored(luma_emulator, event["id"], extra["id"]) is not None
        else:
            assert ok_data(result) == {
                "event_ticket_type_id": extra["id"],
                "name": "Extra",
                "deleted": True,
                "already_absent": False,
            }
        assert len(posts(luma_emulator, "/v1/events/ticket-types/delete")) == 1
