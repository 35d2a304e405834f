"""update_guest_tickets end to end: the SDK's real ExecutionContext over HTTP against the local Luma."""

import pytest

from tests.support.fakes import failed, ok_data, run
from tests.support.live import apply_late, posts, undeclared_routes

pytestmark = pytest.mark.e2e

UPDATE = "/v1/events/guests/update-tickets"


@pytest.fixture
def vip(luma_emulator, event_id):
    body = {"event_id": event_id, "name": "VIP", "type": "paid", "cents": 2500, "currency": "usd", "max_capacity": 1}
    return luma_emulator.call("POST", "/v1/events/ticket-types/create", body=body)


@pytest.fixture
def ana(luma_emulator, event_id):
    (guest,) = luma_emulator.seed_guests(event_id, 1)
    return guest


def held(emulator, event_id, guest):
    return [(t["event_ticket_type_id"], t["amount"]) for t in emulator.guest(event_id, guest["id"])["event_tickets"]]


class TestUpdateGuestTickets:
    async def test_adds_complimentary_tickets_beyond_capacity(self, luma_emulator, live_context, event_id, vip, ana):
        general = ana["event_tickets"][0]["event_ticket_type_id"]
        inputs = {"event_api_id": event_id, "email": ana["user_email"], "add_ticket_type_ids": [vip["id"], vip["id"]]}
        data = ok_data(await run("update_guest_tickets", {**inputs, "send_email": False}, live_context))
        # The paid type's capacity is 1: an administrative change goes past it, and takes no payment.
        assert held(luma_emulator, event_id, ana) == [(general, 0), (vip["id"], 0), (vip["id"], 0)]
        assert data["guest"]["event_tickets"] == luma_emulator.guest(event_id, ana["id"])["event_tickets"]
        assert [t["event_ticket_type_id"] for t in data["added_tickets"]] == [vip["id"], vip["id"]]
        assert posts(luma_emulator, UPDATE)[0].json["send_email"] is False
        assert undeclared_routes(luma_emulator, "update_guest_tickets") == []

    async def test_swaps_a_ticket(self, luma_emulator, live_context, event_id, vip, ana):
        old = ana["event_tickets"][0]["id"]
        inputs = {"event_api_id": event_id, "guest_api_id": ana["id"], "add_ticket_type_ids": [vip["id"]]}
        data = ok_data(await run("update_guest_tickets", {**inputs, "remove_ticket_ids": [old]}, live_context))
        assert held(luma_emulator, event_id, ana) == [(vip["id"], 0)]
        assert data["removed_ticket_ids"] == [old] and data["already_absent"] is False

    async def test_removing_again_is_already_absent(self, luma_emulator, live_context, event_id, vip, ana):
        add = {"event_api_id": event_id, "guest_api_id": ana["id"], "add_ticket_type_ids": [vip["id"]]}
        added = ok_data(await run("update_guest_tickets", add, live_context))["added_tickets"][0]["id"]
        remove = {"event_api_id": event_id, "guest_api_id": ana["id"], "remove_ticket_ids": [added]}
        first = ok_data(await run("update_guest_tickets", remove, live_context))
        again = ok_data(await run("update_guest_tickets", remove, live_context))
        assert (first["removed_ticket_ids"], first["already_absent"]) == ([added], False)
        assert (again["already_absent_ticket_ids"], again["already_absent"]) == ([added], True)
        assert len(posts(luma_emulator, UPDATE)) == 2

    @pytest.mark.parametrize("stray", ["ord-s9qYo275BEQ2i5", "TKT-Vnw7HSN91BA3l9"])
    async def test_what_is_not_a_ticket_id_is_refused_not_reported_removed(
        self, luma_emulator, live_context, event_id, vip, ana, stray
    ):
        add = {"event_api_id": event_id, "guest_api_id": ana["id"], "add_ticket_type_ids": [vip["id"]]}
        ok_data(await run("update_guest_tickets", add, live_context))
        before = held(luma_emulator, event_id, ana)
        remove = {"event_api_id": event_id, "guest_api_id": ana["id"], "remove_ticket_ids": [stray]}
        failed(await run("update_guest_tickets", remove, live_context), f"'{stray}'", "tkt-", "nothing was changed")
        assert held(luma_emulator, event_id, ana) == before and len(posts(luma_emulator, UPDATE)) == 1

    async def test_the_last_ticket_stays(self, luma_emulator, live_context, event_id, ana):
        inputs = {
            "event_api_id": event_id,
            "guest_api_id": ana["id"],
            "remove_ticket_ids": [ana["event_tickets"][0]["id"]],
        }
        failed(await run("update_guest_tickets", inputs, live_context), "at least one", "update_guest_status")
        assert posts(luma_emulator, UPDATE) == []

    async def test_a_ticket_type_of_another_event_is_lumas_refusal(self, luma_emulator, live_context, event_id, ana):
        other = luma_emulator.seed_events(1)[0]
        elsewhere = luma_emulator.ticket_types(other["id"])[0]["id"]
        inputs = {"event_api_id": event_id, "guest_api_id": ana["id"], "add_ticket_type_ids": [elsewhere]}
        failed(await run("update_guest_tickets", inputs, live_context), "400", "not a ticket type of this event")
        assert len(luma_emulator.guest(event_id, ana["id"])["event_tickets"]) == 1

    async def test_unknown_guest(self, luma_emulator, live_context, event_id, vip):
        inputs = {"event_api_id": event_id, "email": "nobody@example.com", "add_ticket_type_ids": [vip["id"]]}
        failed(await run("update_guest_tickets", inputs, live_context), "No guest with email nobody@example.com")
        assert posts(luma_emulator, UPDATE) == []

    @pytest.mark.parametrize("fault", [{"drop_after_work": True}, {"status": 503}])
    async def test_lost_answer_adds_exactly_once(self, luma_emulator, live_context, event_id, vip, ana, fault):
        luma_emulator.inject(f"POST {UPDATE}", **fault)
        inputs = {"event_api_id": event_id, "guest_api_id": ana["id"], "add_ticket_type_ids": [vip["id"]]}
        result = await run("update_guest_tickets", inputs, live_context)
        if "status" in fault:
            failed(result, "not confirmed", "get_guests", "second ticket")
            assert len(held(luma_emulator, event_id, ana)) == 1
        else:
            assert [t["event_ticket_type_id"] for t in ok_data(result)["added_tickets"]] == [vip["id"]]
            assert len(held(luma_emulator, event_id, ana)) == 2
        assert len(posts(luma_emulator, UPDATE)) == 1

    async def test_slow_change_found_on_the_second_look(
        self, luma_emulator, live_context, monkeypatch, event_id, vip, ana
    ):
        apply_late(monkeypatch, luma_emulator, live_context, UPDATE)
        inputs = {"event_api_id": event_id, "email": ana["user_email"], "add_ticket_type_ids": [vip["id"]]}
        data = ok_data(await run("update_guest_tickets", inputs, live_context))
        assert len(data["added_tickets"]) == 1 and len(held(luma_emulator, event_id, ana)) == 2
