"""Whatever an agent sends, every action answers: a result, an action error or a validation error, never a crash.

Each action starts from valid inputs; every property is then replaced, one at a time, by values an agent
might plausibly get wrong (null, empty, blank, wrong type, huge, unicode, negative), and inputs are added or
removed. All of it runs through the SDK's real ExecutionContext over HTTP against the local Luma.
"""

import json

import pytest
from autohive_integrations_sdk import ExecutionContext
from autohive_integrations_sdk.integration import ResultType

import helpers
from luma import luma
from luma_local import LumaEmulator
from tests.support.fakes import TEST_API_KEY, production_auth

pytestmark = pytest.mark.e2e

ODD_VALUES = [
    None,
    "",
    "   ",
    0,
    -1,
    10**15,
    1.5,
    True,
    [],
    {},
    ["a@b.co", None],
    [{"email": "ok@example.com"}, {"name": "no email"}],
    "😀" * 400,
    "evt-../../v1/users/get-self?x=1&event_id=",
    "2026-02-30T25:61:00",
    "Ünïcödé Nàmé <script>",
]


def valid_inputs(event_id: str, guest_id: str, ticket_type_id: str) -> dict[str, dict]:
    return {
        "get_self": {},
        "get_events": {"limit": 3},
        "create_event": {"name": "Robust", "start_at": "2027-05-01T18:00:00", "timezone": "Europe/Berlin"},
        "update_event": {"event_api_id": event_id, "name": "Renamed"},
        "list_ticket_types": {"event_api_id": event_id},
        "create_ticket_type": {
            "event_api_id": event_id,
            "name": "Door",
            "type": "paid",
            "price": "12.50",
            "currency": "eur",
        },
        "list_coupons": {"event_api_id": event_id},
        "create_coupon": {"event_api_id": event_id, "code": "ROBUST", "percent_off": 10},
        "get_guests": {"event_api_id": event_id, "limit": 5},
        "add_guests": {"event_api_id": event_id, "guests": ["robust@example.com"], "send_email": False},
        "update_guest_status": {"event_api_id": event_id, "guest_api_id": guest_id, "status": "approved"},
        "send_invites": {"event_api_id": event_id, "guests": [{"email": "invitee@example.com", "name": "In Vitee"}]},
        "list_people": {"limit": 5, "tags": ["VIP"]},
    }


def variants(action: str, base: dict) -> list[dict]:
    properties = luma.config.actions[action].input_schema.get("properties", {})
    out = [dict(base), {}, {**base, "unexpected_field": "x"}]
    for name in properties:
        for value in ODD_VALUES:
            out.append({**base, name: value})
        out.append({key: value for key, value in base.items() if key != name})
    return out


@pytest.fixture
async def roomy_luma(monkeypatch):
    # A generous limit: this test is about inputs, not pacing.
    async with LumaEmulator(api_key=TEST_API_KEY, rate_limit=1_000_000) as emulator:
        monkeypatch.setenv(helpers.LUMA_API_BASE_ENV, emulator.base_url)
        monkeypatch.setenv(helpers.RATE_LIMIT_ENV, "1000000")
        emulator.seed_demo()
        yield emulator


@pytest.mark.parametrize("action", sorted(luma.config.actions))
async def test_no_input_crashes_an_action(roomy_luma, action):
    event = roomy_luma.seed_events(1, max_capacity=1000)[0]
    guest = roomy_luma.seed_guests(event["id"], 1)[0]
    ticket_type = roomy_luma.ticket_types(event["id"])[0]
    base = valid_inputs(event["id"], guest["id"], ticket_type["id"])[action]
    seen = {ResultType.ACTION: 0, ResultType.ACTION_ERROR: 0, ResultType.VALIDATION_ERROR: 0}
    async with ExecutionContext(auth=production_auth()) as context:
        for inputs in variants(action, base):
            result = await luma.execute_action(action, inputs, context)
            assert result.type in seen, f"{action} {inputs!r}: {result.type}"
            seen[result.type] += 1
            text = json.dumps(result.result if isinstance(result.result, dict) else result.result.__dict__)
            assert TEST_API_KEY not in text
            if result.type == ResultType.VALIDATION_ERROR:
                assert result.result["source"] == "input", f"{action} {inputs!r}: {result.result['message']}"
            if result.type == ResultType.ACTION_ERROR:
                message = result.result.message
                assert "unexpected error" not in message, f"{action} {inputs!r}: a bug surfaced: {message}"
                assert len(message) > 20, f"{action} {inputs!r}: unclear error {message!r}"
    assert seen[ResultType.ACTION] >= 1, f"{action}: the valid inputs should succeed"
    assert seen[ResultType.VALIDATION_ERROR] + seen[ResultType.ACTION_ERROR] >= 1 or action == "get_self"
