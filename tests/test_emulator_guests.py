"""The emulator's guests: update-tickets (Luma's administrative ticket change) and blocked people."""

from __future__ import annotations

import aiohttp
import pytest

from luma_local import LumaEmulator
from tests.emulator_support import call, create_event

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
