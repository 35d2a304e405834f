"""Read-only checks against real Luma; skipped unless LUMA_API_KEY is set (see .env.example)."""

import os

import pytest
from autohive_integrations_sdk import ExecutionContext
from autohive_integrations_sdk.integration import ResultType

from luma import luma
from operations.webhooks import MASKED_SECRET

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not os.environ.get("LUMA_API_KEY"), reason="LUMA_API_KEY is not set"),
]


@pytest.fixture
async def real_context():
    credentials = {"api_key": os.environ["LUMA_API_KEY"]}
    if os.environ.get("LUMA_CALENDAR_ID"):  # an organization key names the calendar to read
        credentials["calendar_id"] = os.environ["LUMA_CALENDAR_ID"]
    auth = {"auth_type": "Custom", "credentials": credentials}
    async with ExecutionContext(auth=auth) as context:
        yield context


async def test_get_self(real_context):
    result = await luma.execute_action("get_self", {}, real_context)
    assert result.type == ResultType.ACTION, result.result
    assert result.result.data["user"]["id"].startswith("usr-")


async def test_get_events_pages(real_context):
    result = await luma.execute_action("get_events", {"limit": 3}, real_context)
    assert result.type == ResultType.ACTION, result.result
    assert len(result.result.data["events"]) <= 3


async def test_list_people(real_context):
    result = await luma.execute_action("list_people", {"limit": 3}, real_context)
    assert result.type == ResultType.ACTION, result.result
    assert len(result.result.data["people"]) <= 3


async def test_unknown_guest_email_is_a_404(real_context):
    """The lost-answer checks of add_guests and send_invites rely on Luma answering 404 for an unknown email."""
    events = await luma.execute_action("get_events", {"limit": 1}, real_context)
    if not events.result.data["events"]:
        pytest.skip("the calendar has no event to look in")
    event_id = events.result.data["events"][0]["id"]
    result = await luma.execute_action(
        "get_guests", {"event_api_id": event_id, "email": "no-such-guest-7f3a@example.com"}, real_context
    )
    assert result.type == ResultType.ACTION_ERROR
    assert "No guest with email" in result.result.message


async def test_list_membership_tiers(real_context):
    result = await luma.execute_action("list_membership_tiers", {"limit": 3}, real_context)
    assert result.type == ResultType.ACTION, result.result
    for tier in result.result.data["membership_tiers"]:
        assert tier["access_info"]["type"] in ("free", "payment-once", "payment-recurring")


async def test_list_webhooks_masks_every_secret(real_context):
    result = await luma.execute_action("list_webhooks", {"limit": 3, "detail": "full"}, real_context)
    assert result.type == ResultType.ACTION, result.result
    assert all(webhook.get("secret") in (None, MASKED_SECRET) for webhook in result.result.data["webhooks"])
