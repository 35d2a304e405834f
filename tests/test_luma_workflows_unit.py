"""Workflow actions (get_event_summary, update_guests_status, upsert_guest, clone_event) with a mocked
context.fetch: a small routing fake of Luma answers each request, so concurrent requests need no fixed order."""

import asyncio
import copy
import json
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import aiohttp
import pytest
from autohive_integrations_sdk import RateLimitError

import helpers
from operations import bulk_status, event_summary
from operations.ticket_types import decimal_text
from tests.support.fakes import assert_input_error, assert_schema_error, failed, luma_error, ok, ok_data, run
from tests.support.samples import COUPON, EVENT, TICKET_TYPE, guest_record

pytestmark = [pytest.mark.unit, pytest.mark.usefixtures("fixed_now")]

EVENT_ID = EVENT["id"]
GA = {**TICKET_TYPE, "id": "ttype-ga", "name": "General Admission", "type": "free", "cents": None, "currency": None}
VIP = {**TICKET_TYPE, "max_capacity": 10}
UPDATE = "/v1/events/guests/update-status"
STATUSES = ("approved", "pending_approval", "waitlist", "invited", "declined")


def ticket(type_id: str, amount: int = 0, currency: str | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "id": f"tkt-{type_id}-{amount}",
        "amount": amount,
        "amount_discount": 0,
        "amount_tax": 0,
        "currency": currency,
        "checked_in_at": None,
        "event_ticket_type_id": type_id,
        "is_captured": True,
        "name": type_id,
        **extra,
    }


def guest(email: str, status: str = "approved", tickets: list | None = None, answers: list | None = None) -> dict:
    record = guest_record(email, status)
    record["event_tickets"] = tickets if tickets is not None else ([] if status == "invited" else [ticket("ttype-ga")])
    record["registration_answers"] = answers
    return record


def overlapping_posts(fake: "FakeLuma", ctx) -> dict[str, int]:
    """Makes `fake` answer ctx.fetch with each POST letting the others start first, as a round trip would; the
    state's `most` is how many POSTs were in flight at once."""
    state = {"in_flight": 0, "most": 0}

    async def fetch(url, method="GET", **kwargs):
        if method == "POST":
            state["in_flight"] += 1
            state["most"] = max(state["most"], state["in_flight"])
            await asyncio.sleep(0)
            state["in_flight"] -= 1
        return await fake.fetch(url, method=method, **kwargs)

    ctx.fetch.side_effect = fetch
    return state


class FakeLuma:
    """Luma for one calendar: events, their ticket types, guests and coupons. `script[(method, path)]` lists what
    the next writes to that route do: "apply" (default), "drop" (apply, then lose the answer), "lost" (lose the
    request), or an exception to raise."""

    def __init__(self, guests=(), types=(GA,), coupons=(), event=None):
        self.events = {EVENT_ID: dict(event or EVENT, registration_questions=[])}
        self.types = {EVENT_ID: [copy.deepcopy(t) for t in types]}
        self.guests = {EVENT_ID: [copy.deepcopy(g) for g in guests]}
        self.coupons = {EVENT_ID: [copy.deepcopy(c) for c in coupons]}
        self.script: dict[tuple[str, str], list] = {}
        self.sent: list[tuple[str, str, dict, Any]] = []

    def answering(self, ctx):
        ctx.fetch.side_effect = self.fetch
        return self

    def posts(self, path: str) -> list[dict]:
        return [body for method, sent_path, _, body in self.sent if method == "POST" and sent_path == path]

    def gets(self, path: str) -> list[dict]:
        return [query for method, sent_path, query, _ in self.sent if method == "GET" and sent_path == path]

    def find(self, event_id: str, ident: str) -> dict | None:
        return next(
            (
                g
                for g in self.guests[event_id]
                if ident in (g["id"], g["user_email"]) or ident == g["user_email"].lower()
            ),
            None,
        )

    def event_out(self, event_id: str) -> dict:
        counts = {status: {"guests": 0, "tickets": 0} for status in (*STATUSES, "checked_in")}
        for g in self.guests[event_id]:
            counts[g["approval_status"]]["guests"] += 1
            counts[g["approval_status"]]["tickets"] += len(g["event_tickets"])
        return {**self.events[event_id], "guest_counts": counts}

    async def fetch(self, url, method="GET", json=None, **kwargs):
        parts = urlsplit(url)
        query, path = dict(parse_qsl(parts.query)), parts.path
        self.sent.append((method, path, query, json))
        if method == "GET":
            return self.read(path, query)
        step = (self.script.get((method, path)) or ["apply"]).pop(0)
        if isinstance(step, Exception):
            raise step
        if step == "lost":
            raise aiohttp.ServerDisconnectedError()
        answer = self.write(path, json)
        if step == "drop":
            raise aiohttp.ServerDisconnectedError()
        return ok(answer)

    def read(self, path: str, query: dict) -> Any:
        event_id = query.get("event_id")
        if event_id is not None and event_id not in self.events:
            raise luma_error(404, f"Event {event_id} not found")
        if path == "/v1/events/get":
            return ok(self.event_out(event_id))
        if path == "/v1/events/ticket-types/list":
            hidden = query.get("include_hidden") == "true"
            return ok({"entries": [t for t in self.types[event_id] if hidden or not t["is_hidden"]]})
        if path == "/v1/events/guests/get":
            found = self.find(event_id, query["id"])
            if found is None:
                raise luma_error(404, f"Guest {query['id']} not found")
            return ok(found)
        if path == "/v1/events/guests/list":
            listed = [g for g in self.guests[event_id] if query.get("approval_status") in (None, g["approval_status"])]
            return self.page(listed, query)
        if path == "/v1/events/coupons/list":
            return self.page(self.coupons[event_id], query)
        if path == "/v1/calendars/events/list":
            return self.page([self.event_out(e) for e in self.events], query)
        raise AssertionError(f"unexpected GET {path}")

    @staticmethod
    def page(items: list, query: dict) -> Any:
        start = int(query.get("pagination_cursor", "0"))
        end = start + int(query["pagination_limit"])
        more = end < len(items)
        return ok({"entries": items[start:end], "has_more": more, **({"next_cursor": str(end)} if more else {})})

    def write(self, path: str, body: dict) -> Any:
        if path == UPDATE:
            found = self.find(body["event_id"], body["guest_id"])
            if found is None:
                raise luma_error(404, f"Guest {body['guest_id']} not found")
            found["approval_status"] = body["status"]
            return {}
        if path == "/v1/events/guests/add":
            for entry in body["guests"]:
                existing = self.find(body["event_id"], entry["email"])
                status = body.get("approval_status", "approved")
                if existing is None:
                    added = guest(entry["email"], status)
                    added["registered_at"] = "2026-02-01T12:00:00.000Z"
                    self.guests[body["event_id"]].append(added)
                elif existing["approval_status"] == "invited":
                    existing.update(approval_status=status, registered_at="2026-02-01T12:00:00.000Z")
            return {}
        if path == "/v1/events/create":
            new_id = f"evt-clone{len(self.events)}"
            self.events[new_id] = {
                **{k: v for k, v in body.items() if k not in ("max_capacity",)},
                # Luma shows a capacity only as the spots remaining (all of them, on a new event).
                "spots_remaining": body.get("max_capacity"),
                "id": new_id,
                "created_at": "2026-02-01T12:00:00.000Z",
                "url": f"https://luma.com/{new_id}",
            }
            self.types[new_id] = [dict(GA, id=f"ttype-default-{new_id}")]
            self.guests[new_id], self.coupons[new_id] = [], []
            return {"id": new_id}
        if path == "/v1/events/ticket-types/create":
            made = {**GA, "description": None, **{k: v for k, v in body.items() if k != "event_id"}}
            made["id"] = f"ttype-new{sum(len(t) for t in self.types.values())}"
            self.types[body["event_id"]].append(made)
            return made
        if path == "/v1/events/ticket-types/update":
            found = next(t for types in self.types.values() for t in types if t["id"] == body["event_ticket_type_id"])
            found.update({k: v for k, v in body.items() if k != "event_ticket_type_id"})
            return found
        if path == "/v1/events/coupons/create":
            made = {
                "id": f"ecp-{body['code']}",
                "code": body["code"],
                "remaining_count": body.get("remaining_count"),
                "valid_start_at": body.get("valid_start_at"),
                "valid_end_at": body.get("valid_end_at"),
                "percent_off": body["discount"].get("percent_off"),
                "cents_off": body["discount"].get("cents_off"),
                "currency": body["discount"].get("currency"),
                "event_ticket_type_id": body.get("event_ticket_type_id"),
            }
            self.coupons[body["event_id"]].append(made)
            return made
        raise AssertionError(f"unexpected POST {path}")


# ---- get_event_summary ---------------------------------------------------------------------------------------


class TestGetEventSummary:
    GUESTS = [
        guest("paid1@example.com", tickets=[ticket("ttype-vip", 2500, "usd")]),
        guest("paid2@example.com", tickets=[ticket("ttype-vip", 2000, "usd"), ticket("ttype-ga")]),
        guest("comp@example.com", tickets=[ticket("ttype-vip", 0, None)]),
        guest("free@example.com"),
        guest("wait@example.com", "pending_approval", [ticket("ttype-vip", 2500, "usd", is_captured=False)]),
        guest("gone@example.com", "declined", [ticket("ttype-vip", 2500, "usd")]),
        guest("asked@example.com", "invited"),
        guest("yen@example.com", tickets=[ticket("ttype-jpy", 1500, "jpy")]),
    ]

    async def test_counts_sold_complimentary_pending_and_revenue(self, mock_context):
        yen = {**TICKET_TYPE, "id": "ttype-jpy", "name": "Tokyo", "cents": 1500, "currency": "jpy"}
        fake = FakeLuma(self.GUESTS, types=[GA, VIP, yen]).answering(mock_context)
        fake.events[EVENT_ID]["spots_remaining"] = 40
        summary = ok_data(await run("get_event_summary", {"event_api_id": EVENT_ID}, mock_context))["summary"]
        assert summary["event"] == {
            "id": EVENT_ID,
            "name": EVENT["name"],
            "start_at": EVENT["start_at"],
            "spots_remaining": 40,
        }
        assert summary["guests"]["approved"] == {"guests": 5, "tickets": 6}
        assert summary["guests"]["invited"] == {"guests": 1, "tickets": 0}
        assert summary["ticket_types"] == [
            {"id": "ttype-ga", "name": "General Admission", "type": "free", "sold": 2},
            {"id": "ttype-vip", "name": "VIP", "type": "paid", "capacity": 10, "sold": 2, "complimentary": 1,
             "pending": 1, "remaining": 7},
            {"id": "ttype-jpy", "name": "Tokyo", "type": "paid", "sold": 1},
        ]  # fmt: skip
        assert (summary["tickets_sold"], summary["complimentary"]) == (5, 1)
        assert summary["revenue"] == [
            {"currency": "jpy", "cents": 1500, "amount": "1500"},
            {"currency": "usd", "cents": 4500, "amount": "45.00"},
        ]
        assert (summary["guests_read"], summary["complete"]) == (8, True)

    def test_the_fields_kept_of_each_guest_count_the_same(self):
        # The guest list is kept page by page as only what the summary counts (a few per cent of Luma's record).
        yen = {**TICKET_TYPE, "id": "ttype-jpy", "name": "Tokyo", "cents": 1500, "currency": "jpy"}
        types = [GA, VIP, yen]
        kept = [event_summary.sales_fields(g) for g in self.GUESTS]
        assert event_summary.ticket_sales(kept, types) == event_summary.ticket_sales(self.GUESTS, types)
        assert set(kept[0]) == {"approval_status", "event_tickets"}
        assert len(json.dumps(kept)) < len(json.dumps(self.GUESTS)) / 3

    async def test_reads_event_types_and_largest_guest_pages_only(self, mock_context):
        many = [guest(f"p{n:03d}@example.com") for n in range(250)]
        fake = FakeLuma(many).answering(mock_context)
        summary = ok_data(await run("get_event_summary", {"event_api_id": EVENT_ID}, mock_context))["summary"]
        assert summary["guests_read"] == 250 and summary["ticket_types"][0]["sold"] == 250
        assert [path for _, path, _, _ in fake.sent].count("/v1/events/guests/list") == 3
        assert len(fake.sent) == 5
        assert all(query["pagination_limit"] == "100" for query in fake.gets("/v1/events/guests/list"))
        assert fake.gets("/v1/events/ticket-types/list") == [{"event_id": EVENT_ID, "include_hidden": "true"}]

    async def test_deleted_ticket_type_still_counts(self, mock_context):
        FakeLuma([guest("a@example.com", tickets=[ticket("ttype-old", 900, "eur")])]).answering(mock_context)
        summary = ok_data(await run("get_event_summary", {"event_api_id": EVENT_ID}, mock_context))["summary"]
        assert {"id": "ttype-old", "name": "ttype-old", "sold": 1} in summary["ticket_types"]
        assert summary["revenue"] == [{"currency": "eur", "cents": 900, "amount": "9.00"}]

    async def test_sold_out_type_shows_remaining_zero(self, mock_context):
        full = [guest(f"v{n}@example.com", tickets=[ticket("ttype-vip", 2500, "usd")]) for n in range(10)]
        FakeLuma(full, types=[GA, VIP]).answering(mock_context)
        summary = ok_data(await run("get_event_summary", {"event_api_id": EVENT_ID}, mock_context))["summary"]
        assert summary["ticket_types"][1]["remaining"] == 0

    async def test_a_later_page_failing_is_an_incomplete_summary(self, mock_context, no_sleep):
        fake = FakeLuma([guest(f"p{n:03d}@example.com") for n in range(150)]).answering(mock_context)
        read = fake.read

        def flaky(path, query):
            if path == "/v1/events/guests/list" and query.get("pagination_cursor"):
                raise luma_error(503, "down")
            return read(path, query)

        fake.read = flaky
        summary = ok_data(await run("get_event_summary", {"event_api_id": EVENT_ID}, mock_context))["summary"]
        assert (summary["guests_read"], summary["complete"]) == (100, False)
        assert summary["guests"]["approved"]["guests"] == 150

    async def test_unknown_event_is_one_clear_error(self, mock_context):
        FakeLuma().answering(mock_context)
        failed(await run("get_event_summary", {"event_api_id": "evt-nope"}, mock_context), "404", "evt-nope")

    async def test_schema(self, mock_context):
        assert_schema_error(await run("get_event_summary", {}, mock_context), mock_context)
        assert_schema_error(
            await run("get_event_summary", {"event_api_id": EVENT_ID, "x": 1}, mock_context), mock_context
        )

    @pytest.mark.parametrize(
        ("cents", "currency", "text"),
        [
            (1999, "usd", "19.99"),
            (5, "usd", "0.05"),
            (1500, "JPY", "1500"),
            (12345, "kwd", "12.345"),
            (7, "solana_sol", None),
        ],
    )
    def test_decimal_amounts_are_exact(self, cents, currency, text):
        assert decimal_text(cents, currency) == text


# ---- update_guests_status ------------------------------------------------------------------------------------


def statuses(data: dict) -> dict[str, str]:
    return {row["email"] or row["id"]: row["status"] for row in data["results"]}


class TestUpdateGuestsStatus:
    PENDING = [
        guest("ana@acme.com", "pending_approval"),
        guest("ben@globex.com", "pending_approval"),
        guest("cy@gmail.com", "pending_approval"),
        guest("dee@acme.com", "approved"),
        guest("eve@acme.com", "invited"),
    ]

    async def test_rule_by_status_and_domain_changes_only_matching_guests(self, mock_context):
        fake = FakeLuma(self.PENDING).answering(mock_context)
        inputs = {
            "event_api_id": EVENT_ID,
            "status": "approved",
            "from_status": ["pending_approval"],
            "email_domains": ["ACME.com", "@globex.com"],
            "send_email": False,
        }
        data = ok_data(await run("update_guests_status", inputs, mock_context))
        assert data["results"] == [
            {"id": "gst-ana", "email": "ana@acme.com", "status": "changed", "previous_status": "pending_approval"},
            {"id": "gst-ben", "email": "ben@globex.com", "status": "changed", "previous_status": "pending_approval"},
        ]
        assert (data["changed_count"], data["remaining_count"], data["continuation"]) == (2, 0, None)
        assert sorted(fake.posts(UPDATE), key=lambda b: b["guest_id"]) == [
            {"event_id": EVENT_ID, "guest_id": "gst-ana", "status": "approved", "send_email": False},
            {"event_id": EVENT_ID, "guest_id": "gst-ben", "status": "approved", "send_email": False},
        ]
        # One status filter: Luma lists only the pending guests. A rule without answers needs nothing of the event,
        # so it is not read: one page and one request per change.
        assert fake.gets("/v1/events/guests/list")[0]["approval_status"] == "pending_approval"
        assert len(fake.sent) == 3

    async def test_deny_list_and_no_from_status_never_select_invited_people(self, mock_context):
        FakeLuma(self.PENDING).answering(mock_context)
        inputs = {"event_api_id": EVENT_ID, "status": "declined", "exclude_email_domains": ["gmail.com"]}
        data = ok_data(await run("update_guests_status", inputs, mock_context))
        assert statuses(data) == {
            "ana@acme.com": "changed",
            "ben@globex.com": "changed",
            "dee@acme.com": "changed",
        }

    async def test_subdomain_pattern(self, mock_context):
        FakeLuma([guest("x@eu.acme.com", "pending_approval"), guest("y@acme.com", "pending_approval")]).answering(
            mock_context
        )
        inputs = {"event_api_id": EVENT_ID, "status": "approved", "email_domains": ["*.acme.com"]}
        assert statuses(ok_data(await run("update_guests_status", inputs, mock_context))) == {
            "x@eu.acme.com": "changed"
        }

    async def test_answers_and_ticket_type_rules(self, mock_context):
        def answer(label, value, kind="dropdown"):
            return [{"label": label, "question_id": "q1", "value": value, "question_type": kind}]

        people = [
            guest("big@example.com", "pending_approval", answers=answer("Company size", "200+")),
            guest("mid@example.com", "pending_approval", answers=answer("Company size", "50-200")),
            guest("small@example.com", "pending_approval", answers=answer("Company size", "1-10")),
            guest("none@example.com", "pending_approval"),
            guest(
                "multi@example.com", "pending_approval", answers=answer("company SIZE ", ["x", "200+"], "multi-select")
            ),
        ]
        people[1]["event_tickets"] = [ticket("ttype-vip", 2500, "usd")]
        fake = FakeLuma(people, types=(GA, {**GA, "id": "ttype-vip", "name": "VIP"})).answering(mock_context)
        fake.events[EVENT_ID]["registration_questions"] = [{"id": "q1", "label": "Company size", "required": False}]
        inputs = {"event_api_id": EVENT_ID, "status": "approved", "answers": {"company size": ["50-200", "200+"]}}
        data = ok_data(await run("update_guests_status", {**inputs, "dry_run": True}, mock_context))
        assert statuses(data) == {
            "big@example.com": "would_change",
            "mid@example.com": "would_change",
            "multi@example.com": "would_change",
        }
        assert fake.posts(UPDATE) == []
        typed = {**inputs, "event_ticket_type_id": "ttype-vip"}
        assert statuses(ok_data(await run("update_guests_status", typed, mock_context))) == {
            "mid@example.com": "changed"
        }

    async def test_unknown_question_label_names_the_questions(self, mock_context):
        fake = FakeLuma(self.PENDING).answering(mock_context)
        fake.events[EVENT_ID]["registration_questions"] = [{"id": "q1", "label": "Company size", "required": False}]
        inputs = {"event_api_id": EVENT_ID, "status": "approved", "answers": {"Team size": ["5"]}}
        failed(await run("update_guests_status", inputs, mock_context), "'Team size'", "'Company size'")
        assert fake.posts(UPDATE) == []

    async def test_named_guests_report_already_skipped_and_not_found(self, mock_context):
        fake = FakeLuma(self.PENDING).answering(mock_context)
        inputs = {
            "event_api_id": EVENT_ID,
            "status": "approved",
            "emails": ["Ana@ACME.com", "dee@acme.com", "cy@gmail.com", "ghost@example.com"],
            "guest_api_ids": ["gst-ana"],
            "exclude_email_domains": ["gmail.com"],
        }
        data = ok_data(await run("update_guests_status", inputs, mock_context))
        assert data["results"] == [
            {"id": "gst-ana", "email": "ana@acme.com", "status": "changed", "previous_status": "pending_approval"},
            {"id": "gst-dee", "email": "dee@acme.com", "status": "already"},
            {
                "id": "gst-cy",
                "email": "cy@gmail.com",
                "status": "skipped",
                "message": "Not changed: their email domain gmail.com is in exclude_email_domains.",
            },
            {
                "id": None,
                "email": "ghost@example.com",
                "status": "failed",
                "message": "No guest with email ghost@example.com is on this event.",
            },
        ]
        assert [body["guest_id"] for body in fake.posts(UPDATE)] == ["gst-ana"]

    @pytest.mark.parametrize("dry_run", [False, True])
    async def test_guests_a_rule_finds_already_in_the_status_are_counted_not_listed(self, mock_context, dry_run):
        # On a big event they would be most of the answer; guests the caller named are still each listed.
        people = [guest(f"in{n}@acme.com", "approved") for n in range(5)] + self.PENDING
        FakeLuma(people).answering(mock_context)
        inputs = {"event_api_id": EVENT_ID, "status": "approved", "email_domains": ["acme.com"], "dry_run": dry_run}
        data = ok_data(await run("update_guests_status", inputs, mock_context))
        assert statuses(data) == {"ana@acme.com": "would_change" if dry_run else "changed"}
        assert data["already_count"] == 6
        named = {**inputs, "emails": ["in0@acme.com", "dee@acme.com"]}
        data = ok_data(await run("update_guests_status", named, mock_context))
        assert statuses(data) == {"in0@acme.com": "already", "dee@acme.com": "already"}
        assert data["already_count"] == 2

    async def test_many_named_guests_are_found_with_one_read_of_the_list(self, mock_context):
        people = [guest(f"p{n:03d}@example.com", "pending_approval") for n in range(30)]
        fake = FakeLuma(people).answering(mock_context)
        inputs = {"event_api_id": EVENT_ID, "status": "approved", "emails": [g["user_email"] for g in people[:20]]}
        data = ok_data(await run("update_guests_status", inputs, mock_context))
        assert data["changed_count"] == 20
        assert fake.gets("/v1/events/guests/get") == [] and len(fake.gets("/v1/events/guests/list")) == 1
        assert [row["email"] for row in data["results"]] == inputs["emails"]

    async def test_options_are_sent_with_every_change(self, mock_context):
        fake = FakeLuma(self.PENDING[:1]).answering(mock_context)
        inputs = {
            "event_api_id": EVENT_ID,
            "status": "declined",
            "guest_api_ids": ["gst-ana"],
            "should_refund": True,
            "message": "Sorry, we are full.",
        }
        ok_data(await run("update_guests_status", inputs, mock_context))
        assert fake.posts(UPDATE) == [
            {
                "event_id": EVENT_ID,
                "guest_id": "gst-ana",
                "status": "declined",
                "should_refund": True,
                "message": "Sorry, we are full.",
            }
        ]

    @pytest.mark.parametrize(
        ("extra", "words"),
        [
            ({}, ["Say which guests"]),
            ({"guest_api_ids": ["gst-1"], "message": "x", "send_email": False}, ["send_email false"]),
            ({"email_domains": ["not a domain"]}, ["'not a domain'", "email_domains"]),
            ({"exclude_email_domains": ["example"]}, ["'example'"]),
            ({"emails": ["a@@example.com"]}, ["not a valid email"]),
            ({"answers": {" ": ["x"]}}, ["empty question label"]),
            ({"guest_api_ids": ["gst-1"], "continuation": "garbage"}, ["continuation is not one"]),
        ],
    )
    async def test_input_rules_refuse_before_sending(self, mock_context, extra, words):
        result = await run(
            "update_guests_status", {"event_api_id": EVENT_ID, "status": "approved", **extra}, mock_context
        )
        assert_input_error(result, mock_context, *words)

    @pytest.mark.parametrize(
        "extra",
        [
            {"status": "invited", "from_status": ["approved"]},
            {"from_status": []},
            {"from_status": ["session"]},
            {"answers": {}},
            {"answers": {"Size": []}},
            {"emails": []},
            {"guest_api_ids": ["gst-1"] * 1001},
            {"message": "x" * 201, "from_status": ["approved"]},
        ],
    )
    async def test_schema_rejects(self, mock_context, extra):
        result = await run(
            "update_guests_status", {"event_api_id": EVENT_ID, "status": "approved", **extra}, mock_context
        )
        assert_schema_error(result, mock_context)

    async def test_lost_answer_is_read_back_and_never_resent(self, mock_context, no_sleep):
        fake = FakeLuma(self.PENDING[:2]).answering(mock_context)
        fake.script[("POST", UPDATE)] = ["drop", "lost"]
        inputs = {"event_api_id": EVENT_ID, "status": "approved", "from_status": ["pending_approval"]}
        data = ok_data(await run("update_guests_status", inputs, mock_context))
        assert sorted(statuses(data).values()) == ["changed", "unconfirmed"]
        assert len(fake.posts(UPDATE)) == 2
        unconfirmed = next(row for row in data["results"] if row["status"] == "unconfirmed")
        assert "not sent again" in unconfirmed["message"] and data["continuation"] is None

    async def test_luma_not_answering_stops_new_changes_after_the_first_unconfirmed(self, mock_context, no_sleep):
        people = [guest(f"p{n:02d}@example.com", "pending_approval") for n in range(30)]
        fake = FakeLuma(people).answering(mock_context)
        fake.script[("POST", UPDATE)] = ["lost"] * 30  # Luma hangs up on every change and applies none
        inputs = {"event_api_id": EVENT_ID, "status": "approved", "from_status": ["pending_approval"]}
        data = ok_data(await run("update_guests_status", inputs, mock_context))
        # Only the changes already in flight when the first went unconfirmed were sent; the rest wait in the
        # continuation instead of piling up as more unconfirmed guests.
        sent = len(fake.posts(UPDATE))
        assert sent <= 6 and data["unconfirmed_count"] == sent
        assert data["remaining_count"] == 30 - sent and data["continuation"]
        assert "could not be confirmed" in data["stopped_because"]

    async def test_refusal_is_failed_with_lumas_words_and_capacity_stops_the_rest(self, mock_context):
        people = [guest(f"p{n}@example.com", "pending_approval") for n in range(10)]
        fake = FakeLuma(people).answering(mock_context)
        fake.script[("POST", UPDATE)] = [luma_error(400, "Event is at capacity (5 approved guests)")] * 10
        inputs = {"event_api_id": EVENT_ID, "status": "approved", "from_status": ["pending_approval"]}
        data = ok_data(await run("update_guests_status", inputs, mock_context))
        assert data["failed_count"] >= 1 and data["changed_count"] == 0
        assert data["failed_count"] + data["remaining_count"] == 10
        assert "Event is at capacity" in data["results"][0]["message"]
        assert "capacity" in data["stopped_because"] and data["continuation"]

    async def test_rate_limit_stops_with_a_continuation_that_finishes_the_rest(self, mock_context, no_sleep):
        people = [guest(f"p{n:02d}@example.com", "pending_approval") for n in range(12)]
        fake = FakeLuma(people).answering(mock_context)
        fake.script[("POST", UPDATE)] = ["apply"] * 4 + [RateLimitError(60, 429, "Too many requests", "")] * 20
        inputs = {"event_api_id": EVENT_ID, "status": "approved", "from_status": ["pending_approval"]}
        first = ok_data(await run("update_guests_status", inputs, mock_context))
        assert first["changed_count"] == 4 and first["remaining_count"] == 8
        assert "Retry in" in first["stopped_because"] and first["continuation"]
        assert [row["status"] for row in first["results"]] == ["changed"] * 4
        fake.script.clear()
        helpers.reset_rate_limiters()  # a minute later
        changed_first = {row["id"] for row in first["results"]}
        sent_before = len(fake.posts(UPDATE))
        second = ok_data(
            await run(
                "update_guests_status",
                {"event_api_id": EVENT_ID, "status": "approved", "continuation": first["continuation"]},
                mock_context,
            )
        )
        assert second["changed_count"] == 8 and second["continuation"] is None
        assert not changed_first & {row["id"] for row in second["results"]}
        resent = [body["guest_id"] for body in fake.posts(UPDATE)[sent_before:]]
        assert not changed_first & set(resent) and len(resent) == 8

    async def test_continuation_skips_guests_that_no_longer_match(self, mock_context):
        people = [guest(f"p{n}@example.com", "pending_approval") for n in range(3)]
        fake = FakeLuma(people).answering(mock_context)
        rule = bulk_status.rule_from(from_status=["pending_approval"])
        options = bulk_status.ChangeOptions("approved")
        token = bulk_status.encode_continuation(EVENT_ID, options, rule, "", ["gst-p0", "gst-p1", "gst-gone"])
        fake.guests[EVENT_ID][1]["approval_status"] = "declined"
        inputs = {"event_api_id": EVENT_ID, "status": "approved", "continuation": token}
        data = ok_data(await run("update_guests_status", inputs, mock_context))
        assert statuses(data) == {"p0@example.com": "changed", "p1@example.com": "skipped", "gst-gone": "failed"}
        assert [body["guest_id"] for body in fake.posts(UPDATE)] == ["gst-p0"]

    async def test_a_continuation_of_many_guests_reads_their_status_list_again(self, mock_context):
        # More guests than are worth looking up one by one: the pending list is read again (one page, not fourteen
        # look-ups); the two no longer on it are looked up, to say where they went. The event is not read.
        people = [guest(f"p{n:02d}@example.com", "pending_approval") for n in range(14)]
        fake = FakeLuma(people).answering(mock_context)
        rule = bulk_status.rule_from(from_status=["pending_approval"])
        todo = [f"gst-p{n:02d}" for n in range(13)] + ["gst-gone"]
        token = bulk_status.encode_continuation(EVENT_ID, bulk_status.ChangeOptions("approved"), rule, "", todo)
        fake.guests[EVENT_ID][3]["approval_status"] = "declined"
        inputs = {"event_api_id": EVENT_ID, "status": "approved", "continuation": token}
        data = ok_data(await run("update_guests_status", inputs, mock_context))
        assert (data["changed_count"], data["skipped_count"], data["failed_count"]) == (12, 1, 1)
        assert [row["status"] for row in data["results"]][3] == "skipped"
        reads = [(method, path) for method, path, _, _ in fake.sent if method == "GET"]
        assert reads == [("GET", "/v1/events/guests/list")] + [("GET", "/v1/events/guests/get")] * 2
        assert fake.gets("/v1/events/guests/list")[0]["approval_status"] == "pending_approval"
        assert sorted(body["guest_id"] for body in fake.posts(UPDATE)) == sorted(set(todo[:13]) - {"gst-p03"})

    async def test_a_continuation_stops_reading_a_long_list_when_look_ups_are_cheaper(self, mock_context):
        # Three guests still to do behind 500 other pending guests: after three pages without them, three look-ups
        # cost less than the rest of the list, so the read stops there (never more than twice the cheaper way).
        others = [guest(f"o{n:03d}@example.com", "pending_approval") for n in range(500)]
        mine = [guest(f"p{n}@example.com", "pending_approval") for n in range(3)]
        fake = FakeLuma(others + mine).answering(mock_context)
        rule = bulk_status.rule_from(from_status=["pending_approval"])
        todo = [g["id"] for g in mine]
        token = bulk_status.encode_continuation(EVENT_ID, bulk_status.ChangeOptions("approved"), rule, "", todo)
        inputs = {"event_api_id": EVENT_ID, "status": "approved", "continuation": token}
        data = ok_data(await run("update_guests_status", inputs, mock_context))
        assert data["changed_count"] == 3
        assert len(fake.gets("/v1/events/guests/list")) == 3 and len(fake.gets("/v1/events/guests/get")) == 3

    async def test_changes_go_together_within_the_rate_window(self, mock_context):
        people = [guest(f"p{n:02d}@example.com", "pending_approval") for n in range(30)]
        fake = FakeLuma(people)
        state = overlapping_posts(fake, mock_context)
        inputs = {"event_api_id": EVENT_ID, "status": "approved", "from_status": ["pending_approval"]}
        data = ok_data(await run("update_guests_status", inputs, mock_context))
        assert data["changed_count"] == 30 and state["most"] == 30, "30 changes in one round trip"
        # With 10 requests left in the key's minute (one goes to the list), nine changes go together.
        limiter = helpers.limiter_for(mock_context.auth["credentials"]["api_key"])
        limiter.slots = [[helpers._now()] for _ in range(limiter.limit - 10)]
        fake.guests[EVENT_ID] = [guest(f"q{n:02d}@example.com", "pending_approval") for n in range(30)]
        state["most"] = 0
        data = ok_data(await run("update_guests_status", inputs, mock_context))
        assert state["most"] == 9 and data["changed_count"] == 9 and data["remaining_count"] == 21

    async def test_a_call_made_as_the_window_frees_goes_at_full_width(self, mock_context, clock):
        # A continuation called when the wait it was told is over: the last minute's requests leave the window
        # within a second, so its changes still go together (each waits its turn in the pacer), not one by one.
        people = [guest(f"p{n:02d}@example.com", "pending_approval") for n in range(30)]
        fake = FakeLuma(people)
        state = overlapping_posts(fake, mock_context)
        limiter = helpers.limiter_for(mock_context.auth["credentials"]["api_key"])
        # The last minute's 200 requests leave the window one every 10 ms from half a second on.
        limiter.slots = [[clock.now - 59.5 + n / 100] for n in range(limiter.limit)]
        inputs = {"event_api_id": EVENT_ID, "status": "approved", "from_status": ["pending_approval"]}
        data = ok_data(await run("update_guests_status", inputs, mock_context))
        assert data["changed_count"] == 30 and state["most"] == 30
        assert 0 < sum(clock.sleeps) < 1, "it waited for the window, under a second"

    async def test_an_unexpected_failure_lets_the_other_changes_in_flight_finish(self, mock_context):
        people = [guest(f"p{n}@example.com", "pending_approval") for n in range(4)]
        fake = FakeLuma(people)

        async def fetch(url, method="GET", json=None, **kwargs):
            if method == "POST":
                await asyncio.sleep(0)
                if json["guest_id"] == "gst-p0":
                    raise RuntimeError("a bug")
            return await fake.fetch(url, method=method, json=json, **kwargs)

        mock_context.fetch.side_effect = fetch
        inputs = {"event_api_id": EVENT_ID, "status": "approved", "from_status": ["pending_approval"]}
        failed(await run("update_guests_status", inputs, mock_context), "unexpected error")
        changed = {g["user_email"] for g in fake.guests[EVENT_ID] if g["approval_status"] == "approved"}
        assert changed == {"p1@example.com", "p2@example.com", "p3@example.com"}, "not cancelled in flight"

    @pytest.mark.parametrize(
        ("inputs", "words"),
        [
            ({"event_api_id": "evt-other"}, ["belongs to event"]),
            ({"status": "declined"}, ["pass status approved"]),
            ({"from_status": ["waitlist"]}, ["other inputs"]),
            ({"send_email": True}, ["other inputs"]),
            ({"emails": ["someone@example.com"]}, ["other inputs"]),
        ],
    )
    async def test_continuation_with_other_inputs_is_refused(self, mock_context, inputs, words):
        rule = bulk_status.rule_from(from_status=["pending_approval"])
        token = bulk_status.encode_continuation(EVENT_ID, bulk_status.ChangeOptions("approved"), rule, "", ["gst-x"])
        given = {"event_api_id": EVENT_ID, "status": "approved", "continuation": token, **inputs}
        assert_input_error(await run("update_guests_status", given, mock_context), mock_context, *words)

    async def test_continuation_accepts_the_first_calls_inputs_again(self, mock_context):
        FakeLuma([guest("p0@example.com", "pending_approval")]).answering(mock_context)
        first = {
            "event_api_id": EVENT_ID,
            "status": "approved",
            "from_status": ["pending_approval"],
            "send_email": False,
        }
        rule = bulk_status.rule_from(from_status=["pending_approval"])
        token = bulk_status.encode_continuation(
            EVENT_ID,
            bulk_status.ChangeOptions("approved", send_email=False),
            rule,
            bulk_status._fingerprint([]),
            ["gst-p0"],
        )
        data = ok_data(await run("update_guests_status", {**first, "continuation": token}, mock_context))
        assert data["changed_count"] == 1

    async def test_continuation_accepts_the_first_calls_emails_with_the_domain_in_its_other_form(self, mock_context):
        FakeLuma([guest("j@xn--bcher-kva.example", "pending_approval")]).answering(mock_context)
        first = {"event_api_id": EVENT_ID, "status": "approved", "emails": ["j@xn--bcher-kva.example"]}
        token = bulk_status.encode_continuation(
            EVENT_ID,
            bulk_status.ChangeOptions("approved"),
            bulk_status.rule_from(),
            bulk_status._fingerprint(["j@xn--bcher-kva.example"]),
            ["gst-j"],
        )
        again = {**first, "emails": ["J@Bücher.example"], "continuation": token}
        assert ok_data(await run("update_guests_status", again, mock_context))["changed_count"] == 1

    def test_a_continuations_rule_compares_domains_as_given_now(self):
        # A token written before domains were compared in their Unicode form still means the same rule.
        saved = bulk_status.Rule.from_dict({"exclude_email_domains": ["xn--bcher-kva.example"]})
        assert saved == bulk_status.rule_from(exclude_email_domains=["bücher.example"])

    async def test_auth_error_before_any_change_is_an_error(self, mock_context):
        fake = FakeLuma(self.PENDING[:2]).answering(mock_context)
        fake.script[("POST", UPDATE)] = [luma_error(403, "No access")] * 2
        inputs = {"event_api_id": EVENT_ID, "status": "approved", "from_status": ["pending_approval"]}
        failed(await run("update_guests_status", inputs, mock_context), "403")

    async def test_time_budget_leaves_the_rest_for_the_continuation(self, mock_context, clock):
        people = [guest(f"p{n:02d}@example.com", "pending_approval") for n in range(20)]
        fake = FakeLuma(people).answering(mock_context)
        apply = fake.write

        def slow(path, body):
            clock.now += 2.0
            return apply(path, body)

        fake.write = slow
        inputs = {"event_api_id": EVENT_ID, "status": "approved", "from_status": ["pending_approval"]}
        data = ok_data(await run("update_guests_status", inputs, mock_context))
        assert 0 < data["changed_count"] < 20 and data["changed_count"] + data["remaining_count"] == 20
        assert "time budget" in data["stopped_because"]


# ---- upsert_guest --------------------------------------------------------------------------------------------


class TestUpsertGuest:
    BASE = {"event_api_id": EVENT_ID, "email": "ana@example.com"}

    async def test_adds_an_absent_person(self, mock_context):
        fake = FakeLuma().answering(mock_context)
        inputs = {**self.BASE, "name": "Ana", "event_ticket_type_id": "ttype-ga", "send_email": False}
        data = ok_data(await run("upsert_guest", inputs, mock_context))
        assert (data["outcome"], data["previous_status"]) == ("added", None)
        assert data["guest"]["email"] == "ana@example.com" and data["guest"]["approval_status"] == "approved"
        assert fake.posts("/v1/events/guests/add") == [
            {
                "event_id": EVENT_ID,
                "guests": [{"email": "ana@example.com", "name": "Ana"}],
                "approval_status": "approved",
                "send_email": False,
                "ticket": {"event_ticket_type_id": "ttype-ga"},
            }
        ]

    async def test_changes_the_status_of_a_present_guest_once_then_nothing(self, mock_context):
        fake = FakeLuma([guest("ana@example.com", "pending_approval")]).answering(mock_context)
        first = ok_data(await run("upsert_guest", self.BASE, mock_context))
        assert (first["outcome"], first["previous_status"]) == ("status_changed", "pending_approval")
        assert first["guest"]["approval_status"] == "approved"
        second = ok_data(await run("upsert_guest", self.BASE, mock_context))
        assert (second["outcome"], second["previous_status"]) == ("unchanged", "approved")
        assert fake.posts(UPDATE) == [{"event_id": EVENT_ID, "guest_id": "gst-ana", "status": "approved"}]
        assert fake.posts("/v1/events/guests/add") == []

    async def test_an_invited_person_is_added(self, mock_context):
        fake = FakeLuma([guest("ana@example.com", "invited")]).answering(mock_context)
        data = ok_data(await run("upsert_guest", {**self.BASE, "approval_status": "waitlist"}, mock_context))
        assert (data["outcome"], data["previous_status"]) == ("added", "invited")
        assert len(fake.posts("/v1/events/guests/add")) == 1 and fake.posts(UPDATE) == []

    async def test_lost_add_is_looked_up_not_resent(self, mock_context, no_sleep):
        fake = FakeLuma().answering(mock_context)
        fake.script[("POST", "/v1/events/guests/add")] = ["drop"]
        data = ok_data(await run("upsert_guest", self.BASE, mock_context))
        assert data["outcome"] == "added" and len(fake.posts("/v1/events/guests/add")) == 1

    async def test_add_not_confirmed_says_so(self, mock_context, no_sleep):
        fake = FakeLuma().answering(mock_context)
        fake.script[("POST", "/v1/events/guests/add")] = ["lost"]
        failed(await run("upsert_guest", self.BASE, mock_context), "not confirmed", "get_guests")
        assert len(fake.posts("/v1/events/guests/add")) == 1

    async def test_status_change_not_confirmed_says_so(self, mock_context, no_sleep):
        fake = FakeLuma([guest("ana@example.com", "declined")]).answering(mock_context)
        fake.script[("POST", UPDATE)] = ["lost"]
        failed(await run("upsert_guest", self.BASE, mock_context), "not confirmed")
        assert len(fake.posts(UPDATE)) == 1

    async def test_refused_add_carries_lumas_words(self, mock_context):
        fake = FakeLuma().answering(mock_context)
        fake.script[("POST", "/v1/events/guests/add")] = [luma_error(400, "Event is at capacity")]
        failed(await run("upsert_guest", self.BASE, mock_context), "Event is at capacity")

    async def test_input_rules(self, mock_context):
        assert_input_error(await run("upsert_guest", {**self.BASE, "email": "a@@b.co"}, mock_context), mock_context)
        for extra in ({"approval_status": "declined"}, {"email": ""}, {"name": "x" * 201}):
            assert_schema_error(await run("upsert_guest", {**self.BASE, **extra}, mock_context), mock_context)


# ---- clone_event ---------------------------------------------------------------------------------------------


def source_event(**extra):
    return {
        **EVENT,
        "timezone": "Pacific/Auckland",
        "start_at": "2026-03-01T06:00:00.000Z",
        "end_at": "2026-03-01T08:30:00.000Z",
        "description_md": "Talks and **pizza**.",
        "geo_address_json": {"address": "1 Queen St", "full_address": "1 Queen St, Auckland", "city": "Auckland"},
        "coordinate": {"latitude": -36.8, "longitude": 174.7},
        "visibility": "private",
        "waitlist_status": "enabled",
        "location_visibility": "guests-only",
        "feedback_email": {"enabled": True, "delay": "PT2H"},
        "cover_url": "https://images.lumacdn.com/cover.png",
        "spots_remaining": 45,
        **extra,
    }


class TestCloneEvent:
    EARLY = {**TICKET_TYPE, "id": "ttype-early", "name": "Early Bird", "valid_end_at": "2026-02-27"}
    CREW = {**GA, "id": "ttype-crew", "name": "Crew", "is_hidden": True}
    CODES = [
        {**COUPON, "code": "HALF", "valid_end_at": "2026-02-28T11:00:00.000Z", "remaining_count": 7},
        {**COUPON, "id": "ecp-crew", "code": "CREW", "percent_off": 100, "event_ticket_type_id": "ttype-crew"},
    ]

    def fake(self, **kwargs) -> FakeLuma:
        types = kwargs.pop("types", [self.CREW, self.EARLY])
        fake = FakeLuma(
            [guest(f"g{n}@example.com") for n in range(5)], types=types, coupons=self.CODES, event=source_event()
        )
        fake.events[EVENT_ID]["registration_questions"] = [
            {"id": "q1", "label": "Company", "required": True, "question_type": "company"}
        ]
        return fake

    async def test_copies_settings_length_types_and_coupons(self, mock_context):
        fake = self.fake().answering(mock_context)
        inputs = {"event_api_id": EVENT_ID, "start_at": "2026-04-05T18:00", "name": "Meetup (April)"}
        data = ok_data(await run("clone_event", inputs, mock_context))
        (created,) = fake.posts("/v1/events/create")
        assert created == {
            "name": "Meetup (April)",
            "start_at": "2026-04-05T06:00:00.000Z",
            "end_at": "2026-04-05T08:30:00.000Z",
            "timezone": "Pacific/Auckland",
            "geo_address_json": {"type": "manual", "address": "1 Queen St, Auckland"},
            "max_capacity": 50,
            "description_md": "Talks and **pizza**.",
            "cover_url": "https://images.lumacdn.com/cover.png",
            "coordinate": {"latitude": -36.8, "longitude": 174.7},
            "visibility": "private",
            "location_visibility": "guests-only",
            "waitlist_status": "enabled",
            "feedback_email": {"enabled": True, "delay": "PT2H"},
            "registration_questions": [{"id": "q1", "label": "Company", "required": True, "question_type": "company"}],
        }
        clone_id = data["event"]["id"]
        assert data["complete"] is True and data["stopped_because"] is None
        # Luma's default free type became the first visible source type; the hidden one was created first.
        assert [(t["name"], t["status"]) for t in data["ticket_types"]] == [
            ("Crew", "created"),
            ("Early Bird", "updated_default"),
        ]
        assert [t["name"] for t in fake.types[clone_id]] == ["Early Bird", "Crew"]
        (update,) = fake.posts("/v1/events/ticket-types/update")
        assert update["event_ticket_type_id"] == f"ttype-default-{clone_id}"
        assert (update["type"], update["cents"], update["currency"], update["valid_end_at"]) == (
            "paid",
            2500,
            "usd",
            "2026-04-03",
        )
        crew_clone = fake.types[clone_id][1]["id"]
        coupons = {c["code"]: c for c in fake.coupons[clone_id]}
        assert coupons["HALF"]["valid_end_at"] == "2026-04-04T11:00:00.000Z" and coupons["HALF"]["remaining_count"] == 7
        assert coupons["CREW"]["event_ticket_type_id"] == crew_clone
        assert [(c["code"], c["status"]) for c in data["coupons"]] == [("HALF", "created"), ("CREW", "created")]
        assert "slug" in data["not_copied"] and "max_capacity" not in data["not_copied"]

    async def test_google_place_and_another_time_zone(self, mock_context):
        fake = self.fake().answering(mock_context)
        place = {"address": "Sky Tower", "google_maps_place_id": "ChIJ123", "description": "Sky Tower"}
        fake.events[EVENT_ID]["geo_address_json"] = place
        inputs = {"event_api_id": EVENT_ID, "start_at": "2026-04-05T18:00", "timezone": "america/new_york"}
        ok_data(await run("clone_event", {**inputs, "include_coupons": False}, mock_context))
        (created,) = fake.posts("/v1/events/create")
        assert created["geo_address_json"] == {"type": "google", "place_id": "ChIJ123", "description": "Sky Tower"}
        assert (created["timezone"], created["start_at"]) == ("America/New_York", "2026-04-05T22:00:00.000Z")
        assert fake.gets("/v1/events/coupons/list") == []

    async def test_without_ticket_types_keeps_the_default_and_skips_tied_coupons(self, mock_context):
        fake = self.fake().answering(mock_context)
        inputs = {"event_api_id": EVENT_ID, "start_at": "2026-04-05T18:00", "include_ticket_types": False}
        data = ok_data(await run("clone_event", inputs, mock_context))
        assert data["ticket_types"] == [] and data["complete"] is True
        assert [(c["code"], c["status"]) for c in data["coupons"]] == [("HALF", "created"), ("CREW", "skipped")]
        assert fake.posts("/v1/events/ticket-types/update") == [] and fake.posts("/v1/events/ticket-types/create") == []

    async def test_a_source_with_the_default_type_leaves_it_unchanged(self, mock_context):
        fake = self.fake(types=[GA]).answering(mock_context)
        inputs = {"event_api_id": EVENT_ID, "start_at": "2026-04-05T18:00", "include_coupons": False}
        data = ok_data(await run("clone_event", inputs, mock_context))
        assert [(t["name"], t["status"]) for t in data["ticket_types"]] == [("General Admission", "unchanged")]
        assert fake.posts("/v1/events/ticket-types/update") == []

    async def test_capacity_that_cannot_be_worked_out_is_reported(self, mock_context):
        fake = self.fake().answering(mock_context)
        fake.guests[EVENT_ID][0]["event_tickets"].append(ticket("ttype-ga"))  # 5 guests, 6 tickets
        inputs = {"event_api_id": EVENT_ID, "start_at": "2026-04-05T18:00", "include_coupons": False}
        data = ok_data(await run("clone_event", inputs, mock_context))
        assert "max_capacity" in data["not_copied"]
        assert "max_capacity" not in fake.posts("/v1/events/create")[0]

    async def test_refused_item_fails_alone_and_the_clone_says_incomplete(self, mock_context):
        fake = self.fake().answering(mock_context)
        fake.script[("POST", "/v1/events/ticket-types/create")] = [luma_error(400, "Invalid name")]
        data = ok_data(
            await run("clone_event", {"event_api_id": EVENT_ID, "start_at": "2026-04-05T18:00"}, mock_context)
        )
        assert data["complete"] is False
        assert [(t["name"], t["status"]) for t in data["ticket_types"]] == [
            ("Crew", "failed"),
            ("Early Bird", "updated_default"),
        ]
        assert "Invalid name" in data["ticket_types"][0]["message"]
        assert [(c["code"], c["status"]) for c in data["coupons"]] == [("HALF", "created"), ("CREW", "not_done")]

    async def test_rate_limit_mid_clone_answers_with_what_was_made(self, mock_context, no_sleep):
        fake = self.fake().answering(mock_context)
        fake.script[("POST", "/v1/events/ticket-types/update")] = [RateLimitError(60, 429, "Too many requests", "")]
        data = ok_data(
            await run("clone_event", {"event_api_id": EVENT_ID, "start_at": "2026-04-05T18:00"}, mock_context)
        )
        assert data["complete"] is False and "Retry in" in data["stopped_because"]
        assert [t["status"] for t in data["ticket_types"]] == ["created", "not_done"]
        assert [c["status"] for c in data["coupons"]] == ["not_done", "not_done"]
        # A second run with the clone as target finishes it, creating nothing twice.
        helpers.reset_rate_limiters()  # a minute later
        clone_id = data["event"]["id"]
        again = {"event_api_id": EVENT_ID, "start_at": "2026-04-05T18:00", "target_event_api_id": clone_id}
        done = ok_data(await run("clone_event", again, mock_context))
        assert done["complete"] is True and done["event"]["id"] == clone_id
        assert [t["status"] for t in done["ticket_types"]] == ["unchanged", "updated_default"]
        assert len(fake.posts("/v1/events/create")) == 1 and len(fake.posts("/v1/events/ticket-types/create")) == 1
        assert sorted(c["code"] for c in fake.coupons[clone_id]) == ["CREW", "HALF"]

    async def test_a_source_coupon_without_a_count_is_copied_as_unlimited(self, mock_context):
        fake = self.fake().answering(mock_context)
        fake.coupons[EVENT_ID][0]["remaining_count"] = None
        ok_data(await run("clone_event", {"event_api_id": EVENT_ID, "start_at": "2026-04-05T18:00"}, mock_context))
        sent = {body["code"]: body["remaining_count"] for body in fake.posts("/v1/events/coupons/create")}
        assert sent == {"HALF": 1_000_000, "CREW": self.CODES[1]["remaining_count"]}

    async def test_lost_answers_are_confirmed_and_never_resent(self, mock_context, no_sleep):
        fake = self.fake().answering(mock_context)
        for path in ("create", "ticket-types/create", "ticket-types/update", "coupons/create"):
            fake.script[("POST", f"/v1/events/{path}")] = ["drop"]
        data = ok_data(
            await run("clone_event", {"event_api_id": EVENT_ID, "start_at": "2026-04-05T18:00"}, mock_context)
        )
        assert data["complete"] is True
        posted = [path for method, path, _, _ in fake.sent if method == "POST"]
        assert len(posted) == len(set(posted)) + 1  # two coupons, one each of the rest

    async def test_event_create_not_confirmed_is_an_error(self, mock_context, no_sleep):
        fake = self.fake().answering(mock_context)
        fake.script[("POST", "/v1/events/create")] = ["lost"]
        failed(
            await run("clone_event", {"event_api_id": EVENT_ID, "start_at": "2026-04-05T18:00"}, mock_context),
            "not confirmed",
        )
        assert len(fake.posts("/v1/events/create")) == 1 and fake.posts("/v1/events/ticket-types/update") == []

    @pytest.mark.parametrize(
        ("extra", "words"),
        [
            ({"start_at": "2026-04-05"}, ["no time of day"]),
            ({"timezone": "Mars/Base"}, ["not an IANA time zone"]),
            ({"target_event_api_id": EVENT_ID}, ["is the event being cloned"]),
        ],
    )
    async def test_input_rules(self, mock_context, extra, words):
        fake = self.fake().answering(mock_context)
        result = await run(
            "clone_event", {"event_api_id": EVENT_ID, "start_at": "2026-04-05T18:00", **extra}, mock_context
        )
        failed(result, *words)
        assert [method for method, *_ in fake.sent if method == "POST"] == []

    async def test_schema(self, mock_context):
        for inputs in ({"event_api_id": EVENT_ID}, {"event_api_id": EVENT_ID, "start_at": "x", "name": " "}):
            assert_schema_error(await run("clone_event", inputs, mock_context), mock_context)
