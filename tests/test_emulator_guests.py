"""The emulator's guests: add, get, list, status, invites, update-tickets and registration answers."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from luma_local import LumaEmulator
from tests.emulator_support import KEY, call, create_event

pytestmark = pytest.mark.emulator

UPDATE_TICKETS = "/v1/events/guests/update-tickets"


async def paid_event(client: aiohttp.ClientSession, emu: LumaEmulator, **fields: object) -> tuple[str, str, str]:
    """An event with a guest holding one free ticket; returns (event id, guest email, paid ticket type id)."""
    event_id = await create_event(client, **fields)
    paid = {"event_id": event_id, "name": "VIP", "type": "paid", "cents": 5000, "currency": "usd"}
    _, vip = await call(client, "POST", "/v1/events/ticket-types/create", json=paid)
    await call(client, "POST", "/v1/events/guests/add", json={"event_id": event_id, "guests": [{"email": "a@x.io"}]})
    return event_id, "a@x.io", vip["id"]


async def test_update_tickets_adds_complimentary_and_removes_without_refund(
    client: aiohttp.ClientSession, emu: LumaEmulator
) -> None:
    event_id, email, vip = await paid_event(client, emu)
    [free_ticket] = emu.guest(event_id, email)["event_tickets"]
    body = {
        "event_id": event_id,
        "guest_id": email,
        "tickets_to_add": [{"event_ticket_type_id": vip}, {"event_ticket_type_id": vip}],
        "ticket_ids_to_remove": [free_ticket["id"]],
        "send_email": False,
    }
    assert await call(client, "POST", UPDATE_TICKETS, json=body) == (200, {})
    guest = emu.guest(event_id, email)
    assert [(t["name"], t["amount"]) for t in guest["event_tickets"]] == [("VIP", 0), ("VIP", 0)]
    assert all(t["id"].startswith("tkt-") for t in guest["event_tickets"])
    assert sum(o["amount"] for o in guest["event_ticket_orders"]) == 0  # nothing charged, nothing refunded


async def test_update_tickets_ignores_capacity(client: aiohttp.ClientSession, emu: LumaEmulator) -> None:
    event_id, email, vip = await paid_event(client, emu, max_capacity=1, can_register_for_multiple_tickets=True)
    body = {"event_id": event_id, "guest_id": email, "tickets_to_add": [{"event_ticket_type_id": vip}] * 3}
    assert (await call(client, "POST", UPDATE_TICKETS, json=body))[0] == 200
    assert len(emu.guest(event_id, email)["event_tickets"]) == 4


@pytest.mark.parametrize(
    ("change", "status", "needle"),
    [
        ({}, 400, "Nothing to change"),
        ({"ticket_ids_to_remove": ["tkt-someone-else"]}, 400, "tkt-someone-else"),
        ({"tickets_to_add": [{"event_ticket_type_id": "ttype-elsewhere"}]}, 400, "ttype-elsewhere"),
        ({"guest_id": "nobody@x.io"}, 404, "nobody@x.io"),
        ({"tickets_to_add": [{"ticket_type": "x"}]}, 400, "ticket_type"),
    ],
)
async def test_update_tickets_errors(
    client: aiohttp.ClientSession, emu: LumaEmulator, change: dict, status: int, needle: str
) -> None:
    event_id, email, _ = await paid_event(client, emu)
    body = {"event_id": event_id, "guest_id": email, **change}
    got, data = await call(client, "POST", UPDATE_TICKETS, json=body)
    assert got == status and needle in data["message"]


async def test_update_tickets_keeps_at_least_one_ticket(client: aiohttp.ClientSession, emu: LumaEmulator) -> None:
    event_id, email, _ = await paid_event(client, emu)
    [only] = emu.guest(event_id, email)["event_tickets"]
    body = {"event_id": event_id, "guest_id": email, "ticket_ids_to_remove": [only["id"]]}
    status, data = await call(client, "POST", UPDATE_TICKETS, json=body)
    assert status == 400 and "At least one" in data["message"]
    invite = {"event_id": event_id, "guests": [{"email": "inv@x.io"}]}
    await call(client, "POST", "/v1/events/guests/send-invites", json=invite)
    body = {"event_id": event_id, "guest_id": "inv@x.io", "ticket_ids_to_remove": ["tkt-x"]}
    status, data = await call(client, "POST", UPDATE_TICKETS, json=body)
    assert status == 400 and "invited" in data["message"]


QUESTIONS = [
    {"id": "q-company", "label": "Where do you work?", "required": False, "question_type": "company"},
    {"id": "q-why", "label": "Why are you coming?", "required": True, "question_type": "text"},
    {
        "id": "q-topics",
        "label": "Topics",
        "required": False,
        "question_type": "multi-select",
        "options": ["AI", "Data"],
    },
    {"id": "q-rules", "label": "I follow the code of conduct", "required": True, "question_type": "agree-check"},
]


async def test_guests_add_records_registration_answers(client: aiohttp.ClientSession, emu: LumaEmulator) -> None:
    event_id = await create_event(client, registration_questions=QUESTIONS)
    given = [
        {"question_id": "q-company", "value": {"company": "Acme", "job_title": "CTO"}},
        {"question_id": "q-why", "value": "To meet people"},
        {"question_id": "q-topics", "value": ["AI"]},
        {"question_id": "q-rules", "value": True},
    ]
    body = {"event_id": event_id, "guests": [{"email": "a@x.io", "registration_answers": given}]}
    assert (await call(client, "POST", "/v1/events/guests/add", json=body))[0] == 200
    status, guest = await call(client, "GET", "/v1/events/guests/get", params={"event_id": event_id, "id": "a@x.io"})
    assert status == 200
    assert guest["registration_answers"][1] == {
        "label": "Why are you coming?",
        "question_id": "q-why",
        "value": "To meet people",
        "question_type": "text",
    }
    again = {"event_id": event_id, "guests": [{"email": "a@x.io", "registration_answers": given[1:2]}]}
    assert (await call(client, "POST", "/v1/events/guests/add", json=again))[0] == 200
    assert len(emu.guest(event_id, "a@x.io")["registration_answers"]) == 4  # existing answers are kept


@pytest.mark.parametrize(
    ("answer", "needle"),
    [
        ({"question_id": "q-nope", "value": "x"}, "'q-nope' is not a registration question"),
        ({"question_id": "q-why", "value": True}, "text question takes a str"),
        ({"question_id": "q-rules", "value": "yes"}, "agree-check question takes a bool"),
        ({"question_id": "q-topics", "value": ["Crypto"]}, "'Crypto' is not one of the question's options"),
    ],
)
async def test_bad_registration_answers_add_nobody(
    client: aiohttp.ClientSession, emu: LumaEmulator, answer: dict, needle: str
) -> None:
    event_id = await create_event(client, registration_questions=QUESTIONS)
    body = {
        "event_id": event_id,
        "guests": [{"email": "ok@x.io"}, {"email": "b@x.io", "registration_answers": [answer]}],
    }
    status, data = await call(client, "POST", "/v1/events/guests/add", json=body)
    assert status == 400 and needle in data["message"] and "guests[1].registration_answers[0]" in data["message"]
    assert emu.guests(event_id) == []


# --------------------------------------------------------------------------- from the first emulator tests


async def test_guests_add_dedup_get_by_email_and_contacts(client: aiohttp.ClientSession, emu: LumaEmulator) -> None:
    event_id = await create_event(client)
    body = {"event_id": event_id, "guests": [{"email": "Ana@Example.com", "name": "Ana Lima"}]}
    assert await call(client, "POST", "/v1/events/guests/add", json=body) == (200, {})
    body["guests"].append({"email": "ana@example.com"})
    assert (await call(client, "POST", "/v1/events/guests/add", json=body))[0] == 200
    assert len(emu.guests(event_id)) == 1
    status, guest = await call(
        client, "GET", "/v1/events/guests/get", params={"event_id": event_id, "id": "ANA@example.COM"}
    )
    assert status == 200 and guest["id"].startswith("gst-") and guest["approval_status"] == "approved"
    assert guest["event_tickets"][0]["name"] == "General Admission"
    status, same = await call(client, "GET", "/v1/events/guests/get", params={"event_id": event_id, "id": guest["id"]})
    assert same["user_email"] == "Ana@Example.com"
    status, _ = await call(client, "GET", "/v1/events/guests/get", params={"event_id": event_id, "id": "no@one.io"})
    assert status == 404
    assert [c["email"] for c in emu.contacts()] == ["Ana@Example.com"]  # guests become calendar contacts


async def test_guests_add_ticket_rules_and_capacity(client: aiohttp.ClientSession, emu: LumaEmulator) -> None:
    event_id = await create_event(client, max_capacity=2)
    ticket_type = emu.ticket_types(event_id)[0]["id"]
    both = {
        "event_id": event_id,
        "guests": [{"email": "a@x.io"}],
        "ticket": {"event_ticket_type_id": ticket_type},
        "tickets": [{"event_ticket_type_id": ticket_type}],
    }
    status, data = await call(client, "POST", "/v1/events/guests/add", json=both)
    assert status == 400 and "ticket" in data["message"]
    two = {"event_id": event_id, "guests": [{"email": "a@x.io"}, {"email": "b@x.io"}]}
    assert (await call(client, "POST", "/v1/events/guests/add", json=two))[0] == 200
    status, data = await call(
        client, "POST", "/v1/events/guests/add", json={"event_id": event_id, "guests": [{"email": "c@x.io"}]}
    )
    assert status == 400 and "capacity" in data["message"]
    waitlisted = {"event_id": event_id, "guests": [{"email": "c@x.io"}], "approval_status": "waitlist"}
    assert (await call(client, "POST", "/v1/events/guests/add", json=waitlisted))[0] == 200


async def test_update_status_rules(client: aiohttp.ClientSession, emu: LumaEmulator) -> None:
    event_id = emu.seed_events(1)[0]["id"]
    guest = emu.seed_guests(event_id, 1, approval_status="pending_approval")[0]
    base = {"event_id": event_id, "guest_id": guest["user_email"].upper(), "status": "approved"}
    status, data = await call(
        client, "POST", "/v1/events/guests/update-status", json={**base, "send_email": False, "message": "hi"}
    )
    assert status == 400 and "message" in data["message"]
    status, data = await call(client, "POST", "/v1/events/guests/update-status", json={**base, "message": "x" * 201})
    assert status == 400 and "message" in data["message"]
    assert await call(client, "POST", "/v1/events/guests/update-status", json=base) == (200, {})
    assert emu.guest(event_id, guest["id"])["approval_status"] == "approved"
    status, _ = await call(client, "POST", "/v1/events/guests/update-status", json={**base, "guest_id": "gst-nope"})
    assert status == 404


async def test_guests_list_pagination_with_clamping() -> None:
    async with LumaEmulator(max_page_size=5, validate_responses=True) as emu:
        event_id = emu.seed_events(1)[0]["id"]
        emu.seed_guests(event_id, 12)
        emu.seed_guests(event_id, 2, approval_status="pending_approval")
        async with aiohttp.ClientSession(emu.base_url, headers={"x-luma-api-key": KEY}) as client:
            seen: list[str] = []
            params: dict[str, Any] = {"event_id": event_id, "approval_status": "approved", "pagination_limit": 100}
            pages = 0
            while True:
                status, page = await call(client, "GET", "/v1/events/guests/list", params=params)
                assert status == 200 and len(page["entries"]) <= 5
                seen += [g["id"] for g in page["entries"]]
                pages += 1
                if not page["has_more"]:
                    assert "next_cursor" not in page
                    break
                params["pagination_cursor"] = page["next_cursor"]
            assert pages == 3 and len(seen) == len(set(seen)) == 12
            bad = {"event_id": event_id, "pagination_cursor": "not-a-cursor"}
            status, data = await call(client, "GET", "/v1/events/guests/list", params=bad)
            assert status == 400 and "cursor" in data["message"]
            _, first = await call(client, "GET", "/v1/events/guests/list", params={"event_id": event_id})
            other_filter = {
                "event_id": event_id,
                "approval_status": "declined",
                "pagination_cursor": first["next_cursor"],
            }
            status, _ = await call(client, "GET", "/v1/events/guests/list", params=other_filter)
            assert status == 400
            by_email = {"event_id": event_id, "sort_column": "email", "sort_direction": "desc", "pagination_limit": 3}
            _, page = await call(client, "GET", "/v1/events/guests/list", params=by_email)
            emails = [g["user_email"] for g in page["entries"]]
            assert emails == sorted(emails, key=str.lower, reverse=True)


async def test_send_invites_quota_and_no_downgrade() -> None:
    async with LumaEmulator(invite_quota_per_week=3, validate_responses=True) as emu:
        event_id = emu.seed_events(1)[0]["id"]
        going = emu.seed_guests(event_id, 1)[0]
        async with aiohttp.ClientSession(emu.base_url, headers={"x-luma-api-key": KEY}) as client:
            body = {"event_id": event_id, "guests": [{"email": going["user_email"]}, {"email": "new1@x.io"}]}
            assert await call(client, "POST", "/v1/events/guests/send-invites", json=body) == (200, {})
            assert emu.guest(event_id, going["id"])["approval_status"] == "approved"
            invited = emu.guest(event_id, "new1@x.io")
            assert invited["approval_status"] == "invited" and invited["invited_at"]
            body = {
                "event_id": event_id,
                "guests": [{"email": "new2@x.io"}, {"email": "new3@x.io"}, {"email": "n4@x.io"}],
            }
            status, data = await call(client, "POST", "/v1/events/guests/send-invites", json=body)
            assert status == 400 and "weekly invite limit" in data["message"].lower()
            assert emu.guest(event_id, "new2@x.io") is None  # all or nothing
            body = {"event_id": event_id, "guests": [{"email": "x@x.io"}], "message": "m" * 201}
            assert (await call(client, "POST", "/v1/events/guests/send-invites", json=body))[0] == 400
