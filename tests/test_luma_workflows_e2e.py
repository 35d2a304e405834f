"""Workflow actions (get_event_summary, update_guests_status, upsert_guest, clone_event) end to end: the SDK's real
ExecutionContext over HTTP against the local Luma, with its rate limit on."""

import json
import math

import pytest

from tests.support.fakes import ok_data, run
from tests.support.live import undeclared_routes

pytestmark = pytest.mark.e2e

UPDATE = "/v1/events/guests/update-status"
ADD = "/v1/events/guests/add"


def paid_type(emulator, event_id, name="VIP", cents=2500, **extra):
    body = {"event_id": event_id, "name": name, "type": "paid", "cents": cents, "currency": "usd", **extra}
    return emulator.call("POST", "/v1/events/ticket-types/create", body=body)


def status_of(emulator, event_id):
    return {g["user_email"]: g["approval_status"] for g in emulator.guests(event_id)}


class TestGetEventSummary:
    async def test_numbers_match_lumas_state(self, luma_emulator, live_context, event_id):
        vip = paid_type(luma_emulator, event_id, max_capacity=10)
        for n in range(3):  # paid through the event page
            luma_emulator.register_guest(event_id, f"buyer{n}@example.com", ticket_type_id=vip["id"])
        luma_emulator.add_guests(event_id, [{"email": "comp@example.com"}], ticket_type_ids=[vip["id"]])
        luma_emulator.seed_guests(event_id, 4)
        luma_emulator.seed_guests(event_id, 2, approval_status="pending_approval")
        luma_emulator.seed_guests(event_id, 1, approval_status="invited")
        luma_emulator.register_guest(event_id, "gone@example.com", ticket_type_id=vip["id"])
        luma_emulator.set_guest_status(event_id, "gone@example.com", "declined")
        luma_emulator.check_in(event_id, "buyer0@example.com")
        data = ok_data(await run("get_event_summary", {"event_api_id": event_id}, live_context))
        summary = data["summary"]
        assert summary["guests"] == luma_emulator.event(event_id)["guest_counts"]
        by_name = {entry["name"]: entry for entry in summary["ticket_types"]}
        assert by_name["VIP"] == {
            "id": vip["id"],
            "name": "VIP",
            "type": "paid",
            "capacity": 10,
            "sold": 3,
            "complimentary": 1,
            "remaining": 6,
        }
        assert by_name["General Admission"] == {**by_name["General Admission"], "sold": 4, "pending": 2}
        assert summary["revenue"] == [{"currency": "usd", "cents": 7500, "amount": "75.00"}]
        assert summary["guests"]["checked_in"] == {"guests": 1, "tickets": 1}
        assert len(json.dumps(data)) < 1000
        assert undeclared_routes(luma_emulator, "get_event_summary") == []

    async def test_a_thousand_guests_in_twelve_requests_and_a_small_answer(self, luma_emulator, live_context, event_id):
        luma_emulator.seed_guests(event_id, 1000)
        data = ok_data(await run("get_event_summary", {"event_api_id": event_id}, live_context))
        assert data["summary"]["guests_read"] == 1000 and data["summary"]["tickets_sold"] == 1000
        assert len(luma_emulator.requests) == 2 + math.ceil(1000 / 100)
        assert len(json.dumps(data)) < 700
