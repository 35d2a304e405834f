"""Workflow actions (get_event_summary, update_guests_status, upsert_guest, clone_event) end to end: the SDK's real
ExecutionContext over HTTP against the local Luma, with its rate limit on."""

import json
import math
import time
from collections import Counter

import pytest
from autohive_integrations_sdk import ExecutionContext

import helpers
from luma_local import LumaEmulator
from tests.support.fakes import TEST_API_KEY, failed, ok_data, production_auth, run
from tests.support.live import posts, undeclared_routes

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


class TestUpdateGuestsStatus:
    RULE = {"status": "approved", "from_status": ["pending_approval"], "send_email": False}

    async def test_approves_pending_guests_of_verified_domains_in_one_call(self, luma_emulator, live_context, event_id):
        luma_emulator.seed_guests(event_id, 20, approval_status="pending_approval", domain="acme.example")
        luma_emulator.seed_guests(event_id, 8, approval_status="pending_approval", domain="gmail.example")
        luma_emulator.seed_guests(event_id, 5, domain="acme.example")
        inputs = {"event_api_id": event_id, **self.RULE, "email_domains": ["acme.example"]}
        started = time.monotonic()
        data = ok_data(await run("update_guests_status", inputs, live_context))
        assert time.monotonic() - started < 5
        assert (data["changed_count"], data["already_count"], data["continuation"]) == (20, 0, None)
        statuses = Counter(status_of(luma_emulator, event_id).values())
        assert statuses == {"approved": 25, "pending_approval": 8}
        # The event, one page of pending guests, one request per change.
        assert len(luma_emulator.requests) == 2 + 20
        assert undeclared_routes(luma_emulator, "update_guests_status") == []

    async def test_dry_run_changes_nobody(self, luma_emulator, live_context, event_id):
        luma_emulator.seed_guests(event_id, 3, approval_status="pending_approval")
        data = ok_data(
            await run("update_guests_status", {"event_api_id": event_id, **self.RULE, "dry_run": True}, live_context)
        )
        assert data["would_change_count"] == 3 and posts(luma_emulator, UPDATE) == []

    async def test_a_fault_in_the_middle_is_unconfirmed_and_the_rest_changes(
        self, luma_emulator, live_context, event_id
    ):
        luma_emulator.seed_guests(event_id, 12, approval_status="pending_approval")
        luma_emulator.inject(f"POST {UPDATE}", status=503, times=1)
        data = ok_data(await run("update_guests_status", {"event_api_id": event_id, **self.RULE}, live_context))
        assert (data["changed_count"], data["unconfirmed_count"], data["failed_count"]) == (11, 1, 0)
        (unconfirmed,) = [row for row in data["results"] if row["status"] == "unconfirmed"]
        # Luma applied nothing for it, and it was sent once: never again, and not left for a continuation.
        assert status_of(luma_emulator, event_id)[unconfirmed["email"]] == "pending_approval"
        assert data["continuation"] is None
        sent = Counter(request.json["guest_id"] for request in posts(luma_emulator, UPDATE))
        assert len(sent) == 12 and set(sent.values()) == {1}

    async def test_a_lost_answer_in_the_middle_is_confirmed_without_a_second_send(
        self, luma_emulator, live_context, event_id
    ):
        luma_emulator.seed_guests(event_id, 8, approval_status="pending_approval")
        luma_emulator.inject(f"POST {UPDATE}", drop_after_work=True, times=1)
        data = ok_data(await run("update_guests_status", {"event_api_id": event_id, **self.RULE}, live_context))
        assert data["changed_count"] == 8
        assert set(status_of(luma_emulator, event_id).values()) == {"approved"}
        assert len(posts(luma_emulator, UPDATE)) == 8

    async def test_rate_limit_stops_it_and_the_continuation_never_changes_a_guest_twice(self, monkeypatch):
        async with LumaEmulator(api_key=TEST_API_KEY, rate_limit=40, validate_responses=True) as emulator:
            monkeypatch.setenv(helpers.LUMA_API_BASE_ENV, emulator.base_url)
            event_id = emulator.seed_events(1)[0]["id"]
            emulator.seed_guests(event_id, 60, approval_status="pending_approval", domain="acme.example")
            inputs = {"event_api_id": event_id, **self.RULE, "email_domains": ["acme.example"]}
            async with ExecutionContext(auth=production_auth()) as context:
                first = ok_data(await run("update_guests_status", inputs, context))
                assert first["changed_count"] == 38 and first["remaining_count"] == 22
                assert "rate limit" in first["stopped_because"] and "Retry in" in first["stopped_because"]
                # Luma never saw more than its limit: the client held back, so the key was not locked out.
                assert all(request.status != 429 for request in emulator.requests)
                # A minute later, the same inputs plus the continuation finish the job.
                emulator.reset_rate_limit()
                helpers.reset_rate_limiters()
                second = ok_data(
                    await run("update_guests_status", {**inputs, "continuation": first["continuation"]}, context)
                )
            assert second["changed_count"] == 22 and second["continuation"] is None
            assert {row["id"] for row in first["results"]}.isdisjoint(row["id"] for row in second["results"])
            assert set(status_of(emulator, event_id).values()) == {"approved"}
            sent = Counter(request.json["guest_id"] for request in posts(emulator, UPDATE))
            assert len(sent) == 60 and set(sent.values()) == {1}

    async def test_named_guests_by_email_and_id(self, luma_emulator, live_context, event_id):
        pending = luma_emulator.seed_guests(event_id, 3, approval_status="pending_approval")
        declined = luma_emulator.seed_guests(event_id, 1, approval_status="declined")
        inputs = {
            "event_api_id": event_id,
            "status": "waitlist",
            "emails": [pending[0]["user_email"].upper(), "nobody@example.com"],
            "guest_api_ids": [pending[1]["id"], declined[0]["id"]],
            "from_status": ["pending_approval"],
            "send_email": False,
        }
        data = ok_data(await run("update_guests_status", inputs, live_context))
        # guest_api_ids first, then emails.
        assert [row["status"] for row in data["results"]] == ["changed", "skipped", "changed", "failed"]
        statuses = status_of(luma_emulator, event_id)
        assert [statuses[g["user_email"]] for g in pending] == ["waitlist", "waitlist", "pending_approval"]


class TestUpsertGuest:
    async def test_twice_leaves_the_same_state(self, luma_emulator, live_context, event_id):
        inputs = {"event_api_id": event_id, "email": "Dana@Example.com", "name": "Dana", "send_email": False}
        first = ok_data(await run("upsert_guest", inputs, live_context))
        state = luma_emulator.guests(event_id)
        second = ok_data(await run("upsert_guest", inputs, live_context))
        assert (first["outcome"], second["outcome"]) == ("added", "unchanged")
        assert luma_emulator.guests(event_id) == state and len(state) == 1
        assert first["guest"]["id"] == second["guest"]["id"] == state[0]["id"]
        assert len(posts(luma_emulator, ADD)) == 1

    async def test_changes_status_then_nothing(self, luma_emulator, live_context, event_id):
        (guest,) = luma_emulator.seed_guests(event_id, 1, approval_status="declined")
        inputs = {"event_api_id": event_id, "email": guest["user_email"], "approval_status": "pending_approval"}
        assert ok_data(await run("upsert_guest", inputs, live_context))["outcome"] == "status_changed"
        assert ok_data(await run("upsert_guest", inputs, live_context))["outcome"] == "unchanged"
        assert luma_emulator.guest(event_id, guest["id"])["approval_status"] == "pending_approval"
        assert len(posts(luma_emulator, UPDATE)) == 1 and posts(luma_emulator, ADD) == []

    async def test_an_invited_person_is_added_with_the_ticket_type_asked(self, luma_emulator, live_context, event_id):
        (invited,) = luma_emulator.seed_guests(event_id, 1, approval_status="invited")
        vip = paid_type(luma_emulator, event_id)
        inputs = {"event_api_id": event_id, "email": invited["user_email"], "event_ticket_type_id": vip["id"]}
        data = ok_data(await run("upsert_guest", inputs, live_context))
        assert (data["outcome"], data["previous_status"], data["guest"]["ticket_types"]) == (
            "added",
            "invited",
            ["VIP"],
        )
        assert luma_emulator.guest(event_id, invited["id"])["approval_status"] == "approved"

    async def test_lost_answer_adds_exactly_one(self, luma_emulator, live_context, event_id):
        luma_emulator.inject(f"POST {ADD}", drop_after_work=True)
        data = ok_data(await run("upsert_guest", {"event_api_id": event_id, "email": "eli@example.com"}, live_context))
        assert data["outcome"] == "added" and len(luma_emulator.guests(event_id)) == 1

    async def test_a_full_event_is_a_clear_error(self, luma_emulator, live_context):
        event_id = luma_emulator.seed_events(1, max_capacity=1)[0]["id"]
        luma_emulator.seed_guests(event_id, 1)
        result = await run("upsert_guest", {"event_api_id": event_id, "email": "late@example.com"}, live_context)
        failed(result, "at capacity")
