"""Workflow actions (get_event_summary, update_guests_status, upsert_guest, clone_event) end to end: the SDK's real
ExecutionContext over HTTP against the local Luma, with its rate limit on."""

import json
import math
import time
from collections import Counter
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from autohive_integrations_sdk import ExecutionContext

import helpers
from luma_local import LumaEmulator
from tests.support.examples import event_to_clone
from tests.support.fakes import TEST_API_KEY, failed, ok_data, production_auth, run
from tests.support.live import census, posts, undeclared_routes

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
        # One page of pending guests, one request per change (a rule without answers does not read the event).
        assert len(luma_emulator.requests) == 1 + 20
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
                # The window's 40 requests: one page of pending guests and 39 changes.
                assert first["changed_count"] == 39 and first["remaining_count"] == 21
                assert "rate limit" in first["stopped_because"] and "Retry in" in first["stopped_because"]
                # Luma never saw more than its limit: the client held back, so the key was not locked out.
                assert all(request.status != 429 for request in emulator.requests)
                # A minute later, the same inputs plus the continuation finish the job.
                emulator.reset_rate_limit()
                helpers.reset_rate_limiters()
                second = ok_data(
                    await run("update_guests_status", {**inputs, "continuation": first["continuation"]}, context)
                )
            assert second["changed_count"] == 21 and second["continuation"] is None
            # The continuation read its guests again from the pending list (one page), then changed each once.
            assert len(emulator.requests) == 40 + 1 + 21
            assert {row["id"] for row in first["results"]}.isdisjoint(row["id"] for row in second["results"])
            assert set(status_of(emulator, event_id).values()) == {"approved"}
            sent = Counter(request.json["guest_id"] for request in posts(emulator, UPDATE))
            assert len(sent) == 60 and set(sent.values()) == {1}

    async def test_a_rule_over_a_big_event_answers_briefly(self, luma_emulator, live_context, event_id):
        # 1,500 guests already approved would otherwise be 1,500 entries (about 126,000 characters) saying nothing.
        luma_emulator.seed_guests(event_id, 1500, domain="acme.example")
        pending = luma_emulator.seed_guests(event_id, 3, approval_status="pending_approval", domain="acme.example")
        inputs = {"event_api_id": event_id, "status": "approved", "email_domains": ["acme.example"]}
        data = ok_data(await run("update_guests_status", inputs, live_context))
        assert (data["changed_count"], data["already_count"], data["continuation"]) == (3, 1500, None)
        assert [row["id"] for row in data["results"]] == [g["id"] for g in pending]
        assert len(json.dumps(data)) < 1000
        assert len(posts(luma_emulator, UPDATE)) == 3
        again = ok_data(await run("update_guests_status", inputs, live_context))
        assert (again["results"], again["changed_count"], again["already_count"]) == ([], 0, 1503)

    @pytest.mark.parametrize("dry_run", [True, False])
    async def test_domain_rules_take_either_form_of_an_internationalised_domain(
        self, luma_emulator, live_context, event_id, dry_run
    ):
        body = {"event_id": event_id, "guests": [{"email": "j@xn--bcher-kva.example"}, {"email": "k@other.example"}]}
        luma_emulator.call("POST", ADD, body=body)
        inputs = {
            "event_api_id": event_id,
            "status": "declined",
            "exclude_email_domains": ["bücher.example"],
            "send_email": True,
            "dry_run": dry_run,
        }
        data = ok_data(await run("update_guests_status", inputs, live_context))
        assert [(row["email"], row["status"]) for row in data["results"]] == [
            ("k@other.example", "would_change" if dry_run else "changed")
        ]
        declined = {"j@xn--bcher-kva.example": "approved", "k@other.example": "approved" if dry_run else "declined"}
        assert status_of(luma_emulator, event_id) == declined
        assert (
            [r.json["guest_id"] for r in posts(luma_emulator, UPDATE)] == []
            if dry_run
            else [luma_emulator.guest(event_id, "k@other.example")["id"]]
        )
        only = {key: value for key, value in inputs.items() if key != "exclude_email_domains"}
        only = {**only, "email_domains": ["Bücher.example"], "dry_run": True}
        assert [row["email"] for row in ok_data(await run("update_guests_status", only, live_context))["results"]] == (
            ["j@xn--bcher-kva.example"]
        )

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

    async def test_one_mailbox_in_unicode_and_ascii_domain_is_one_guest(self, luma_emulator, live_context, event_id):
        first = {"event_api_id": event_id, "email": "jürgen@bücher.example", "send_email": False}
        second = {**first, "email": "jürgen@xn--bcher-kva.example"}
        assert ok_data(await run("upsert_guest", first, live_context))["outcome"] == "added"
        assert ok_data(await run("upsert_guest", second, live_context))["outcome"] == "unchanged"
        assert len(luma_emulator.guests(event_id)) == 1 and len(posts(luma_emulator, ADD)) == 1

    async def test_the_ascii_form_first_then_the_unicode_form(self, luma_emulator, live_context, event_id):
        first = {"event_api_id": event_id, "email": "jürgen@xn--bcher-kva.example", "send_email": False}
        ok_data(await run("upsert_guest", first, live_context))
        again = ok_data(await run("upsert_guest", {**first, "email": "jürgen@BÜCHER.example"}, live_context))
        assert again["outcome"] == "unchanged" and len(luma_emulator.guests(event_id)) == 1

    async def test_sharp_s_is_not_double_s(self, luma_emulator, live_context, event_id):
        luma_emulator.call("POST", ADD, body={"event_id": event_id, "guests": [{"email": "x@strasse.de"}]})
        inputs = {"event_api_id": event_id, "email": "x@straße.de", "send_email": False}
        data = ok_data(await run("upsert_guest", inputs, live_context))
        assert data["outcome"] == "added" and data["guest"]["email"] == "x@straße.de"
        assert len(luma_emulator.guests(event_id)) == 2

    async def test_changes_status_then_nothing(self, luma_emulator, live_context, event_id):
        (guest,) = luma_emulator.seed_guests(event_id, 1, approval_status="declined")
        inputs = {"event_api_id": event_id, "email": guest["user_email"], "approval_status": "pending_approval"}
        assert ok_data(await run("upsert_guest", inputs, live_context))["outcome"] == "status_changed"
        assert ok_data(await run("upsert_guest", inputs, live_context))["outcome"] == "unchanged"
        assert luma_emulator.guest(event_id, guest["id"])["approval_status"] == "pending_approval"
        assert len(posts(luma_emulator, UPDATE)) == 1 and posts(luma_emulator, ADD) == []

    async def test_a_full_event_says_so_and_not_to_correct_the_input(self, luma_emulator, live_context):
        event = luma_emulator.seed_events(1, max_capacity=1)[0]
        luma_emulator.seed_guests(event["id"], 1, approval_status="approved")
        (waiting,) = luma_emulator.seed_guests(event["id"], 1, approval_status="waitlist")
        for email in (waiting["user_email"], "new@example.com"):
            inputs = {"event_api_id": event["id"], "email": email, "send_email": False}
            message = failed(await run("upsert_guest", inputs, live_context), "capacity")
            assert "Correct the input" not in message and "these emails" not in message, message

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


class TestCloneEvent:
    async def test_a_faithful_copy(self, luma_emulator, live_context):
        source = event_to_clone(luma_emulator)
        questions = [
            {
                "id": "q1",
                "label": "Company size",
                "required": True,
                "question_type": "dropdown",
                "options": ["1-10", "11+"],
            }
        ]
        luma_emulator.call(
            "POST",
            "/v1/events/update",
            body={"event_id": source["id"], "registration_questions": questions, "visibility": "private"},
        )
        luma_emulator.seed_guests(source["id"], 3)
        (early,) = [t for t in luma_emulator.ticket_types(source["id"]) if t["name"] == "Early Bird"]
        luma_emulator.call(
            "POST",
            "/v1/events/ticket-types/update",
            body={"event_ticket_type_id": early["id"], "valid_end_at": "2031-01-10"},
        )
        inputs = {"event_api_id": source["id"], "start_at": "2031-02-01T18:30", "timezone": "Europe/London"}
        data = ok_data(await run("clone_event", inputs, live_context))
        assert data["complete"] is True and data["stopped_because"] is None
        clone = luma_emulator.event(data["event"]["id"])
        source = luma_emulator.event(source["id"])
        for key in ("name", "description_md", "geo_address_json", "visibility", "registration_questions", "cover_url"):
            assert clone[key] == source[key], key
        assert (clone["start_at"], clone["timezone"], clone["duration_interval"]) == (
            "2031-02-01T18:30:00.000Z",
            "Europe/London",
            source["duration_interval"],
        )
        assert luma_emulator.state.events[clone["id"]]["_max_capacity"] == 50
        shown = ("name", "type", "cents", "currency", "is_hidden")
        assert [{k: t[k] for k in shown} for t in luma_emulator.ticket_types(clone["id"])] == [
            {"name": "Early Bird", "type": "paid", "cents": 1500, "currency": "usd", "is_hidden": False},
            {"name": "Crew", "type": "free", "cents": None, "currency": None, "is_hidden": True},
        ]
        (early_clone, crew_clone) = luma_emulator.ticket_types(clone["id"])
        # The sale end moves by the days the event's local date moves.
        source_day = datetime.fromisoformat(source["start_at"]).astimezone(ZoneInfo(source["timezone"])).date()
        moved = date(2031, 1, 10) + (date(2031, 2, 1) - source_day)
        assert early_clone["valid_end_at"] == moved.isoformat()
        coupons = {c["code"]: c for c in luma_emulator.coupons(clone["id"])}
        assert set(coupons) == {"EARLY10", "CREW"} and coupons["CREW"]["event_ticket_type_id"] == crew_clone["id"]
        assert undeclared_routes(luma_emulator, "clone_event") == []

    async def test_interrupted_clone_is_finished_by_a_second_run_creating_nothing_twice(
        self, luma_emulator, live_context
    ):
        source = event_to_clone(luma_emulator)
        before = census(luma_emulator)
        # Luma locks the key out in the middle of the clone, longer than the run can wait.
        luma_emulator.inject("POST /v1/events/coupons/create", status=429, retry_after=120, times=1)
        inputs = {"event_api_id": source["id"], "start_at": "2031-02-01T18:30"}
        first = ok_data(await run("clone_event", inputs, live_context))
        assert first["complete"] is False and "Retry in 120 seconds" in first["stopped_because"]
        assert [t["status"] for t in first["ticket_types"]] == ["updated_default", "created"]
        assert [c["status"] for c in first["coupons"]] == ["not_done", "not_done"]
        helpers.reset_rate_limiters()
        again = {**inputs, "target_event_api_id": first["event"]["id"]}
        second = ok_data(await run("clone_event", again, live_context))
        assert second["complete"] is True
        assert [t["status"] for t in second["ticket_types"]] == ["unchanged", "unchanged"]
        assert [c["status"] for c in second["coupons"]] == ["created", "created"]
        grown = census(luma_emulator) - before
        assert grown == Counter(events=1, ticket_types=2, event_coupons=2)

    async def test_an_unrelated_target_is_refused_and_left_as_it_is(self, luma_emulator, live_context):
        source = event_to_clone(luma_emulator)
        other = luma_emulator.seed_events(1)[0]
        luma_emulator.call(
            "POST",
            "/v1/events/ticket-types/create",
            body={"event_id": other["id"], "name": "Supporter", "type": "paid", "cents": 1500, "currency": "usd"},
        )
        before, types_before = census(luma_emulator), luma_emulator.ticket_types(other["id"])
        inputs = {"event_api_id": source["id"], "start_at": "2031-02-01T18:30", "target_event_api_id": other["id"]}
        failed(await run("clone_event", inputs, live_context), "is not the clone these inputs make", "starts at")
        assert census(luma_emulator) == before and luma_emulator.ticket_types(other["id"]) == types_before

    async def test_a_type_made_on_the_clone_is_kept_not_turned_into_a_source_type(self, luma_emulator, live_context):
        source = event_to_clone(luma_emulator)
        # The clone as an earlier run left it, where someone has since made a paid type of their own.
        made = luma_emulator.call(
            "POST",
            "/v1/events/create",
            body={"name": source["name"], "start_at": "2031-02-01T18:30:00.000Z", "timezone": "UTC"},
        )
        (default,) = luma_emulator.ticket_types(made["id"])
        own = {"event_id": made["id"], "name": "Supporter", "type": "paid", "cents": 900, "currency": "usd"}
        luma_emulator.call("POST", "/v1/events/ticket-types/create", body=own)
        luma_emulator.call("POST", "/v1/events/ticket-types/delete", body={"event_ticket_type_id": default["id"]})
        inputs = {
            "event_api_id": source["id"],
            "start_at": "2031-02-01T18:30Z",
            "timezone": "UTC",
            "target_event_api_id": made["id"],
        }
        data = ok_data(await run("clone_event", inputs, live_context))
        assert [t["status"] for t in data["ticket_types"]] == ["created", "created", "kept"]
        supporter = [t for t in luma_emulator.ticket_types(made["id"]) if t["name"] == "Supporter"]
        assert [(t["type"], t["cents"]) for t in supporter] == [("paid", 900)]

    async def test_lost_answers_create_exactly_one_of_each(self, luma_emulator, live_context):
        source = event_to_clone(luma_emulator)
        before = census(luma_emulator)
        for route in ("/v1/events/create", "/v1/events/ticket-types/create", "/v1/events/ticket-types/update"):
            luma_emulator.inject(f"POST {route}", drop_after_work=True)
        luma_emulator.inject("POST /v1/events/coupons/create", drop_after_work=True)
        data = ok_data(
            await run("clone_event", {"event_api_id": source["id"], "start_at": "2031-02-01T18:30"}, live_context)
        )
        assert data["complete"] is True
        assert census(luma_emulator) - before == Counter(events=1, ticket_types=2, event_coupons=2)
        assert len(posts(luma_emulator, "/v1/events/create")) == 1
