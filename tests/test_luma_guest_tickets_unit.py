"""update_guest_tickets with a mocked context.fetch (Autohive conventions)."""

import pytest

from tests.support.fakes import assert_input_error, assert_schema_error, failed, lost, luma_error, methods, ok
from tests.support.fakes import ok_data, requests, run, unavailable
from tests.support.samples import guest_record

pytestmark = pytest.mark.unit

EVENT_ID = "evt-1"


def ticket(ticket_id: str, type_id: str = "ttype-ga", name: str = "General Admission") -> dict:
    return {
        "id": ticket_id,
        "amount": 0,
        "amount_discount": 0,
        "amount_tax": 0,
        "currency": None,
        "checked_in_at": None,
        "event_ticket_type_id": type_id,
        "is_captured": True,
        "name": name,
    }


def guest(*tickets: dict) -> dict:
    return dict(guest_record("ana@example.com"), event_tickets=list(tickets))


GA = ticket("tkt-ga")
VIP = ticket("tkt-vip", "ttype-vip", "VIP")
NEW_VIP = ticket("tkt-new", "ttype-vip", "VIP")
GET_ANA = ("GET", "/v1/events/guests/get", [("event_id", EVENT_ID), ("id", "ana@example.com")], None)
GET_BY_ID = ("GET", "/v1/events/guests/get", [("event_id", EVENT_ID), ("id", "gst-ana")], None)


class TestUpdateGuestTickets:
    ADD_VIP = {"event_api_id": EVENT_ID, "email": " ana@EXAMPLE.com", "add_ticket_type_ids": ["ttype-vip"]}

    async def test_adds_a_ticket_and_reports_it(self, mock_context):
        mock_context.fetch.side_effect = [ok(guest(GA)), ok({}), ok(guest(GA, NEW_VIP))]
        data = ok_data(await run("update_guest_tickets", {**self.ADD_VIP, "send_email": False}, mock_context))
        assert data == {
            "guest": {
                "id": "gst-ana",
                "user_email": "ana@example.com",
                "user_name": "Ana",
                "approval_status": "approved",
                "event_tickets": [GA, NEW_VIP],
            },
            "added_tickets": [NEW_VIP],
            "removed_ticket_ids": [],
            "already_absent_ticket_ids": [],
            "already_absent": False,
        }
        body = {
            "event_id": EVENT_ID,
            "guest_id": "gst-ana",
            "tickets_to_add": [{"event_ticket_type_id": "ttype-vip"}],
            "send_email": False,
        }
        assert requests(mock_context) == [GET_ANA, ("POST", "/v1/events/guests/update-tickets", [], body), GET_BY_ID]

    async def test_swaps_a_ticket_in_one_call(self, mock_context):
        mock_context.fetch.side_effect = [ok(guest(GA)), ok({}), ok(guest(NEW_VIP))]
        inputs = {**self.ADD_VIP, "remove_ticket_ids": ["tkt-ga"]}
        data = ok_data(await run("update_guest_tickets", inputs, mock_context))
        assert (data["added_tickets"], data["removed_ticket_ids"]) == ([NEW_VIP], ["tkt-ga"])
        assert requests(mock_context)[1][3] == {
            "event_id": EVENT_ID,
            "guest_id": "gst-ana",
            "tickets_to_add": [{"event_ticket_type_id": "ttype-vip"}],
            "ticket_ids_to_remove": ["tkt-ga"],
        }

    async def test_a_type_listed_twice_gives_two_tickets(self, mock_context):
        second = ticket("tkt-new2", "ttype-vip", "VIP")
        mock_context.fetch.side_effect = [ok(guest(GA)), ok({}), ok(guest(GA, NEW_VIP, second))]
        inputs = {**self.ADD_VIP, "add_ticket_type_ids": ["ttype-vip", "ttype-vip"]}
        data = ok_data(await run("update_guest_tickets", inputs, mock_context))
        assert data["added_tickets"] == [NEW_VIP, second]
        assert requests(mock_context)[1][3]["tickets_to_add"] == [{"event_ticket_type_id": "ttype-vip"}] * 2

    async def test_removes_by_guest_id(self, mock_context):
        mock_context.fetch.side_effect = [ok(guest(GA, VIP)), ok({}), ok(guest(GA))]
        inputs = {"event_api_id": EVENT_ID, "guest_api_id": "gst-ana", "remove_ticket_ids": ["tkt-vip"]}
        data = ok_data(await run("update_guest_tickets", inputs, mock_context))
        assert (data["guest"]["event_tickets"], data["added_tickets"], data["removed_ticket_ids"]) == (
            [GA],
            [],
            ["tkt-vip"],
        )
        assert requests(mock_context)[0] == GET_BY_ID

    async def test_tickets_not_held_are_not_sent(self, mock_context):
        mock_context.fetch.side_effect = [ok(guest(GA, VIP)), ok({}), ok(guest(GA))]
        inputs = {"event_api_id": EVENT_ID, "email": "ana@example.com", "remove_ticket_ids": ["tkt-vip", "tkt-gone"]}
        data = ok_data(await run("update_guest_tickets", inputs, mock_context))
        assert (data["removed_ticket_ids"], data["already_absent_ticket_ids"]) == (["tkt-vip"], ["tkt-gone"])
        assert requests(mock_context)[1][3]["ticket_ids_to_remove"] == ["tkt-vip"]

    async def test_only_tickets_already_gone_sends_nothing(self, mock_context):
        mock_context.fetch.return_value = ok(guest(GA))
        inputs = {"event_api_id": EVENT_ID, "email": "ana@example.com", "remove_ticket_ids": ["tkt-vip"]}
        data = ok_data(await run("update_guest_tickets", inputs, mock_context))
        assert (data["already_absent"], data["already_absent_ticket_ids"], data["removed_ticket_ids"]) == (
            True,
            ["tkt-vip"],
            [],
        )
        assert methods(mock_context) == ["GET"]

    async def test_removing_every_ticket_says_decline_instead(self, mock_context):
        mock_context.fetch.return_value = ok(guest(GA, VIP))
        inputs = {"event_api_id": EVENT_ID, "email": "ana@example.com", "remove_ticket_ids": ["tkt-ga", "tkt-vip"]}
        failed(await run("update_guest_tickets", inputs, mock_context), "at least one", "update_guest_status")
        assert methods(mock_context) == ["GET"]

    @pytest.mark.parametrize(
        ("inputs", "words"),
        [
            ({"email": "ana@example.com"}, ["Nothing to change"]),
            ({"add_ticket_type_ids": ["ttype-vip"]}, ["guest_api_id", "email"]),
            (
                {"email": "ana@example.com", "guest_api_id": "gst-ana", "add_ticket_type_ids": ["ttype-vip"]},
                ["not both"],
            ),
            ({"email": "not-an-email", "add_ticket_type_ids": ["ttype-vip"]}, ["not-an-email"]),
        ],
    )
    async def test_invalid_input_is_refused_before_sending(self, mock_context, inputs, words):
        result = await run("update_guest_tickets", {"event_api_id": EVENT_ID, **inputs}, mock_context)
        assert_input_error(result, mock_context, *words)

    @pytest.mark.parametrize(
        "extra",
        [
            {"add_ticket_type_ids": []},
            {"add_ticket_type_ids": "ttype-vip"},
            {"add_ticket_type_ids": [""]},
            {"remove_ticket_ids": ["tkt-a", "tkt-a"]},
            {"remove_ticket_ids": []},
            {"add_ticket_type_ids": ["ttype-vip"] * 51},
            {"add_ticket_type_ids": ["ttype-vip"], "tickets_to_add": []},
            {"add_ticket_type_ids": ["ttype-vip"], "send_email": "no"},
        ],
    )
    async def test_schema_rejects(self, mock_context, extra):
        inputs = {"event_api_id": EVENT_ID, "email": "ana@example.com", **extra}
        assert_schema_error(await run("update_guest_tickets", inputs, mock_context), mock_context)

    async def test_unknown_guest(self, mock_context):
        mock_context.fetch.side_effect = luma_error(404, "Guest not found")
        failed(await run("update_guest_tickets", self.ADD_VIP, mock_context), "No guest with email ana@example.com")
        assert methods(mock_context) == ["GET"]

    async def test_luma_refusal_in_its_own_words(self, mock_context):
        refusal = luma_error(400, "Invalid event_ticket_type_id: ttype-vip is not a ticket type of this event")
        mock_context.fetch.side_effect = [ok(guest(GA)), refusal]
        failed(await run("update_guest_tickets", self.ADD_VIP, mock_context), "not a ticket type of this event")
        assert methods(mock_context) == ["GET", "POST"]

    async def test_lost_answer_confirmed_by_the_new_ticket(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = [ok(guest(GA)), lost(), ok(guest(GA, NEW_VIP))]
        data = ok_data(await run("update_guest_tickets", self.ADD_VIP, mock_context))
        assert data["added_tickets"] == [NEW_VIP]
        assert requests(mock_context)[2] == GET_BY_ID
        assert methods(mock_context) == ["GET", "POST", "GET"]

    async def test_lost_answer_counts_only_tickets_new_since_the_write(self, mock_context, no_sleep):
        # The guest already held a VIP ticket: it is no evidence that this write added one.
        mock_context.fetch.side_effect = [ok(guest(GA, VIP)), lost(), ok(guest(GA, VIP)), ok(guest(GA, VIP))]
        result = await run("update_guest_tickets", self.ADD_VIP, mock_context)
        failed(result, "not confirmed", "get_guests", "second ticket")
        assert methods(mock_context) == ["GET", "POST", "GET", "GET"]

    async def test_lost_answer_removal_confirmed_when_the_ticket_is_gone(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = [ok(guest(GA, VIP)), unavailable(), ok(guest(GA, VIP)), ok(guest(GA))]
        inputs = {"event_api_id": EVENT_ID, "email": "ana@example.com", "remove_ticket_ids": ["tkt-vip"]}
        data = ok_data(await run("update_guest_tickets", inputs, mock_context))
        assert data["guest"]["event_tickets"] == [GA]
        assert methods(mock_context) == ["GET", "POST", "GET", "GET"]

    async def test_failed_check_is_unconfirmed_never_resent(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = [ok(guest(GA)), lost(), *[unavailable()] * 6]
        failed(await run("update_guest_tickets", self.ADD_VIP, mock_context), "not confirmed", "failed too")
        assert methods(mock_context).count("POST") == 1

    async def test_a_failed_read_after_the_change_still_reports_success(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = [ok(guest(GA)), ok({}), *[unavailable()] * 3]
        data = ok_data(await run("update_guest_tickets", self.ADD_VIP, mock_context))
        assert "event_tickets" not in data["guest"] and data["guest"]["id"] == "gst-ana"
        assert methods(mock_context).count("POST") == 1
