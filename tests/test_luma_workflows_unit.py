"""Workflow actions (get_event_summary, update_guests_status, upsert_guest, clone_event) with a mocked
context.fetch: a small routing fake of Luma answers each request, so concurrent requests need no fixed order."""

import copy
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import aiohttp
import pytest

from operations.event_summary import decimal_amount
from tests.support.fakes import assert_schema_error, failed, luma_error, ok, ok_data, run
from tests.support.samples import EVENT, TICKET_TYPE, guest_record

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
        assert decimal_amount(cents, currency) == text
