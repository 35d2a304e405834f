"""Review findings on inputs (promise: every input gets a correct result or a clear error, never a silent wrong or
empty action), end to end against the local Luma. Each test fails today: xfail(strict=True) with the defect."""

from datetime import UTC, datetime

import pytest
from autohive_integrations_sdk.integration import ResultType, ValidationError

import helpers
from luma import luma
from luma_integration import TriggerError
from luma_local.clock import iso
from tests.support.fakes import run

pytestmark = pytest.mark.e2e


async def test_update_guests_status_refuses_a_ticket_type_the_event_does_not_have(
    luma_emulator, live_context, event_id
):
    luma_emulator.seed_guests(event_id, 5, approval_status="pending_approval")
    inputs = {
        "event_api_id": event_id,
        "status": "approved",
        "from_status": ["pending_approval"],
        "event_ticket_type_id": "ttype-doesnotexist",
    }
    result = await run("update_guests_status", inputs, live_context)
    assert result.type == ResultType.ACTION_ERROR, result.result
    assert "event_ticket_type_id" in result.result.message


async def test_new_ticket_refuses_a_ticket_type_the_watched_event_does_not_have(
    luma_emulator, live_context, event_id, monkeypatch
):
    luma_emulator.clock.set(datetime(2026, 11, 1, 9, 0, tzinfo=UTC))
    monkeypatch.setattr(helpers, "_utc_now", luma_emulator.clock.now)
    first = iso(luma_emulator.clock.now())
    luma_emulator.clock.advance(minutes=1)
    luma_emulator.register_guest(event_id, "ana@example.com", "Ana")
    luma_emulator.clock.advance(minutes=4)
    inputs = {"event_api_id": event_id, "event_ticket_type_id": "ttype-doesnotexist"}
    with pytest.raises((TriggerError, ValidationError)) as raised:
        await luma.execute_polling_trigger("new_ticket", inputs, first, live_context)
    assert "ttype-doesnotexist" in str(raised.value)


async def test_an_abbreviation_time_zone_is_refused_like_the_others(luma_emulator, live_context):
    inputs = {"name": "Summer Social", "start_at": "2026-07-04T18:00", "timezone": "EST", "duration_minutes": 120}
    result = await run("create_event", inputs, live_context)
    # 18:00 in New York on 4 July is 22:00Z (EDT); 'EST' makes it 23:00Z. Like 'PST', the abbreviation should be
    # refused with a request for an Area/City name, not read as a fixed offset without daylight saving.
    assert result.type == ResultType.ACTION_ERROR, result.result
    assert "timezone" in result.result.message and luma_emulator.events() == []


async def test_add_guests_recognizes_a_guest_given_in_the_ascii_form_of_an_idn_domain(
    luma_emulator, live_context, event_id
):
    luma_emulator.register_guest(event_id, "ana@xn--fa-hia.de", "Ana")
    result = await run("add_guests", {"event_api_id": event_id, "guests": ["ana@xn--fa-hia.de"]}, live_context)
    data = result.result.data
    assert [r["status"] for r in data["results"]] == ["already_guest"], data["results"]
    assert len(luma_emulator.guests(event_id)) == 1
