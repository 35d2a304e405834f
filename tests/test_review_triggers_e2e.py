"""Review findings on the polling triggers, end to end against the local Luma (each test fails today: xfail strict)."""

from datetime import UTC, datetime, timedelta

import pytest
from autohive_integrations_sdk import ExecutionContext
from autohive_integrations_sdk.integration import ValidationError

import helpers
from luma import luma
from luma_integration import TriggerError
from luma_local import LumaEmulator
from luma_local.clock import iso
from tests.support.fakes import TEST_API_KEY, ok_data, run

pytestmark = pytest.mark.e2e

NOV_1 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock(luma_emulator, monkeypatch):
    """The local Luma's clock frozen at 2026-11-01 09:00 UTC, and the integration reading it as now."""
    luma_emulator.clock.set(NOV_1)
    monkeypatch.setattr(helpers, "_utc_now", luma_emulator.clock.now)
    return luma_emulator.clock


async def poll(trigger, inputs, last_poll_ts, context):
    return await luma.execute_polling_trigger(trigger, inputs, last_poll_ts, context)


async def test_new_person_with_a_tag_the_calendar_lacks_is_an_error_not_silence(luma_emulator, live_context, clock):
    luma_emulator.call("POST", "/v1/calendars/contact-tags/create", body={"name": "VIP"})
    first = iso(clock.now())
    clock.advance(minutes=5)
    luma_emulator.import_contacts([{"email": "fresh@example.com", "name": "Fresh Face"}], ["VIP"])
    clock.advance(minutes=5)
    # "VIPs" is a typo: no such tag. list_people refuses it with a list of the calendar's tags; this trigger should
    # too (an input error, not a poll that fires on nobody for ever).
    with pytest.raises((TriggerError, ValidationError)) as raised:
        await poll("new_person", {"tags": ["VIPs"]}, first, live_context)
    assert "VIPs" in str(raised.value)


async def test_new_guest_stamped_just_before_a_poll_but_seen_after_it_is_not_lost(luma_emulator, live_context, clock):
    event = luma_emulator.seed_events(1)[0]
    inputs = {"event_api_id": event["id"]}
    first_poll = iso(clock.now())
    await poll("new_guest", inputs, None, live_context)
    clock.advance(minutes=5)
    second_poll = iso(clock.now())
    assert await poll("new_guest", inputs, first_poll, live_context) == []
    # Luma stamps this registration one second before the second poll started, but it was not yet visible when that
    # poll read the guest list (a write in flight, or Luma's clock a second behind the Lambda's).
    luma_emulator.register_guest(
        event["id"], "late@example.com", "Late", at=datetime.fromisoformat(second_poll) - timedelta(seconds=1)
    )
    clock.advance(minutes=5)
    third = await poll("new_guest", inputs, second_poll, live_context)
    assert [r["data"]["guest_email"] for r in third] == ["late@example.com"]


async def test_event_updated_does_not_report_a_transferred_event_as_cancelled(monkeypatch):
    org_key = "luma-test-org-key-0123456789"  # nosec B105
    async with LumaEmulator(api_key=TEST_API_KEY, org_api_key=org_key, validate_responses=True) as emulator:
        monkeypatch.setenv(helpers.LUMA_API_BASE_ENV, emulator.base_url)
        home = emulator.state.calendar_id
        second = emulator.call("POST", "/v2/organizations/calendars/create", body={"name": "Second City"})
        event_id = emulator.seed_events(1)[0]["id"]
        watch = {"auth_type": "Custom", "credentials": {"api_key": org_key, "calendar_id": home}}
        async with ExecutionContext(auth=watch) as context:
            first = await poll("event_updated", {"event_api_id": event_id}, None, context)
            assert [r["data"]["status"] for r in first] == ["scheduled"]
            moved = await run("transfer_event", {"event_api_id": event_id, "calendar_id": second["id"]}, context)
            ok_data(moved)
            after = await poll("event_updated", {"event_api_id": event_id}, "2026-01-01T00:00:00Z", context)
        assert emulator.event(event_id)["calendar_id"] == second["id"], "the event exists, on the second calendar"
        assert [r["data"]["status"] for r in after] != ["cancelled"], after
